"""Logging other work from My practice, and its rules."""

import pytest
from django.urls import reverse
from django.utils import timezone

from meetings.models import Activity, ActivityKind
from teams.models import Role
from tests.factories import MembershipFactory, NetworkFactory

pytestmark = pytest.mark.django_db

LOG = reverse("meetings:activity_create")


def test_my_practice_offers_the_quick_form(login, author):
    page = login(author).get(reverse("home")).content.decode()

    assert 'id="other-work"' in page
    assert f'action="{LOG}?next=/"' in page
    assert 'name="duration_minutes"' in page


def test_the_quick_form_logs_work_in_my_team_and_returns_home(login, author, team):
    today = timezone.localdate()
    response = login(author).post(
        LOG + "?next=/",
        {"kind": ActivityKind.ADMIN, "done_on": today.isoformat(), "duration_minutes": "45"},
    )

    assert response.status_code == 302
    assert response["Location"] == "/"
    activity = Activity.objects.get()
    assert (activity.practitioner, activity.team, activity.kind) == (author, team, "admin")
    assert activity.duration_minutes == 45


@pytest.mark.parametrize(
    ("minutes", "message"),
    [("0", "Enter at least 1 minute."), ("601", "Enter at most 600 minutes (10 hours).")],
)
def test_minutes_run_from_1_to_600(login, author, minutes, message):
    response = login(author).post(
        LOG,
        {
            "kind": ActivityKind.TRAINING,
            "done_on": timezone.localdate().isoformat(),
            "duration_minutes": minutes,
        },
    )

    assert response.status_code == 422
    assert message in response.content.decode()
    assert not Activity.objects.exists()


def test_practical_support_can_name_a_network_and_nothing_else_can(login, author, team):
    network = NetworkFactory(team=team, reference="Rowan")
    client = login(author)
    data = {"done_on": timezone.localdate().isoformat(), "duration_minutes": "60"}

    refused = client.post(LOG, {**data, "kind": ActivityKind.ADMIN, "network": network.pk})
    accepted = client.post(
        LOG, {**data, "kind": ActivityKind.PRACTICAL_SUPPORT, "network": network.pk}
    )

    assert refused.status_code == 422
    assert "Only practical support is for a network." in refused.content.decode()
    assert accepted.status_code == 302
    assert Activity.objects.get().network == network


def test_someone_in_two_teams_chooses_the_team(login, author, other_team):
    MembershipFactory(user=author, team=other_team, role=Role.PEER_PRACTITIONER)
    response = login(author).post(
        LOG,
        {
            "kind": ActivityKind.ADMIN,
            "done_on": timezone.localdate().isoformat(),
            "duration_minutes": "30",
        },
    )

    assert response.status_code == 422
    assert "Choose the team this work was for." in response.content.decode()


@pytest.mark.parametrize("persona", ["supervisor", "team_lead"])
def test_only_practitioners_log_other_work(request, login, persona):
    assert login(request.getfixturevalue(persona)).get(LOG).status_code == 403
