"""The pseudonymised research export: the dashboard's published cells by team code and
month, no text, no row per meeting."""

import csv
import io
from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEvent
from dashboards import rollup
from dashboards.research import HEADER, team_code
from teams.models import Role
from tests.factories import (
    NetworkFactory,
    NetworkMeetingFactory,
    PractitionerAttendanceFactory,
    ReflectionFactory,
)

pytestmark = pytest.mark.django_db

MARKER = "Marker-research-5e1f"


def rows_of(response):
    text = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(text)))


@pytest.fixture
def month_of_meetings(team, author, colleague):
    """Eight meetings in one month (shown) and seven in the next (left out)."""
    start = timezone.make_aware(datetime(2026, 3, 2, 10, 0))
    network = NetworkFactory(team=team, reference=MARKER[:40], opened_on=start.date())
    meetings = []
    for day in range(15):
        when = start + timedelta(days=day if day < 8 else 30 + day)
        meeting = NetworkMeetingFactory(network=network, starts_at=when)
        PractitionerAttendanceFactory(
            meeting=meeting, practitioner=colleague, role=Role.PRACTITIONER
        )
        if day % 2 == 0:
            PractitionerAttendanceFactory(meeting=meeting, practitioner=author)
        meetings.append(meeting)
    ReflectionFactory(author=author, meeting=meetings[0], text=MARKER)
    rollup.refresh()  # as beat does (with a broker, the export does not refresh it)
    return meetings


def test_rows_are_pseudonymised_published_counts(login, team_lead, team, month_of_meetings):
    response = login(team_lead).get(reverse("dashboards:research_export"))

    rows = rows_of(response)
    assert rows[0] == HEADER == ["team_code", "month", "figure", "count", "status"]
    body = {(row[1], row[2]): row[3:] for row in rows[1:]}
    assert {row[0] for row in rows[1:]} == {team_code(team.pk)}
    # March: 8 meetings with a professional, 4 of them with the peer too.
    assert body[("2026-03", "meetings: peer with professional")] == ["", "fewer than 8"]
    assert body[("2026-03", "meetings: professional only")] == ["", "fewer than 8"]
    assert body[("2026-03", "meetings: peer only")] == ["0", "shown"]
    assert body[("2026-03", "first meetings with a peer")] == ["", "fewer than 8"]
    # April: 7 meetings, 4 of them with the peer.
    assert body[("2026-04", "meetings: professional only")] == ["", "fewer than 8"]
    text = b"".join(login(team_lead).get(reverse("dashboards:research_export")).streaming_content)
    assert MARKER.encode() not in text
    assert team.name.encode() not in text
    assert AuditEvent.objects.filter(action=Action.EXPORT, actor=team_lead).exists()


def test_no_count_from_1_to_7_can_be_read_off_the_rows(login, team_lead, month_of_meetings):
    """Found by testing: one row per meeting let anyone count March's rows with
    the peer present (4) back to an exact small number. Every count in the
    export is 0, hidden, or 8 or more rounded to 5."""
    rows = rows_of(login(team_lead).get(reverse("dashboards:research_export")))[1:]

    counts = [int(row[3]) for row in rows if row[3]]
    assert counts
    assert all(count == 0 or (count >= 10 and count % 5 == 0) for count in counts)
    assert len(rows) == len({(row[0], row[1], row[2]) for row in rows})


def test_the_export_is_streamed(login, team_lead, month_of_meetings):
    assert login(team_lead).get(reverse("dashboards:research_export")).streaming


@pytest.mark.parametrize("persona", ["author", "colleague", "supervisor", "outsider"])
def test_only_team_leads_and_admins_may_export(request, login, persona, month_of_meetings):
    response = login(request.getfixturevalue(persona)).get(reverse("dashboards:research_export"))

    assert response.status_code == 404


def test_admins_export_every_team(admin_client, month_of_meetings):
    rows = rows_of(admin_client.get(reverse("dashboards:research_export")))
    # Two team-months of the one team, seven figures each, and the header.
    assert len(rows) == 1 + 2 * 7
