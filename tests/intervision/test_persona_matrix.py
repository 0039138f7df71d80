"""Who reaches which intervision page, as each of the people the step names.

Personas: a member who attended, the note-taker (the record's author), a member
who did not attend, a former member (who attended an earlier session, then
left), a new member who has not accepted the agreement, the group's facilitator,
the group's supervisor before and after the summary is agreed, another
supervisor, the team lead and an admin. SESSION_MARKER is in the group's notes
of the session, SUMMARY_MARKER in the summary: each may appear only where the
rule allows (IntervisionSession.objects.notes_visible_to,
SupervisionSummary.objects.visible_to).
"""

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
from teams.models import GroupAgreement, GroupSupervisionLink, IntervisionGroup, Membership, Role
from tests.factories import ReflectionFactory, UserFactory
from tests.totp import activate_totp

pytestmark = pytest.mark.django_db

SESSION_MARKER = "Session-marker-5e55"
SUMMARY_MARKER = "Summary-marker-5077"
TERMS = {
    "what_is_recorded": "Dates, who came, themes.",
    "who_may_read": "Those who attended.",
    "confidentiality_limits": "Risk to someone's safety.",
    "taken_to_supervision": "Only a summary we agree.",
}


def _person(team, email, role=Role.PEER_PRACTITIONER, **extra):
    user = UserFactory(email=email, **extra)
    if team is not None:
        Membership.objects.create(user=user, team=team, role=role)
    return user


@pytest.fixture
def world(team):
    people = {
        name: _person(team, f"{name}@example.org")
        for name in ("attended", "note_taker", "absent", "former", "newcomer", "facilitator")
    }
    for name in ("group_supervisor", "other_supervisor"):
        people[name] = _person(team, f"{name}@example.org", Role.SUPERVISOR)
    people["team_lead"] = _person(team, "lead@example.org", Role.TEAM_LEAD)
    people["admin"] = _person(None, "admin@example.org", is_staff=True, is_superuser=True)
    group = IntervisionGroup.objects.create(
        team=team, name="Tuesday circle", facilitator=people["facilitator"]
    )
    members = [people[name] for name in ("attended", "note_taker", "absent", "former")]
    group.members.add(*members)
    agreement = GroupAgreement.write(group, people["facilitator"], quorum=None, **TERMS)
    for member in members:
        agreement.accept(member)
    group.members.add(people["newcomer"])
    GroupSupervisionLink.objects.create(
        group=group,
        supervisor=people["group_supervisor"],
        since=timezone.localdate() - timedelta(days=30),
    )
    share = Share.objects.create(
        reflection=ReflectionFactory(author=people["attended"], status=Status.FINAL), group=group
    )
    session = IntervisionSession(
        group=group,
        held_on=timezone.localdate(),
        duration=90,
        presenter=people["attended"],
        facilitator=people["facilitator"],
        note_taker=people["note_taker"],
    )
    attendees = [people[name] for name in ("attended", "note_taker", "facilitator", "former")]
    session.record(people["facilitator"], attendees, [share])
    session.write_notes(people["note_taker"], SESSION_MARKER, session.revision)
    summary = SupervisionSummary.draft(session, people["note_taker"], SUMMARY_MARKER, "")
    group.members.remove(people["former"])
    return people, group, session, summary


def _agree(world) -> None:
    people, _group, _session, summary = world
    for name in ("attended", "note_taker", "facilitator"):
        summary.agree(people[name])
    assert summary.is_agreed


def _client(user) -> Client:
    client = Client()
    if must_use_mfa(user) and not has_totp(user):
        activate_totp(user)
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def _get(user, url: str) -> tuple[int, str]:
    response = _client(user).get(url)
    return response.status_code, response.content.decode()


EVERYONE = [
    "attended",
    "note_taker",
    "absent",
    "former",
    "newcomer",
    "facilitator",
    "group_supervisor",
    "other_supervisor",
    "team_lead",
    "admin",
]
ATTENDED = {"attended", "note_taker", "facilitator"}
GROUP = {"attended", "note_taker", "absent", "facilitator"}


@pytest.mark.parametrize("persona", EVERYONE)
def test_the_sessions_notes(world, persona):
    people, _group, session, _summary = world
    status, body = _get(people[persona], session.get_absolute_url())

    assert status == (200 if persona in ATTENDED else 404)
    assert (SESSION_MARKER in body) == (persona in ATTENDED)


@pytest.mark.parametrize("persona", EVERYONE)
def test_the_groups_page(world, persona):
    """Members see that the session took place; only attendees get a link to it; a
    new member sees the agreement and nothing of the records until they accept."""
    people, group, session, summary = world
    status, body = _get(people[persona], reverse("intervision:group", args=[group.pk]))

    assert status == (200 if persona in GROUP | {"newcomer"} else 404)
    assert SESSION_MARKER not in body and SUMMARY_MARKER not in body
    assert (session.get_absolute_url() in body) == (persona in ATTENDED)
    # The summary is the group's: every member who accepted the agreement.
    assert (summary.get_absolute_url() in body) == (persona in GROUP)
    if persona == "newcomer":
        assert "I accept" in body


@pytest.mark.parametrize("agreed", [False, True], ids=["before agreement", "after agreement"])
@pytest.mark.parametrize("persona", EVERYONE)
def test_the_summary(world, persona, agreed):
    people, _group, _session, summary = world
    if agreed:
        _agree(world)
    readers = GROUP | ({"group_supervisor"} if agreed else set())

    status, body = _get(people[persona], summary.get_absolute_url())

    assert status == (200 if persona in readers else 404)
    assert (SUMMARY_MARKER in body) == (persona in readers)


def test_the_supervisor_inbox_lists_the_summary_only_once_agreed(world):
    people, _group, _session, summary = world
    inbox = reverse("supervision:inbox")
    supervisor = people["group_supervisor"]

    assert summary.get_absolute_url() not in _get(supervisor, inbox)[1]
    _agree(world)
    _status, body = _get(supervisor, inbox)
    assert summary.get_absolute_url() in body
    assert SUMMARY_MARKER not in body
    assert summary.get_absolute_url() not in _get(people["other_supervisor"], inbox)[1]


def test_reading_the_notes_or_the_summary_is_audited_for_everyone_but_its_author(world):
    people, _group, session, summary = world
    _get(people["note_taker"], session.get_absolute_url())
    _get(people["attended"], session.get_absolute_url())
    _get(people["note_taker"], summary.get_absolute_url())
    _get(people["absent"], summary.get_absolute_url())

    reads = AuditEvent.objects.filter(
        action__in=[Action.IV_NOTES_READ, Action.IV_SUMMARY_READ]
    ).values_list("action", "actor")
    assert sorted(reads) == sorted(
        [
            (Action.IV_NOTES_READ, people["attended"].pk),
            (Action.IV_SUMMARY_READ, people["absent"].pk),
        ]
    )


def test_no_log_line_carries_the_notes_or_the_summary(world, caplog):
    """Every page of the record, and every action on it, as each persona, with
    logging at DEBUG: neither text reaches a log line (tasks take ids only, and
    only the beat enqueues: tests/supervision/test_digest.py)."""
    people, group, session, summary = world
    caplog.set_level("DEBUG")
    pages = [
        session.get_absolute_url(),
        summary.get_absolute_url(),
        reverse("intervision:group", args=[group.pk]),
        reverse("intervision:summary_draft", args=[session.pk]),
        reverse("supervision:inbox"),
    ]
    _agree(world)
    for persona in EVERYONE:
        for page in pages:
            _get(people[persona], page)
    _client(people["group_supervisor"]).post(
        reverse("intervision:summary_respond", args=[summary.pk]),
        {"response": "Response-marker-7e57"},
    )

    assert "Response-marker-7e57" in SupervisionSummary.objects.get().response
    for marker in (SESSION_MARKER, SUMMARY_MARKER, "Response-marker-7e57"):
        assert marker not in caplog.text
