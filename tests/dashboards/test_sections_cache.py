"""The dashboard's rendered sections are kept in the cache (dashboards.dashboard.sections_html).

Keyed by the rollup refresh, the teams, the period, the live rows the measures
name and the code: a new refresh shows its figures at once, a renamed group too,
and who may see which teams is still checked on every request, before the cache
is asked for anything.
"""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from dashboards import dashboard, rollup
from teams.models import IntervisionGroup, Membership, Role
from tests.dashboards.conftest import meet
from tests.factories import MembershipFactory, NetworkFactory, UserFactory

pytestmark = pytest.mark.django_db

PAGE = reverse("dashboards:dashboard")
GROUP = "Oakwood reflecting circle"


@pytest.fixture(autouse=True)
def beat(settings):
    # With a beat (a broker), the page leaves the rollup to it: only
    # rollup.refresh() in a test makes new figures.
    settings.CELERY_TASK_ALWAYS_EAGER = False


@pytest.fixture
def builds(monkeypatch):
    """How many times the sections were built (not read from the cache)."""
    calls = []
    build = dashboard.build

    def counting(*args, **kwargs):
        calls.append(args)
        return build(*args, **kwargs)

    monkeypatch.setattr(dashboard, "build", counting)
    return calls


@pytest.fixture
def group(team, team_lead):
    return IntervisionGroup.objects.create(team=team, name=GROUP, facilitator=team_lead)


def network_meetings(page: str) -> str:
    """The whole period's "Network meetings" figure, as the page prints it."""
    section = page.split('id="peer-present"')[1]
    return re.search(r"Network meetings</dt>\s*<dd[^>]*>([^<]*)</dd>", section).group(1)


def add_meetings(team, author, count: int) -> None:
    network = NetworkFactory(team=team, opened_on=date(2020, 1, 1))
    now = timezone.now()
    for day in range(count):
        meet(network, now - timedelta(days=day + 1), peers=[author])


def test_the_sections_come_from_the_cache_until_the_rollup_refreshes(
    login, team, team_lead, author, builds
):
    rollup.refresh()
    client = login(team_lead)

    first = client.get(PAGE, {"period": "12"}).content.decode()
    assert network_meetings(first) == "0"
    assert len(builds) == 1

    # New meetings, not yet in the rollup: the page is the cached one.
    add_meetings(team, author, 10)
    again = client.get(PAGE, {"period": "12"}).content.decode()
    assert network_meetings(again) == "0"
    assert len(builds) == 1

    # The rollup refreshes: a new key, and the new figure at once.
    rollup.refresh()
    refreshed = client.get(PAGE, {"period": "12"}).content.decode()
    assert network_meetings(refreshed) == "10"
    assert len(builds) == 2


def test_each_period_and_team_choice_has_its_own_entry(
    login, team, other_team, team_lead, author, builds
):
    MembershipFactory(user=team_lead, team=other_team, role=Role.TEAM_LEAD)
    add_meetings(team, author, 10)
    rollup.refresh()
    client = login(team_lead)

    both = network_meetings(client.get(PAGE, {"period": "12"}).content.decode())
    riverside = network_meetings(client.get(PAGE, {"team": team.pk}).content.decode())
    hillside = network_meetings(client.get(PAGE, {"team": other_team.pk}).content.decode())
    client.get(PAGE, {"team": team.pk, "period": "3"})

    assert (both, riverside, hillside) == ("10", "10", "0")
    assert len(builds) == 4


def test_a_renamed_group_shows_without_waiting_for_a_refresh(login, team_lead, group, builds):
    rollup.refresh()
    client = login(team_lead)
    assert GROUP in client.get(PAGE).content.decode()

    group.name = "Birch circle"
    group.save()

    page = client.get(PAGE).content.decode()
    assert "Birch circle" in page
    assert GROUP not in page
    assert len(builds) == 2


def test_the_htmx_fragment_and_the_page_share_the_sections(login, team_lead, group, builds):
    rollup.refresh()
    client = login(team_lead)

    page = client.get(PAGE).content.decode()
    fragment = client.get(PAGE, headers={"HX-Request": "true"}).content.decode()

    assert GROUP in fragment
    assert fragment.strip().startswith('<div id="results"')
    assert page.split('id="peer-present"')[1].split("</section>")[0] in fragment
    assert len(builds) == 1


def test_the_cache_never_shows_a_team_to_a_lead_of_another_team(
    login, team, other_team, team_lead, author, group
):
    add_meetings(team, author, 10)
    rollup.refresh()
    warm = login(team_lead).get(PAGE, {"team": team.pk}).content.decode()
    assert GROUP in warm
    assert network_meetings(warm) == "10"

    other_lead = UserFactory(email="other-lead@example.org")
    MembershipFactory(user=other_lead, team=other_team, role=Role.TEAM_LEAD)
    client = login(other_lead)

    # Asking for the team by its id: the form refuses it, and nothing of it shows.
    asked = client.get(PAGE, {"team": team.pk})
    assert asked.status_code == 422
    assert "Choose one of your teams." in asked.content.decode()
    assert GROUP not in asked.content.decode()
    assert 'id="peer-present"' not in asked.content.decode()
    assert client.get(PAGE, {"team": team.pk}, headers={"HX-Request": "true"}).status_code == 422

    # Their own team's page is their team's figures, not the cached ones.
    own = client.get(PAGE).content.decode()
    assert GROUP not in own
    assert network_meetings(own) == "0"


@pytest.mark.parametrize("persona", ["author", "outsider", "supervisor"])
def test_anyone_who_leads_no_team_gets_404_with_the_cache_warm(
    request, login, team, team_lead, group, persona
):
    rollup.refresh()
    assert GROUP in login(team_lead).get(PAGE, {"team": team.pk}).content.decode()

    client = login(request.getfixturevalue(persona))

    assert client.get(PAGE, {"team": team.pk}).status_code == 404
    assert client.get(PAGE).status_code == 404


def test_a_lead_who_steps_down_gets_404_with_the_cache_warm(login, team, team_lead, group):
    rollup.refresh()
    client = login(team_lead)
    assert GROUP in client.get(PAGE, {"team": team.pk}).content.decode()

    Membership.objects.filter(user=team_lead, team=team, role=Role.TEAM_LEAD).delete()

    assert client.get(PAGE, {"team": team.pk}).status_code == 404


def test_nothing_is_cached_before_the_first_refresh(login, team_lead, author, team, builds):
    client = login(team_lead)
    client.get(PAGE)
    client.get(PAGE)
    assert len(builds) == 2


def test_the_key_holds_everything_the_sections_depend_on(team, other_team, group):
    refreshed = rollup.refresh()
    period = dashboard.Period(date(2025, 1, 1), date(2025, 3, 31))
    live = dashboard.Live.read([team.pk])
    key = dashboard.cache_key([team.pk], period, refreshed, live)

    later = rollup.refresh()
    assert dashboard.cache_key([team.pk], period, later, live) != key
    assert dashboard.cache_key([other_team.pk], period, refreshed, live) != key
    assert dashboard.cache_key([team.pk, other_team.pk], period, refreshed, live) != key
    longer = dashboard.Period(date(2025, 1, 1), date(2025, 4, 30))
    assert dashboard.cache_key([team.pk], longer, refreshed, live) != key
    group.name = "Renamed"
    group.save()
    renamed = dashboard.Live.read([team.pk])
    assert dashboard.cache_key([team.pk], period, refreshed, renamed) != key
    assert dashboard.cache_key([team.pk], period, refreshed, live) == key


def test_a_refused_choice_sent_by_htmx_says_why_where_the_figures_were(login, team_lead):
    """htmx swaps only #results: a refused choice must say what is wrong there,
    not leave an empty space (the form's own messages are outside it)."""
    rollup.refresh()
    client = login(team_lead)
    query = {"period": "custom", "start": "2026-09", "end": "2026-06"}

    fragment = client.get(PAGE, query, headers={"HX-Request": "true"})
    whole = client.get(PAGE, query).content.decode()

    assert fragment.status_code == 422
    body = fragment.content.decode()
    assert body.strip().startswith('<div id="results"')
    assert "The last month must not be before the first." in body
    assert 'href="#id_end"' in body
    # The whole page says it once, in the summary above the form.
    assert whole.count("The last month must not be before the first.") == 2  # summary + field
