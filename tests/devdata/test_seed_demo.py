import pytest
from django.core.management import CommandError, call_command

from devdata.demo import DEMO_PASSWORD, DEMO_PEOPLE
from meetings.models import Network, NetworkMeeting, NetworkMember, PractitionerAttendance
from reflections.models import PrincipleNote, Reflection
from supervision.models import Response, Share
from teams.models import Membership, Role, SupervisionLink, User

pytestmark = pytest.mark.django_db


def counts() -> dict[str, int]:
    models = [
        User,
        Membership,
        SupervisionLink,
        Network,
        NetworkMember,
        NetworkMeeting,
        PractitionerAttendance,
        Reflection,
        PrincipleNote,
        Share,
        Response,
    ]
    return {model.__name__: model.objects.count() for model in models}


def test_seed_demo_twice_gives_the_same_counts(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    first = counts()

    call_command("seed_demo")

    assert counts() == first
    assert first["User"] == len(DEMO_PEOPLE) == 9
    assert first["Network"] == 12
    assert 45 <= first["NetworkMeeting"] <= 75
    assert first["Reflection"] > 0
    assert first["PrincipleNote"] > 0
    assert first["Share"] > 0
    assert first["Response"] > 0


def test_demo_team_has_the_people_the_story_needs(settings):
    settings.DEBUG = True
    call_command("seed_demo")

    roles = list(Membership.objects.values_list("role", flat=True))
    assert roles.count(Role.PEER_PRACTITIONER) == 3
    assert roles.count(Role.PRACTITIONER) == 3
    assert roles.count(Role.SUPERVISOR) == 1
    assert roles.count(Role.TEAM_LEAD) == 1
    disciplines = set(
        Membership.objects.filter(role=Role.PRACTITIONER).values_list("discipline", flat=True)
    )
    assert len(disciplines) == 3
    assert User.objects.get(email="admin@example.org").is_superuser
    assert User.objects.get(email="alex.peer@example.org").check_password(DEMO_PASSWORD)


def test_demo_attendance_is_realistic(settings):
    settings.DEBUG = True
    call_command("seed_demo")

    first_meetings = NetworkMeeting.objects.with_is_first().filter(is_first_meeting=True)
    first_without_peer = first_meetings.exclude(
        practitioner_attendances__role=Role.PEER_PRACTITIONER
    )
    assert first_without_peer.exists()
    # Some networks have one peer at every meeting.
    constant = [
        network
        for network in Network.objects.all()
        if len(
            {
                a.practitioner_id
                for a in PractitionerAttendance.objects.filter(
                    meeting__network=network, role=Role.PEER_PRACTITIONER
                )
            }
        )
        == 1
        and not network.meetings.exclude(
            practitioner_attendances__role=Role.PEER_PRACTITIONER
        ).exists()
    ]
    assert len(constant) >= 4
    for meeting in NetworkMeeting.objects.all():
        meeting.full_clean()


def test_seed_demo_refuses_when_debug_is_off(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="only runs with DEBUG on"):
        call_command("seed_demo")

    assert User.objects.count() == 0
