"""Who reaches the dashboard and its export; what it never shows."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from dashboards import rollup
from dashboards.views import CSV_HEADER
from reflections.models import Disclosed, Disclosure, PrincipleNote
from supervision.models import Response, Share
from teams.models import Role
from tests.dashboards.conftest import meet
from tests.factories import MembershipFactory, NetworkFactory, ReflectionFactory

pytestmark = pytest.mark.django_db

PAGE = reverse("dashboards:dashboard")
EXPORT = reverse("dashboards:export")
MARKER = "MARKER-7f3a-never-on-a-dashboard"


def csv_of(response) -> str:
    return b"".join(response.streaming_content).decode()


@pytest.mark.parametrize("persona", ["team_lead", "admin"])
def test_team_leads_and_admins_reach_the_dashboard_and_export(request, login, persona, team):
    client = login(request.getfixturevalue(persona))

    page = client.get(PAGE)
    export = client.get(EXPORT + "?period=3")

    assert page.status_code == 200
    assert "Continuity of the core practitioners" in page.content.decode()
    assert export.status_code == 200
    assert export["Content-Type"] == "text/csv"
    assert export["Content-Disposition"].startswith("attachment;")
    assert csv_of(export).splitlines()[0] == ",".join(CSV_HEADER)


@pytest.mark.parametrize("persona", ["author", "colleague", "supervisor", "outsider"])
def test_everyone_else_gets_404(request, login, persona):
    client = login(request.getfixturevalue(persona))

    assert client.get(PAGE).status_code == 404
    assert client.get(EXPORT).status_code == 404


def test_anonymous_people_are_asked_to_sign_in(client):
    for url in (PAGE, EXPORT):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_a_team_lead_cannot_choose_another_team(login, team_lead, other_team):
    client = login(team_lead)

    page = client.get(PAGE, {"team": other_team.pk})

    assert "Choose one of your teams." in page.content.decode()
    assert "Continuity of the core practitioners" not in page.content.decode()
    assert client.get(EXPORT, {"team": other_team.pk}).status_code == 400


def test_a_lead_of_two_teams_sees_each_or_both(login, team_lead, team, other_team):
    MembershipFactory(user=team_lead, team=other_team, role=Role.TEAM_LEAD)

    page = login(team_lead).get(PAGE).content.decode()

    assert "All the teams I lead" in page
    assert "Riverside" in page
    assert "Hillside" in page


def test_the_menu_shows_dashboard_to_leads_and_admins_only(login, team_lead, author, admin):
    # Leads and admins land on the dashboard; the menu is the same on any page.
    timeline = reverse("reflections:timeline")
    assert ">Dashboard<" in login(team_lead).get(timeline).content.decode().replace(
        "\n", ""
    ).replace(" ", "")
    assert "Dashboard" not in login(author).get(reverse("home")).content.decode()
    assert "Dashboard" in login(admin).get(timeline).content.decode()


def test_no_response_contains_note_text_and_none_links_to_a_note(
    login, team, team_lead, author, supervisor
):
    network = NetworkFactory(team=team, opened_on=date(2024, 1, 1))
    now = timezone.now()
    for day in range(10):
        meeting = meet(network, now - timedelta(days=day + 1), peers=[author])
        reflection = ReflectionFactory(
            author=author, meeting=meeting, text=MARKER, written_at=now - timedelta(days=day)
        )
        PrincipleNote.objects.create(
            reflection=reflection, principle_id=reflection_principle(), text=MARKER
        )
        Disclosure.objects.create(
            reflection=reflection,
            disclosed=Disclosed.IN_DIALOGUE,
            what_shared=MARKER,
            what_guided=MARKER,
            emotional_cost=2,
        )
        share = Share.objects.create(reflection=reflection, supervisor=supervisor)
        Response.objects.create(share=share, author=supervisor, text=MARKER)
    rollup.refresh()
    client = login(team_lead)

    page = client.get(PAGE, {"period": "3"}).content.decode()
    export = csv_of(client.get(EXPORT, {"period": "3"}))

    assert "Principles reflected on" in page
    for body in (page, export):
        assert MARKER not in body
    results = page.split('id="results"')[1]
    assert "/reflections/" not in results
    assert "/supervision/" not in results


def reflection_principle() -> int:
    from principles.models import Principle

    return Principle.objects.peer_practice().first().pk


@pytest.mark.parametrize("rows", [3, 30])
def test_the_dashboard_runs_the_same_queries_at_any_size(
    login, team, team_lead, author, colleague, rows, django_assert_num_queries
):
    now = timezone.now()
    for index in range(rows):
        network = NetworkFactory(team=team, opened_on=date(2020, 1, 1))
        for day in range(3):
            meeting = meet(
                network,
                now - timedelta(days=index * 3 + day + 1),
                peers=[author],
                professionals=[colleague],
            )
            ReflectionFactory(author=author, meeting=meeting, written_at=meeting.starts_at)
    rollup.refresh()
    client = login(team_lead)

    # session, user, my teams, the rollup, the principles, the intervision
    # groups, the rollup's freshness: the same at 3 and 30 networks (continuity
    # is read from the rollup, no longer a live query of its own).
    with django_assert_num_queries(7):
        response = client.get(PAGE, {"period": "12"})
    assert response.status_code == 200
