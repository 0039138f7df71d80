import pytest

from principles.models import Principle
from teams.models import Role
from tests.factories import NetworkFactory, NetworkMeetingFactory, PractitionerAttendanceFactory


@pytest.fixture
def meeting(team, author, colleague):
    """A meeting of the Birch network that the author and the colleague attended."""
    meeting = NetworkMeetingFactory(network=NetworkFactory(team=team, reference="Birch"))
    PractitionerAttendanceFactory(meeting=meeting, practitioner=author)
    PractitionerAttendanceFactory(meeting=meeting, practitioner=colleague, role=Role.PRACTITIONER)
    return meeting


@pytest.fixture
def principles(db):
    return list(Principle.objects.peer_practice())


def form_data(**overrides):
    """A complete, valid reflection form, as a browser would post it."""
    data = {
        "text": "",
        "disclosed": "",
        "what_shared": "",
        "what_guided": "",
        "felt_safe": "",
        "colleague_response": "",
        "emotional_cost": "",
        "wellbeing": "",
    }
    for slug in ("attunement", "validation", "connection-and-mutuality", "self-disclosure"):
        data[f"note_{slug}"] = ""
        data[f"presence_{slug}"] = ""
    data.update(overrides)
    return data
