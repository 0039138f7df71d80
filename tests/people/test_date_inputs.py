"""The team page's date boxes start at their default date (found by trying the
app: the value was written as 30/11/2026, which a date box ignores, so it came
up empty)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from teams.models import IntervisionGroup

pytestmark = pytest.mark.django_db


def test_a_new_supervision_link_starts_today_in_the_date_box(login, team, team_lead):
    today = timezone.localdate().isoformat()

    page = login(team_lead).get(reverse("people:link_add", args=[team.pk])).content.decode()

    assert f'type="date" name="since" value="{today}"' in page


def test_a_new_group_supervisor_starts_today_in_the_date_box(login, team, team_lead, author):
    group = IntervisionGroup.objects.create(team=team, name="Circle", facilitator=author)
    today = timezone.localdate().isoformat()

    url = reverse("people:group_link_add", args=[team.pk, group.pk])
    page = login(team_lead).get(url).content.decode()

    assert f'type="date" name="since" value="{today}"' in page
