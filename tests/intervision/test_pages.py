"""The group's pages: its agreement, its sessions and notes, and the summary it
takes to its supervisor, as each person sees them (intervision/views.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEvent
from intervision.models import IntervisionSession, SupervisionSummary
from reflections.models import Status
from security.mfa import has_totp, must_use_mfa
from supervision.models import Share
from teams.models import (
    GroupAgreement,
    GroupSupervisionLink,
    IntervisionGroup,
    Membership,
    Role,
)
from tests.factories import ReflectionFactory, UserFactory
from tests.totp import activate_totp

pytestmark = pytest.mark.django_db

NOTES_MARKER = "Marker-iv-notes-5eed"
THEMES_MARKER = "Marker-iv-themes-f00d"
QUESTIONS_MARKER = "Marker-iv-questions-ace"
RESPONSE_MARKER = "Marker-iv-response-bead"
NOTE_TEXT_MARKER = "Marker-shared-note-text-d1ce"

TERMS = {
    "what_is_recorded": "Dates, who came, themes.",
    "who_may_read": "Those who attended.",
    "confidentiality_limits": "Risk to someone's safety.",
    "taken_to_supervision": "Only a summary we agree.",
}


def _person(team, name, role=Role.PEER_PRACTITIONER):
    user = UserFactory(email=f"{name}@example.org", first_name=name.title(), last_name="Person")
    Membership.objects.create(user=user, team=team, role=role)
    return user


@pytest.fixture
def circle(team):
    """A group with a facilitator and four members (one not yet accepted its
    agreement), a former member, a supervisor linked to the group, another
    supervisor, and a note shared with the group."""
    people = {
        name: _person(team, name)
        for name in ("facil", "presenter", "taker", "absent", "newcomer", "former", "outsider")
    }
    people["supervisor"] = _person(team, "sup", Role.SUPERVISOR)
    people["other_supervisor"] = _person(team, "othersup", Role.SUPERVISOR)
    group = IntervisionGroup.objects.create(
        team=team, name="Thursday circle", facilitator=people["facil"]
    )
    group.members.add(people["presenter"], people["taker"], people["absent"], people["former"])
    agreement = GroupAgreement.write(group, people["facil"], quorum=2, **TERMS)
    for name in ("presenter", "taker", "absent", "former"):
        agreement.accept(people[name])
    group.members.add(people["newcomer"])
    GroupSupervisionLink.objects.create(
        group=group, supervisor=people["supervisor"], since=timezone.localdate() - timedelta(1)
    )
    note = ReflectionFactory(author=people["presenter"], status=Status.FINAL, text=NOTE_TEXT_MARKER)
    share = Share.objects.create(reflection=note, group=group)
    return people, group, share


@pytest.fixture
def session(circle):
    """A session the facilitator, the presenter and the note-taker attended,
    with the group's notes; the former member attended too, then left."""
    people, group, share = circle
    session = IntervisionSession(
        group=group,
        held_on=timezone.localdate(),
        duration=60,
        presenter=people["presenter"],
        facilitator=people["facil"],
        note_taker=people["taker"],
    )
    attendees = [people[name] for name in ("facil", "presenter", "taker", "former")]
    session.record(people["facil"], attendees, [share])
    assert session.write_notes(people["taker"], NOTES_MARKER, session.revision)
    group.members.remove(people["former"])
    return session


def _client(user) -> Client:
    client = Client()
    if must_use_mfa(user) and not has_totp(user):
        activate_totp(user)
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def _url(name, *args):
    return reverse(f"intervision:{name}", args=args)


def _reads(action, user) -> int:
    return AuditEvent.objects.filter(action=action, actor=user).count()


# The list and the group page ------------------------------------------------------


def test_the_list_shows_my_groups_and_what_i_must_accept(circle):
    people, group, _share = circle
    page = _client(people["newcomer"]).get(_url("groups")).content.decode()
    assert group.name in page
    assert "accept the group's agreement" in page
    page = _client(people["presenter"]).get(_url("groups")).content.decode()
    assert group.name in page
    assert "accept the group's agreement" not in page
    page = _client(people["outsider"]).get(_url("groups")).content.decode()
    assert group.name not in page


def test_the_menu_offers_intervision_only_to_the_groups_people(circle):
    people, _group, _share = circle
    home = reverse("supervision:inbox")
    assert _url("groups") in _client(people["presenter"]).get(home).content.decode()
    assert _url("groups") in _client(people["facil"]).get(home).content.decode()
    assert _url("groups") not in _client(people["outsider"]).get(home).content.decode()


@pytest.mark.parametrize("name", ["outsider", "former", "supervisor"])
def test_who_is_not_in_the_group_gets_404_on_its_pages(circle, session, name):
    people, group, _share = circle
    client = _client(people[name])
    assert client.get(_url("group", group.pk)).status_code == 404
    assert client.get(_url("session", session.pk)).status_code == 404
    assert client.get(_url("agreement_edit", group.pk)).status_code == 404
    assert client.post(_url("agreement_accept", group.pk)).status_code == 404


def test_a_member_who_has_not_accepted_sees_the_agreement_and_no_sessions(circle, session):
    people, group, _share = circle
    client = _client(people["newcomer"])
    response = client.get(_url("group", group.pk))
    page = response.content.decode()
    assert response.status_code == 200
    assert TERMS["confidentiality_limits"].replace("'", "&#x27;") in page
    assert "I accept this agreement" in page
    assert _url("session", session.pk) not in page
    assert "Sessions" not in page
    assert client.get(_url("session", session.pk)).status_code == 404


def test_accepting_the_agreement_opens_the_group(circle, session):
    people, group, _share = circle
    client = _client(people["newcomer"])
    response = client.post(_url("agreement_accept", group.pk), {"version": "1"})
    assert response.status_code == 302
    assert group.agreement.accepted_by(people["newcomer"])
    page = client.get(_url("group", group.pk)).content.decode()
    assert "I accept this agreement" not in page
    assert session.held_on.strftime("%Y") in page
    assert "Sessions" in page


def test_a_non_attendee_sees_that_a_session_took_place_but_not_what_was_said(circle, session):
    people, group, _share = circle
    client = _client(people["absent"])
    page = client.get(_url("group", group.pk)).content.decode()
    assert f"{session.held_on:%Y}" in page
    assert "60 minutes" in page
    assert _url("session", session.pk) not in page
    assert NOTES_MARKER not in page
    assert client.get(_url("session", session.pk)).status_code == 404


def test_the_group_page_names_the_supervisors_and_acceptances(circle):
    people, group, _share = circle
    page = _client(people["presenter"]).get(_url("group", group.pk)).content.decode()
    assert str(people["supervisor"]) in page
    assert "Version 1" in page
    assert "not yet" in page  # the newcomer


# The agreement --------------------------------------------------------------------


def test_only_the_facilitator_writes_the_agreement(circle):
    people, group, _share = circle
    assert _client(people["presenter"]).get(_url("agreement_edit", group.pk)).status_code == 403
    client = _client(people["facil"])
    page = client.get(_url("agreement_edit", group.pk)).content.decode()
    assert "asked to accept the agreement again" in page
    terms = {**TERMS, "who_may_read": "Only us.", "quorum": "2"}
    response = client.post(_url("agreement_edit", group.pk), terms)
    assert response.status_code == 302
    group.agreement.refresh_from_db()
    assert group.agreement.version == 2
    assert group.needs_acceptance_from(people["presenter"])


def test_an_invalid_agreement_answers_422_and_keeps_the_text(circle):
    people, group, _share = circle
    terms = {**TERMS, "who_may_read": "", "what_is_recorded": "Kept-typed-text"}
    response = _client(people["facil"]).post(_url("agreement_edit", group.pk), terms)
    assert response.status_code == 422
    assert "Kept-typed-text" in response.content.decode()


# Sessions -------------------------------------------------------------------------


def test_the_facilitator_records_a_session(circle):
    people, group, share = circle
    client = _client(people["facil"])
    page = client.get(_url("session_create", group.pk)).content.decode()
    assert str(people["presenter"]) in page
    assert NOTE_TEXT_MARKER not in page  # a note is named, never shown
    data = {
        "held_on": timezone.localdate().isoformat(),
        "duration": "45",
        "attendees": [people["facil"].pk, people["absent"].pk],
        "presenter": people["absent"].pk,
        "facilitator": people["facil"].pk,
        "note_taker": people["absent"].pk,
        "brought": [share.pk],
    }
    response = client.post(_url("session_create", group.pk), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    session = IntervisionSession.objects.get(group=group)
    assert session.duration == 45
    assert set(session.attendees.all()) == {people["facil"], people["absent"]}
    assert list(session.brought.all()) == [share]
    assert AuditEvent.objects.filter(action=Action.IV_SESSION, actor=people["facil"]).exists()


def test_a_role_must_go_to_someone_who_attended(circle):
    people, group, _share = circle
    data = {
        "held_on": timezone.localdate().isoformat(),
        "attendees": [people["facil"].pk],
        "note_taker": people["taker"].pk,
    }
    response = _client(people["facil"]).post(_url("session_create", group.pk), data)
    assert response.status_code == 422
    assert "Choose someone who attended." in response.content.decode()
    assert not IntervisionSession.objects.exists()


def test_a_member_may_not_record_a_session(circle, session):
    people, group, _share = circle
    client = _client(people["presenter"])
    assert client.get(_url("session_create", group.pk)).status_code == 403
    assert client.get(_url("session_edit", session.pk)).status_code == 403
    assert _client(people["newcomer"]).get(_url("session_edit", session.pk)).status_code == 404


def test_a_stale_edit_of_the_session_answers_409_and_keeps_what_was_typed(circle, session):
    people, _group, _share = circle
    client = _client(people["facil"])
    stale = session.revision
    assert session.write_notes(people["taker"], NOTES_MARKER + " more", session.revision)
    data = {"revision": stale, "duration": "75", "held_on": session.held_on.isoformat()}
    response = client.post(_url("session_edit", session.pk), data)
    assert response.status_code == 409
    assert 'value="75"' in response.content.decode()
    session.refresh_from_db()
    assert session.duration == 60


def test_the_facilitator_changes_the_session(circle, session):
    people, _group, _share = circle
    data = {"revision": session.revision, "duration": "75"}
    response = _client(people["facil"]).post(_url("session_edit", session.pk), data)
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.duration == 75
    assert session.notes == NOTES_MARKER


# The session page and the group's notes ----------------------------------------------


def test_an_attendee_reads_the_notes_and_the_read_is_audited(circle, session):
    people, _group, share = circle
    response = _client(people["presenter"]).get(_url("session", session.pk))
    page = response.content.decode()
    assert response.status_code == 200
    assert NOTES_MARKER in page
    assert reverse("supervision:share_detail", args=[share.pk]) in page
    assert NOTE_TEXT_MARKER not in page
    assert _reads(Action.IV_NOTES_READ, people["presenter"]) == 1


def test_the_note_takers_own_read_is_not_audited(circle, session):
    people, _group, _share = circle
    page = _client(people["taker"]).get(_url("session", session.pk)).content.decode()
    assert NOTES_MARKER in page
    assert _reads(Action.IV_NOTES_READ, people["taker"]) == 0


def test_a_revoked_note_is_not_linked_from_the_session(circle, session):
    people, _group, share = circle
    share.revoke(people["presenter"])
    page = _client(people["facil"]).get(_url("session", session.pk)).content.decode()
    assert reverse("supervision:share_detail", args=[share.pk]) not in page


def test_the_note_taker_writes_the_notes(circle, session):
    people, _group, _share = circle
    client = _client(people["taker"])
    data = {"notes": "Marker-new-notes", "revision": session.revision}
    response = client.post(_url("session_notes", session.pk), data)
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.notes == "Marker-new-notes"


def test_a_stale_note_answers_409_and_keeps_the_text(circle, session):
    people, _group, _share = circle
    client = _client(people["taker"])
    stale = session.revision
    assert session.write_notes(people["taker"], "Saved-in-another-tab", stale)
    response = client.post(
        _url("session_notes", session.pk), {"notes": "Typed-here-kept", "revision": stale}
    )
    page = response.content.decode()
    assert response.status_code == 409
    assert "Typed-here-kept" in page
    session.refresh_from_db()
    assert session.notes == "Saved-in-another-tab"


def test_only_the_note_taker_writes_the_notes(circle, session):
    people, _group, _share = circle
    data = {"notes": "Not-mine", "revision": session.revision}
    url = _url("session_notes", session.pk)
    assert _client(people["presenter"]).post(url, data).status_code == 403
    assert _client(people["absent"]).post(url, data).status_code == 404
    session.refresh_from_db()
    assert session.notes == NOTES_MARKER


# The summary ----------------------------------------------------------------------


def _draft(people, session) -> SupervisionSummary:
    client = _client(people["taker"])
    page = client.get(_url("summary_draft", session.pk)).content.decode()
    assert "No names of network members" in page
    response = client.post(
        _url("summary_draft", session.pk), {"themes": THEMES_MARKER, "questions": QUESTIONS_MARKER}
    )
    assert response.status_code == 302
    return SupervisionSummary.objects.get(session=session)


def test_the_summary_from_draft_to_the_supervisors_response(circle, session):
    people, group, _share = circle
    summary = _draft(people, session)
    supervisor = _client(people["supervisor"])
    summary_url = _url("summary", summary.pk)

    # Not agreed: the supervisor sees nothing of it.
    assert supervisor.get(summary_url).status_code == 404
    respond_url = _url("summary_respond", summary.pk)
    assert supervisor.post(respond_url, {"response": "x"}).status_code == 404

    # Attendees agree until the quorum (2 of those who attended).
    presenter = _client(people["presenter"])
    page = presenter.get(summary_url).content.decode()
    assert THEMES_MARKER in page
    assert "I agree to share this summary with our supervisor" in page
    assert "2 more needed" in page
    read = {"revision": summary.revision}
    assert presenter.post(_url("summary_agree", summary.pk), read).status_code == 302
    summary.refresh_from_db()
    assert not summary.is_agreed
    assert supervisor.get(summary_url).status_code == 404
    # Someone who did not attend cannot agree.
    absent = _client(people["absent"])
    assert absent.post(_url("summary_agree", summary.pk), read).status_code == 409
    assert _client(people["taker"]).post(_url("summary_agree", summary.pk), read).status_code == 302
    summary.refresh_from_db()
    assert summary.is_agreed

    # Agreed: the supervisor reads it (audited), responds once, marks it reviewed.
    page = supervisor.get(summary_url).content.decode()
    assert THEMES_MARKER in page and QUESTIONS_MARKER in page
    assert NOTES_MARKER not in page
    assert _reads(Action.IV_SUMMARY_READ, people["supervisor"]) == 1
    response = supervisor.post(_url("summary_respond", summary.pk), {"response": RESPONSE_MARKER})
    assert response.status_code == 302
    again = supervisor.post(_url("summary_respond", summary.pk), {"response": "Second-try-kept"})
    assert again.status_code == 409
    assert "Second-try-kept" in again.content.decode()
    summary.refresh_from_db()
    assert summary.response == RESPONSE_MARKER
    assert supervisor.post(_url("summary_review", summary.pk)).status_code == 302
    summary.refresh_from_db()
    assert summary.reviewed_by == people["supervisor"]

    # The group sees the response; another supervisor sees nothing.
    page = _client(people["absent"]).get(summary_url).content.decode()
    assert RESPONSE_MARKER in page
    assert "Marked reviewed" in page
    other = _client(people["other_supervisor"])
    assert other.get(summary_url).status_code == 404
    assert other.post(_url("summary_review", summary.pk)).status_code == 404
    assert group.pk  # the group still stands


def test_a_stale_summary_edit_answers_409_and_keeps_the_text(circle, session):
    people, _group, _share = circle
    summary = _draft(people, session)
    stale = summary.revision
    assert summary.edit(people["taker"], "Changed-elsewhere", "", stale)
    response = _client(people["taker"]).post(
        _url("summary_draft", session.pk),
        {"themes": "Typed-theme-kept", "questions": "", "revision": stale},
    )
    assert response.status_code == 409
    assert "Typed-theme-kept" in response.content.decode()


def test_an_agreed_summary_no_longer_changes(circle, session):
    people, _group, _share = circle
    summary = _draft(people, session)
    summary.agree(people["presenter"])
    summary.agree(people["taker"])
    response = _client(people["taker"]).post(
        _url("summary_draft", session.pk),
        {"themes": "Too-late-kept", "questions": "", "revision": summary.revision},
    )
    assert response.status_code == 409
    assert "Too-late-kept" in response.content.decode()
    summary.refresh_from_db()
    assert summary.themes == THEMES_MARKER


def test_only_the_note_taker_drafts_the_summary(circle, session):
    people, _group, _share = circle
    assert _client(people["presenter"]).get(_url("summary_draft", session.pk)).status_code == 403
    assert _client(people["absent"]).get(_url("summary_draft", session.pk)).status_code == 404


def test_no_message_carries_note_text(circle, session):
    people, _group, _share = circle
    client = _client(people["taker"])
    response = client.post(
        _url("session_notes", session.pk),
        {"notes": "Marker-message-check", "revision": session.revision},
        follow=True,
    )
    messages = [str(message) for message in response.context["messages"]]
    assert messages and all("Marker-message-check" not in m for m in messages)


# Agreeing again, and agreeing to what one read (found by trying the app) -----------


def test_accepting_a_changed_agreement_again_within_minutes_is_recorded(circle):
    """Sam accepts, Jo changes the terms, Sam accepts the new version at once:
    that is a new acceptance, not the first one sent twice."""
    people, group, _share = circle
    client = _client(people["newcomer"])
    client.post(_url("agreement_accept", group.pk), {"version": "1"})
    GroupAgreement.write(group, people["facil"], quorum=2, **{**TERMS, "who_may_read": "Us."})

    page = client.get(_url("group", group.pk)).content.decode()
    assert 'name="version" value="2"' in page
    response = client.post(_url("agreement_accept", group.pk), {"version": "2"}, follow=True)

    assert "already sent" not in response.content.decode()
    assert GroupAgreement.objects.get(group=group).accepted_by(people["newcomer"])


def test_accepting_a_version_one_did_not_read_is_refused(circle):
    """The page showed version 1; the terms changed before the click."""
    people, group, _share = circle
    GroupAgreement.write(group, people["facil"], quorum=2, **{**TERMS, "who_may_read": "All."})

    response = _client(people["newcomer"]).post(
        _url("agreement_accept", group.pk), {"version": "1"}, follow=True
    )

    assert "changed after you opened it" in response.content.decode()
    assert not GroupAgreement.objects.get(group=group).accepted_by(people["newcomer"])


def test_agreeing_again_after_the_summary_changed_is_recorded(circle, session):
    people, _group, _share = circle
    summary = _draft(people, session)
    presenter = _client(people["presenter"])
    presenter.post(_url("summary_agree", summary.pk), {"revision": summary.revision})
    assert summary.edit(people["taker"], "New themes", "", summary.revision)

    response = presenter.post(
        _url("summary_agree", summary.pk), {"revision": summary.revision}, follow=True
    )

    assert "already sent" not in response.content.decode()
    assert summary.agreed_by(people["presenter"])


def test_agreeing_to_text_one_did_not_read_is_refused(circle, session):
    people, _group, _share = circle
    summary = _draft(people, session)
    read = summary.revision
    assert summary.edit(people["taker"], "Changed while the page was open", "", read)

    response = _client(people["presenter"]).post(
        _url("summary_agree", summary.pk), {"revision": read}
    )

    assert response.status_code == 409
    assert not summary.agreed_by(people["presenter"])


def test_a_group_supervisor_dated_back_reaches_no_summary_agreed_before_the_link(circle, session):
    """The lead links a second supervisor from a date months back: summaries the
    group agreed to share before that link was made stay with the first."""
    people, group, _share = circle
    summary = _draft(people, session)
    summary.agree(people["presenter"])
    summary.agree(people["taker"])
    assert summary.is_agreed
    GroupSupervisionLink.objects.create(
        group=group,
        supervisor=people["other_supervisor"],
        since=timezone.localdate() - timedelta(days=300),
    )

    assert _client(people["other_supervisor"]).get(_url("summary", summary.pk)).status_code == 404
    assert _client(people["supervisor"]).get(_url("summary", summary.pk)).status_code == 200


def test_who_attended_is_fixed_once_a_summary_is_drafted(circle, session):
    """Otherwise an attendee who would not agree could be taken off the record
    just before the last agreement."""
    people, _group, _share = circle
    _draft(people, session)
    page = _client(people["facil"]).get(_url("session_edit", session.pk)).content.decode()
    revision = IntervisionSession.objects.get(pk=session.pk).revision
    data = {
        "held_on": session.held_on.isoformat(),
        "duration": "60",
        "attendees": [people["facil"].pk, people["taker"].pk],
        "presenter": "",
        "facilitator": people["facil"].pk,
        "note_taker": people["taker"].pk,
        "revision": revision,
    }

    response = _client(people["facil"]).post(_url("session_edit", session.pk), data)

    assert "Attendees" in page
    assert response.status_code == 422
    assert "who attended is fixed" in response.content.decode()
    assert session.attendees.count() == 4


def test_the_form_says_plainly_when_someone_is_not_of_the_group(circle, session):
    people, _group, _share = circle
    data = {
        "held_on": timezone.localdate().isoformat(),
        "attendees": [people["facil"].pk, people["outsider"].pk],
    }

    response = _client(people["facil"]).post(_url("session_create", session.group_id), data)

    page = response.content.decode()
    assert response.status_code == 422
    assert "Choose people from this group." in page
    assert "is not one of the available choices" not in page
    form_page = _client(people["facil"]).get(_url("session_create", session.group_id))
    assert 'min="5"' in form_page.content.decode()


def test_admins_have_no_pages_of_a_groups_record(circle, session, admin_client):
    for model in ("intervisionsession", "supervisionsummary", "summaryconsent"):
        assert admin_client.get(f"/admin/intervision/{model}/").status_code == 404
