import pytest

from principles.models import Principle


@pytest.fixture
def principles(db):
    return list(Principle.objects.peer_practice())


def form_data(**overrides):
    """A complete, valid reflection form, as a browser would post it."""
    data = {
        # The revision the form was loaded from: a new reflection's first.
        "revision": "1",
        # Named by the page beside each checkbox, ticked or not (templates/forms/field.html).
        "_fields": "wants_supervision",
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
