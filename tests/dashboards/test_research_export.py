"""The pseudonymised research export: one row per meeting, no text, small cells left out."""

import csv
import io
from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEvent
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
    return meetings


def test_rows_are_pseudonymised_and_small_cells_left_out(login, team_lead, team, month_of_meetings):
    response = login(team_lead).get(reverse("dashboards:research_export"))

    rows = rows_of(response)
    assert rows[0] == HEADER
    body = rows[1:]
    assert len(body) == 8  # March's 8 meetings; April's 7 are left out
    assert {row[0] for row in body} == {team_code(team.pk)}
    assert {row[1] for row in body} == {"2026-03"}
    assert body[0] == [team_code(team.pk), "2026-03", "yes", "yes", "peer with professional", "no"]
    assert body[1][2:5] == ["no", "no", "professional only"]
    text = b"".join(login(team_lead).get(reverse("dashboards:research_export")).streaming_content)
    assert MARKER.encode() not in text
    assert team.name.encode() not in text
    assert AuditEvent.objects.filter(action=Action.EXPORT, actor=team_lead).exists()


def test_the_export_is_streamed(login, team_lead, month_of_meetings):
    assert login(team_lead).get(reverse("dashboards:research_export")).streaming


@pytest.mark.parametrize("persona", ["author", "colleague", "supervisor", "outsider"])
def test_only_team_leads_and_admins_may_export(request, login, persona, month_of_meetings):
    response = login(request.getfixturevalue(persona)).get(reverse("dashboards:research_export"))

    assert response.status_code == 404


def test_admins_export_every_team(admin_client, month_of_meetings):
    assert len(rows_of(admin_client.get(reverse("dashboards:research_export")))) == 9
