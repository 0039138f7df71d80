"""A person's data download carries what they wrote in intervision, and only that."""

import json

import pytest

from data_rights.export import everything_about
from intervision.models import SupervisionSummary
from teams.models import GroupAgreement
from tests.intervision.test_models import TERMS, circle  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db


def _export(user) -> dict:
    return json.loads("".join(everything_about(user)))


def test_the_note_taker_takes_away_their_notes_and_draft_others_do_not(circle):  # noqa: F811
    people, group, session = circle
    session.write_notes(people["note_taker"], "Notes-marker", session.revision)
    GroupAgreement.write(group, people["facilitator"], quorum=1, **TERMS)
    summary = SupervisionSummary.draft(session, people["note_taker"], "Themes-marker", "")
    summary.agree(people["presenter"])
    summary.respond(people["supervisor"], "Response-marker")

    note_taker = _export(people["note_taker"])
    presenter = json.dumps(_export(people["presenter"]))
    supervisor = _export(people["supervisor"])

    assert [n["notes"] for n in note_taker["intervision_notes_i_wrote"]] == ["Notes-marker"]
    assert note_taker["supervision_summaries"][0]["themes"] == "Themes-marker"
    assert "Notes-marker" not in presenter and "Themes-marker" not in presenter
    assert supervisor["supervision_summaries"][0]["response"] == "Response-marker"
    assert supervisor["supervision_summaries"][0]["themes"] is None
