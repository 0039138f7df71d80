"""Fixtures for supervision tests.

make_supervisor   make_supervisor(email, team=None, frequency=None, time_zone=None): a
                  person with a supervisor role (in `team`, or a new team in `time_zone`)
                  and, if given, a DigestPreference
make_supervisee   make_supervisee(supervisor, email=...): a peer practitioner in the
                  supervisor's team, linked to them by a current SupervisionLink
share_note        share_note(author, supervisor=None, group=None, **share_fields,
                  wants_supervision=False): a finished note by `author`, shared
write_marker      write_marker(supervisor, marker): notes shared with the supervisor
                  and with a group they facilitate, with `marker` in every free-text
                  field there is (note, principle note, disclosure, response, addendum,
                  session actions, network reference, network member, the
                  supervisee's name and email, the group's name, and an
                  intervision session's notes and its agreed summary's themes,
                  questions and response, in that group, which they also supervise)
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from intervision.models import IntervisionSession, SupervisionSummary
from principles.models import Principle
from reflections.models import Disclosed, Disclosure, PrincipleNote, Status
from supervision.models import (
    Addendum,
    DigestPreference,
    Response,
    Share,
    SupervisionSession,
)
from teams.models import (
    GroupSupervisionLink,
    IntervisionGroup,
    Membership,
    Role,
    SupervisionLink,
)
from tests.factories import (
    NetworkFactory,
    NetworkMeetingFactory,
    NetworkMemberFactory,
    PractitionerAttendanceFactory,
    ReflectionFactory,
    TeamFactory,
    UserFactory,
)


@pytest.fixture
def make_supervisor(db):
    def make(email, team=None, frequency=None, time_zone=None):
        if team is None:
            team = TeamFactory(**({"time_zone": time_zone} if time_zone else {}))
        user = UserFactory(email=email)
        Membership.objects.create(user=user, team=team, role=Role.SUPERVISOR)
        if frequency:
            DigestPreference.objects.create(user=user, frequency=frequency)
        return user

    return make


@pytest.fixture
def make_supervisee(db):
    def make(supervisor, email=None, **names):
        team = Membership.objects.filter(user=supervisor, role=Role.SUPERVISOR).first().team
        user = UserFactory(**({"email": email} if email else {}), **names)
        Membership.objects.create(user=user, team=team, role=Role.PEER_PRACTITIONER)
        SupervisionLink.objects.create(
            supervisor=supervisor, supervisee=user, since=timezone.localdate() - timedelta(days=30)
        )
        return user

    return make


@pytest.fixture
def share_note(db):
    def share(author, supervisor=None, group=None, wants_supervision=False, **fields):
        reflection = ReflectionFactory(
            author=author,
            status=Status.FINAL,
            finished_at=timezone.now(),
            wants_supervision=wants_supervision,
        )
        return Share.objects.create(
            reflection=reflection, supervisor=supervisor, group=group, **fields
        )

    return share


@pytest.fixture
def write_marker(make_supervisee, share_note):
    def write(supervisor, marker):
        supervisee = make_supervisee(
            supervisor,
            email=f"{marker.lower()}.{supervisor.pk}@example.org",
            first_name=marker,
            last_name=marker,
        )
        team = supervisee.memberships.first().team
        network = NetworkFactory(team=team, reference=f"{marker}-{supervisor.pk}")
        member = NetworkMemberFactory(network=network, name=marker)
        meeting = NetworkMeetingFactory(network=network)
        PractitionerAttendanceFactory(meeting=meeting, practitioner=supervisee)
        meeting.members_present.add(member)

        to_supervisor = share_note(
            supervisee, supervisor=supervisor, wants_supervision=True, include_disclosure=True
        )
        reflection = to_supervisor.reflection
        reflection.meeting = meeting
        reflection.text = marker
        reflection.save()
        for principle in Principle.objects.all()[:2]:
            PrincipleNote.objects.create(reflection=reflection, principle=principle, text=marker)
        Disclosure.objects.create(
            reflection=reflection,
            disclosed=Disclosed.IN_DIALOGUE,
            what_shared=marker,
            what_guided=marker,
            emotional_cost=4,
        )
        Response.objects.create(share=to_supervisor, author=supervisor, text=marker)
        Addendum.objects.create(reflection=reflection, text=marker)
        session = SupervisionSession.objects.create(
            supervisor=supervisor, supervisee=supervisee, agreed_actions=marker
        )
        session.discussed.add(to_supervisor)

        group = IntervisionGroup.objects.create(
            team=team, name=f"{marker} group {supervisor.pk}", facilitator=supervisor
        )
        group.members.add(supervisee)
        to_group = share_note(supervisee, group=group)
        to_group.reflection.text = marker
        to_group.reflection.save()
        Response.objects.create(share=to_group, author=supervisee, text=marker)

        # The group's summary for supervision, agreed, which the supervisor (its
        # facilitator too) supervises: counted, never quoted.
        GroupSupervisionLink.objects.create(
            group=group, supervisor=supervisor, since=timezone.localdate() - timedelta(days=30)
        )
        iv_session = IntervisionSession(group=group, note_taker=supervisee, facilitator=supervisor)
        iv_session.record(supervisor, attendees=[supervisor, supervisee])
        iv_session.write_notes(supervisee, marker, based_on=iv_session.revision)
        summary = SupervisionSummary.draft(iv_session, supervisee, marker, marker)
        summary.agree(supervisee)
        summary.agree(supervisor)
        summary.respond(supervisor, marker)
        return supervisee

    return write
