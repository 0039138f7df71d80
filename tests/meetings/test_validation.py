"""The domain's validation rules give clear errors, in forms and on the model."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from meetings.models import (
    MemberAttendance,
    Network,
    NetworkMeeting,
    NetworkMember,
    PractitionerAttendance,
    Relationship,
)
from teams.models import Membership, Role
from tests.factories import (
    NetworkFactory,
    NetworkMeetingFactory,
    NetworkMemberFactory,
    PractitionerAttendanceFactory,
)

pytestmark = pytest.mark.django_db


def error_messages(excinfo: pytest.ExceptionInfo[ValidationError], field: str) -> list[str]:
    return excinfo.value.message_dict[field]


def test_a_meeting_before_its_network_opened_is_refused(team):
    network = NetworkFactory(team=team, opened_on=timezone.localdate())
    meeting = NetworkMeeting(
        network=network,
        starts_at=timezone.now() - timedelta(days=3),
        duration_minutes=60,
        place="home",
    )

    with pytest.raises(ValidationError) as excinfo:
        meeting.full_clean()

    (message,) = error_messages(excinfo, "starts_at")
    assert message.startswith("This is before the network opened on ")


def test_a_meeting_on_the_day_the_network_opened_is_fine(team):
    network = NetworkFactory(team=team, opened_on=timezone.localdate())
    meeting = NetworkMeeting(
        network=network, starts_at=timezone.now(), duration_minutes=60, place="home"
    )

    meeting.full_clean()


@pytest.mark.parametrize(
    ("minutes", "message"),
    [
        (0, "A meeting lasts at least 1 minute."),
        (601, "A meeting lasts at most 600 minutes (10 hours)."),
    ],
)
def test_a_duration_outside_1_to_600_minutes_is_refused(team, minutes, message):
    meeting = NetworkMeetingFactory.build(
        network=NetworkFactory(team=team), duration_minutes=minutes
    )

    with pytest.raises(ValidationError) as excinfo:
        meeting.full_clean()

    assert message in error_messages(excinfo, "duration_minutes")


@pytest.mark.parametrize("minutes", [1, 600])
def test_durations_at_the_limits_are_accepted(team, minutes):
    NetworkMeetingFactory.build(
        network=NetworkFactory(team=team), duration_minutes=minutes
    ).full_clean()


def test_the_database_refuses_a_duration_the_model_would_refuse(team):
    with pytest.raises(IntegrityError):
        NetworkMeetingFactory(network=NetworkFactory(team=team), duration_minutes=601)


def test_a_practitioner_from_another_team_is_refused(team, author, outsider):
    meeting = NetworkMeetingFactory(network=NetworkFactory(team=team))
    attendance = PractitionerAttendance(
        meeting=meeting, practitioner=outsider, role=Role.PEER_PRACTITIONER
    )

    with pytest.raises(ValidationError) as excinfo:
        attendance.full_clean()

    assert error_messages(excinfo, "practitioner") == [
        f"{outsider} is not a member of the team Riverside."
    ]


def test_a_practitioner_must_hold_the_role_they_attend_in(team, colleague):
    meeting = NetworkMeetingFactory(network=NetworkFactory(team=team))
    attendance = PractitionerAttendance(
        meeting=meeting, practitioner=colleague, role=Role.PEER_PRACTITIONER
    )

    with pytest.raises(ValidationError) as excinfo:
        attendance.full_clean()

    assert error_messages(excinfo, "role") == [
        f"{colleague} is not a peer practitioner in Riverside."
    ]


def test_attendance_is_checked_before_the_meeting_is_saved(team, outsider):
    """In an admin inline the meeting is not saved yet when attendance is validated."""
    network = NetworkFactory(team=team)
    meeting = NetworkMeeting(network=network, starts_at=timezone.now(), duration_minutes=60)
    attendance = PractitionerAttendance(
        meeting=meeting, practitioner=outsider, role=Role.PEER_PRACTITIONER
    )

    with pytest.raises(ValidationError):
        attendance.clean()


def test_a_network_reference_already_used_in_the_team_is_refused(team, other_team):
    NetworkFactory(team=team, reference="Birch")

    with pytest.raises(ValidationError) as excinfo:
        Network(team=team, reference="Birch").full_clean()

    assert excinfo.value.messages == ["This team already has a network with this reference."]
    # Another team may use the same reference.
    Network(team=other_team, reference="Birch").full_clean()


def test_a_network_cannot_close_before_it_opened(team):
    today = timezone.localdate()
    network = Network(team=team, reference="Oak", opened_on=today, closed_on=today - timedelta(1))

    with pytest.raises(ValidationError) as excinfo:
        network.full_clean()

    assert "A network cannot close before it opened." in excinfo.value.messages


def test_fewer_than_two_practitioners_is_a_warning_not_a_refusal(team, author, colleague):
    meeting = NetworkMeetingFactory(network=NetworkFactory(team=team))
    PractitionerAttendanceFactory(meeting=meeting, practitioner=author)

    meeting.full_clean()  # nothing refused
    assert meeting.practitioner_warning() == (
        "Only 1 practitioner recorded. Open Dialogue meets a network with at least 2 practitioners."
    )

    PractitionerAttendanceFactory(meeting=meeting, practitioner=colleague, role=Role.PRACTITIONER)
    assert meeting.practitioner_warning() is None


def test_the_old_kinds_of_member_are_no_longer_choices(team):
    network = NetworkFactory(team=team)

    for old in ("family", "agency"):
        with pytest.raises(ValidationError) as excinfo:
            NetworkMember(network=network, name="Someone", relationship=old).full_clean()
        assert error_messages(excinfo, "relationship") == [f"Value '{old}' is not a valid choice."]

    NetworkMember(
        network=network, name="Housing officer", relationship=Relationship.PROFESSIONAL_HOUSING
    ).full_clean()  # nothing refused


def test_a_network_member_attends_only_their_own_networks_meetings(team):
    meeting = NetworkMeetingFactory(network=NetworkFactory(team=team))
    stranger = NetworkMemberFactory(network=NetworkFactory(team=team))

    with pytest.raises(ValidationError) as excinfo:
        MemberAttendance(meeting=meeting, member=stranger).full_clean()

    assert error_messages(excinfo, "member") == ["This person belongs to another network."]


def test_a_practitioner_needs_a_discipline_and_only_practitioners_have_one(team, author):
    with pytest.raises(ValidationError) as excinfo:
        Membership(user=author, team=team, role=Role.PRACTITIONER).full_clean()
    assert error_messages(excinfo, "discipline") == ["Choose the practitioner's discipline."]

    with pytest.raises(ValidationError) as excinfo:
        Membership(user=author, team=team, role=Role.SUPERVISOR, discipline="nursing").full_clean()
    assert error_messages(excinfo, "discipline") == ["Only practitioners have a discipline."]


def test_one_person_may_hold_several_roles(team, author):
    Membership.objects.create(user=author, team=team, role=Role.SUPERVISOR)

    assert set(author.memberships.values_list("role", flat=True)) == {
        Role.PEER_PRACTITIONER,
        Role.SUPERVISOR,
    }


def test_whether_a_meeting_is_first_is_derived_from_the_data(team):
    network = NetworkFactory(team=team)
    now = timezone.now()
    second = NetworkMeetingFactory(network=network, starts_at=now - timedelta(days=2))
    first = NetworkMeetingFactory(network=network, starts_at=now - timedelta(days=9))
    other_networks = NetworkMeetingFactory(
        network=NetworkFactory(team=team), starts_at=now - timedelta(days=20)
    )

    annotated = {m.pk: m.is_first for m in NetworkMeeting.objects.with_is_first()}

    assert annotated == {first.pk: True, second.pk: False, other_networks.pk: True}
    assert (first.is_first, second.is_first) == (True, False)
