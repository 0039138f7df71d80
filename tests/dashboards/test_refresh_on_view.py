"""Without a beat (tasks in-process), the dashboard refreshes a stale rollup itself."""

from datetime import date, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from dashboards import rollup
from dashboards.measures.peer_present import KEY as MEETINGS
from dashboards.models import MonthlyFigure, RollupRefresh
from dashboards.views import REFRESH_WITHOUT_BEAT_AFTER
from tests.dashboards.conftest import meet
from tests.factories import NetworkFactory

pytestmark = pytest.mark.django_db

PAGE = reverse("dashboards:dashboard")


def meetings_counted() -> int:
    return sum(row.value for row in MonthlyFigure.objects.filter(measure=MEETINGS).only("value"))


@pytest.fixture
def network(team):
    return NetworkFactory(team=team, opened_on=date(2020, 1, 1))


def test_a_meeting_logged_after_the_last_refresh_shows_up(
    login, settings, team_lead, author, network
):
    settings.CELERY_TASK_ALWAYS_EAGER = True  # no broker, so no beat
    client = login(team_lead)
    refreshed = rollup.refresh()
    before = client.get(PAGE).context["refreshed"]
    assert before.pk == refreshed.pk  # fresh: not refreshed again
    assert meetings_counted() == 0

    later = timezone.now() + REFRESH_WITHOUT_BEAT_AFTER + timedelta(seconds=5)
    with time_machine.travel(later - timedelta(minutes=1), tick=False):
        meet(network, timezone.now() - timedelta(hours=1), peers=[author])
    with time_machine.travel(later, tick=False):
        page = client.get(PAGE)

    assert page.context["refreshed"].pk != refreshed.pk
    assert RollupRefresh.objects.count() == 2
    assert meetings_counted() > 0


def test_with_no_refresh_yet_the_page_refreshes(login, settings, team_lead, author, network):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    meet(network, timezone.now() - timedelta(days=1), peers=[author])

    page = login(team_lead).get(PAGE)

    assert page.status_code == 200
    assert page.context["refreshed"] is not None
    assert RollupRefresh.objects.count() == 1
    assert meetings_counted() > 0


def test_with_a_beat_the_page_leaves_the_rollup_to_it(login, settings, team_lead, author, network):
    settings.CELERY_TASK_ALWAYS_EAGER = False  # a broker, so beat refreshes
    refreshed = rollup.refresh()
    meet(network, timezone.now() - timedelta(days=1), peers=[author])

    with time_machine.travel(timezone.now() + timedelta(minutes=10)):
        page = login(team_lead).get(PAGE)

    assert page.context["refreshed"].pk == refreshed.pk
    assert RollupRefresh.objects.count() == 1
    assert meetings_counted() == 0
