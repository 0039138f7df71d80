"""A network of the author's team, with a member and a meeting both practitioners
attended."""

from datetime import timedelta

import pytest
from django.utils import timezone

from meetings.models import NetworkMeeting
from teams.models import Role
from tests.factories import (
    NetworkFactory,
    NetworkMeetingFactory,
    NetworkMemberFactory,
    PractitionerAttendanceFactory,
)


@pytest.fixture
def network(team):
    return NetworkFactory(team=team, reference="Birch")


@pytest.fixture
def member(network):
    return NetworkMemberFactory(network=network, name="Mum")


@pytest.fixture
def meeting(network, author, colleague, member) -> NetworkMeeting:
    meeting = NetworkMeetingFactory(network=network, starts_at=timezone.now() - timedelta(days=2))
    PractitionerAttendanceFactory(meeting=meeting, practitioner=author)
    PractitionerAttendanceFactory(meeting=meeting, practitioner=colleague, role=Role.PRACTITIONER)
    meeting.members_present.add(member)
    return meeting
