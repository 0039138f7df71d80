"""The rules of intervision records, at the model: who sees that a session took
place, who reads what was said, when a summary reaches the supervisor, and the
audit trail each change and read leaves (intervision/models.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from audit.models import Action, AuditEvent
from intervision.models import IntervisionSession, NotAllowed, SupervisionSummary
from reflections.models import Status
from supervision.models import Share
from teams.models import (
    GroupAgreement,
    GroupSupervisionLink,
    IntervisionGroup,
    Membership,
    Role,
)
from tests.factories import ReflectionFactory, UserFactory

pytestmark = pytest.mark.django_db

TERMS = {
    "what_is_recorded": "Dates, who came, themes.",
    "who_may_read": "Those who attended.",
    "confidentiality_limits": "Risk to someone's safety.",
    "taken_to_supervision": "Only a summary we agree.",
}


def _person(team, email, role=Role.PEER_PRACTITIONER):
    user = UserFactory(email=email)
    Membership.objects.create(user=user, team=team, role=role)
    return user


@pytest.fixture
def circle(team):
    """A group of three with a facilitator, an agreement all have accepted but the
    newcomer, a group supervisor, and a recorded session two of them attended."""
    people = {
        name: _person(team, f"{name}@example.org")
        for name in ("facilitator", "presenter", "note_taker", "absent", "newcomer")
    }
    people["supervisor"] = _person(team, "sup@example.org", Role.SUPERVISOR)
    people["other_supervisor"] = _person(team, "sup2@example.org", Role.SUPERVISOR)
    people["lead"] = _person(team, "lead@example.org", Role.TEAM_LEAD)
    group = IntervisionGroup.objects.create(
        team=team, name="Thursday circle", facilitator=people["facilitator"]
    )
    group.members.add(people["presenter"], people["note_taker"], people["absent"])
    agreement = GroupAgreement.write(group, people["facilitator"], quorum=None, **TERMS)
    for name in ("presenter", "note_taker", "absent"):
        agreement.accept(people[name])
    group.members.add(people["newcomer"])
    GroupSupervisionLink.objects.create(group=group, supervisor=people["supervisor"])
    note = ReflectionFactory(author=people["presenter"], status=Status.FINAL)
    share = Share.objects.create(reflection=note, group=group)
    session = IntervisionSession(
        group=group,
        held_on=timezone.localdate(),
        duration=60,
        presenter=people["presenter"],
        facilitator=people["facilitator"],
        note_taker=people["note_taker"],
    )
    attendees = [people["facilitator"], people["presenter"], people["note_taker"]]
    session.record(people["facilitator"], attendees, [share])
    return people, group, session


def test_members_who_accepted_see_that_a_session_took_place(circle):
    people, _group, session = circle
    seen = {
        name
        for name, user in people.items()
        if IntervisionSession.objects.visible_to(user).filter(pk=session.pk).exists()
    }
    assert seen == {"facilitator", "presenter", "note_taker", "absent"}


def test_only_those_who_attended_and_the_facilitator_read_what_was_said(circle):
    people, _group, session = circle
    readers = {
        name
        for name, user in people.items()
        if IntervisionSession.objects.notes_visible_to(user).filter(pk=session.pk).exists()
    }
    assert readers == {"facilitator", "presenter", "note_taker"}


def test_a_new_member_accepts_the_agreement_before_seeing_the_groups_records(circle):
    people, group, session = circle
    newcomer = people["newcomer"]
    assert group.needs_acceptance_from(newcomer)
    assert not Share.objects.visible_to(newcomer).filter(group=group).exists()

    group.agreement.accept(newcomer)

    assert not group.needs_acceptance_from(newcomer)
    assert Share.objects.visible_to(newcomer).filter(group=group).exists()
    assert IntervisionSession.objects.visible_to(newcomer).filter(pk=session.pk).exists()


def test_changing_the_terms_asks_everyone_to_accept_again(circle):
    people, group, _session = circle
    GroupAgreement.write(
        group, people["facilitator"], quorum=None, **{**TERMS, "who_may_read": "Attendees only."}
    )
    group.refresh_from_db()

    assert group.agreement.version == 2
    assert group.needs_acceptance_from(people["presenter"])
    assert not IntervisionSession.objects.visible_to(people["presenter"]).exists()
    # The facilitator who changed it has accepted the new version with the change.
    assert group.is_open_to(people["facilitator"])


def test_changing_only_the_quorum_keeps_acceptances(circle):
    people, group, _session = circle
    GroupAgreement.write(group, people["facilitator"], quorum=2, **TERMS)

    assert GroupAgreement.objects.get(group=group).version == 1
    assert group.is_open_to(people["presenter"])


def test_only_the_facilitator_writes_the_agreement(circle):
    people, group, _session = circle
    with pytest.raises(ValidationError):
        GroupAgreement.write(group, people["presenter"], quorum=None, **TERMS)


def test_a_former_member_sees_nothing(circle):
    people, group, _session = circle
    group.members.remove(people["presenter"])

    assert not IntervisionSession.objects.visible_to(people["presenter"]).exists()
    assert not IntervisionSession.objects.notes_visible_to(people["presenter"]).exists()


def test_only_the_note_taker_writes_the_notes_and_a_stale_save_writes_nothing(circle):
    people, _group, session = circle
    with pytest.raises(NotAllowed):
        session.write_notes(people["presenter"], "mine", session.revision)

    assert session.write_notes(people["note_taker"], "What we heard.", session.revision)
    assert not session.write_notes(people["note_taker"], "Older tab.", session.revision - 1)
    session.refresh_from_db()
    assert session.notes == "What we heard."


def test_only_notes_shared_with_the_group_can_be_brought(circle, team):
    people, _group, session = circle
    other = IntervisionGroup.objects.create(team=team, name="Other", facilitator=people["absent"])
    other.members.add(people["presenter"])
    elsewhere = Share.objects.create(
        reflection=ReflectionFactory(author=people["presenter"], status=Status.FINAL), group=other
    )
    with pytest.raises(ValidationError):
        session.record(people["facilitator"], session.attendees.all(), [elsewhere])


def test_roles_are_taken_by_people_who_attended(circle):
    people, _group, session = circle
    with pytest.raises(ValidationError) as refused:
        session.clean_people([people["facilitator"]], people["absent"], None, None)
    assert "presenter" in refused.value.message_dict


def _summary(people, session):
    return SupervisionSummary.draft(
        session, people["note_taker"], "Themes we heard", "What would you ask?"
    )


def test_the_summary_reaches_the_supervisor_only_when_everyone_who_attended_agrees(circle):
    people, _group, session = circle
    summary = _summary(people, session)
    supervisor = people["supervisor"]

    assert not SupervisionSummary.objects.visible_to(supervisor).exists()
    assert not summary.agree(people["facilitator"])
    assert not summary.agree(people["presenter"])
    assert not SupervisionSummary.objects.visible_to(supervisor).exists()
    assert summary.agree(people["note_taker"])

    assert SupervisionSummary.objects.awaiting_review_by(supervisor).get() == summary
    assert not SupervisionSummary.objects.visible_to(people["other_supervisor"]).exists()
    assert not SupervisionSummary.objects.visible_to(people["lead"]).exists()


def test_a_quorum_set_in_the_agreement_is_enough(circle):
    people, group, session = circle
    GroupAgreement.write(group, people["facilitator"], quorum=2, **TERMS)
    summary = _summary(people, session)

    summary.agree(people["presenter"])
    assert summary.agree(people["note_taker"])


def test_those_who_did_not_attend_cannot_agree(circle):
    people, _group, session = circle
    summary = _summary(people, session)
    with pytest.raises(NotAllowed):
        summary.agree(people["absent"])


def test_editing_the_draft_withdraws_agreements_given_to_the_old_text(circle):
    people, _group, session = circle
    summary = _summary(people, session)
    summary.agree(people["presenter"])

    assert summary.edit(people["note_taker"], "New themes", "", summary.revision)
    assert summary.consents.count() == 0


def test_an_agreed_summary_is_not_changed(circle):
    people, group, session = circle
    GroupAgreement.write(group, people["facilitator"], quorum=1, **TERMS)
    summary = _summary(people, session)
    summary.agree(people["presenter"])
    with pytest.raises(NotAllowed):
        summary.edit(people["note_taker"], "Later", "", summary.revision)


def test_a_supervisor_linked_after_agreement_or_no_longer_linked_sees_nothing(circle):
    people, group, session = circle
    GroupAgreement.write(group, people["facilitator"], quorum=1, **TERMS)
    summary = _summary(people, session)
    summary.agree(people["presenter"])
    tomorrow = timezone.localdate() + timedelta(days=1)
    GroupSupervisionLink.objects.create(
        group=group, supervisor=people["other_supervisor"], since=tomorrow
    )
    assert not SupervisionSummary.objects.visible_to(
        people["other_supervisor"], on=tomorrow
    ).exists()

    GroupSupervisionLink.objects.filter(supervisor=people["supervisor"]).update(
        until=timezone.localdate()
    )
    assert not SupervisionSummary.objects.visible_to(people["supervisor"], on=tomorrow).exists()


def test_the_supervisor_responds_once_and_marks_reviewed(circle):
    people, group, session = circle
    GroupAgreement.write(group, people["facilitator"], quorum=1, **TERMS)
    summary = _summary(people, session)
    summary.agree(people["presenter"])
    supervisor = people["supervisor"]

    summary.respond(supervisor, "Thank you; let us talk about pacing.")
    with pytest.raises(NotAllowed):
        summary.respond(supervisor, "Again")
    assert summary.mark_reviewed(supervisor)
    assert not summary.mark_reviewed(supervisor)
    with pytest.raises(NotAllowed):
        summary.respond(people["presenter"], "Not mine to give")
    summary.refresh_from_db()
    assert summary.response == "Thank you; let us talk about pacing."


def test_every_change_and_every_read_by_anyone_but_its_author_is_audited(circle):
    people, _group, session = circle
    session.write_notes(people["note_taker"], "Said in the room.", session.revision)
    session.notes_read_by(people["note_taker"])  # its author: not kept
    session.notes_read_by(people["presenter"])
    summary = _summary(people, session)
    summary.read_by(people["facilitator"])

    actions = list(
        AuditEvent.objects.filter(detail__intervision_session_id=session.pk)
        .order_by("at", "pk")
        .values_list("action", "actor")
    )
    assert actions == [
        (Action.IV_SESSION, people["facilitator"].pk),
        (Action.IV_NOTES, people["note_taker"].pk),
        (Action.IV_NOTES_READ, people["presenter"].pk),
        (Action.IV_SUMMARY, people["note_taker"].pk),
        (Action.IV_SUMMARY_READ, people["facilitator"].pk),
    ]
    # Ids only, never the text.
    for event in AuditEvent.objects.all():
        assert "Said in the room" not in str(event.detail)
        assert "Themes we heard" not in str(event.detail)


def test_the_group_notes_are_encrypted_at_rest(circle):
    from django.db import connection

    people, _group, session = circle
    session.write_notes(people["note_taker"], "Plain words here", session.revision)
    _summary(people, session)
    with connection.cursor() as cursor:
        cursor.execute("SELECT notes FROM intervision_intervisionsession")
        stored = cursor.fetchone()[0]
        cursor.execute("SELECT themes FROM intervision_supervisionsummary")
        themes = cursor.fetchone()[0]
    assert "Plain words" not in stored
    assert "Themes we heard" not in themes


def test_someone_who_attended_and_left_stays_on_the_record_and_is_not_waited_for(circle):
    people, group, session = circle
    group.members.remove(people["presenter"])

    session.clean_people(session.attendees.all(), None, None, people["note_taker"])
    summary = _summary(people, session)
    summary.agree(people["facilitator"])
    assert summary.agree(people["note_taker"])


def test_agreeing_twice_counts_once(circle):
    people, _group, session = circle
    summary = _summary(people, session)
    summary.agree(people["presenter"])

    assert not summary.can_agree(people["presenter"])
    assert not summary.agree(people["presenter"])
    assert summary.consents.count() == 1
    assert AuditEvent.objects.filter(action=Action.IV_AGREE).count() == 1
