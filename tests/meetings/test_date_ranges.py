"""Every date in every form has a sensible range, with a clear message.

| field | range |
| --- | --- |
| a network's opening (`opened_on`) | within the last 30 years, not in the future |
| a network's closing (`closed_on`) | within the last 30 years, not in the future |
| a supervision session (`held_on`) | within the last 5 years, at most a day ahead |
| the next session (`next_on`) | today to a year ahead |
| sharing a note until (`until`) | today to 5 years ahead |
| the dashboard's first month (`start`) | within the last 30 years, started |
| a meeting's start, other work's date | already checked (5 years back, a year or nothing ahead) |
"""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from dashboards.forms import CUSTOM, DashboardForm
from meetings.forms import NetworkEditForm, NetworkForm
from meetings.models import Network
from supervision.forms import SessionForm, ShareForm
from teams.models import SupervisionLink, Team
from tests.factories import NetworkFactory

pytestmark = pytest.mark.django_db

ABSURD = ["0001-01-01", "9999-12-31"]


def days(n: int) -> str:
    return (timezone.localdate() + timedelta(days=n)).isoformat()


@pytest.fixture
def teams(team):
    return Team.objects.filter(pk=team.pk)


@pytest.mark.parametrize(
    ("opened_on", "message"),
    [
        ("0001-01-01", "The opening date must be within the last 30 years."),
        ("9999-12-31", "The opening date cannot be in the future."),
        (days(1), "The opening date cannot be in the future."),
        (days(-31 * 366), "The opening date must be within the last 30 years."),
    ],
)
def test_a_network_opening_out_of_range_is_refused(teams, opened_on, message):
    form = NetworkForm({"reference": "Oak", "opened_on": opened_on}, teams=teams)

    assert not form.is_valid()
    assert form.errors["opened_on"] == [message]


@pytest.mark.parametrize("opened_on", [days(0), days(-29 * 365)])
def test_a_network_opening_in_range_is_accepted(teams, opened_on):
    data = {"reference": "Oak", "person_name": "Kai", "opened_on": opened_on}
    assert NetworkForm(data, teams=teams).is_valid()


@pytest.mark.parametrize("closed_on", ABSURD)
def test_a_network_closing_out_of_range_is_refused(team, teams, closed_on):
    network = NetworkFactory(team=team, opened_on=timezone.localdate() - timedelta(days=30))
    data = {
        "reference": network.reference,
        "opened_on": network.opened_on.isoformat(),
        "closed_on": closed_on,
        "revision": network.revision,
    }
    form = NetworkEditForm(data, instance=network, teams=teams)

    assert not form.is_valid()
    assert "closed_on" in form.errors


def test_the_network_model_checks_the_range_too(team):
    network = Network(team=team, reference="Elm", opened_on=date(1, 1, 1))

    with pytest.raises(ValidationError) as excinfo:
        network.full_clean()

    assert excinfo.value.message_dict["opened_on"] == [
        "The opening date must be within the last 30 years."
    ]


@pytest.fixture
def session_data(author, supervisor):
    SupervisionLink.objects.create(
        supervisor=supervisor, supervisee=author, since=timezone.localdate() - timedelta(days=90)
    )
    return {"supervisee": author.pk, "held_on": days(0), "duration": 50, "kind": "one_to_one"}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("held_on", "0001-01-01", "The session date must be within the last 5 years."),
        ("held_on", "9999-12-31", "The session date can be at most a day ahead."),
        ("held_on", days(2), "The session date can be at most a day ahead."),
        ("next_on", "0001-01-01", "The next session must be today or later."),
        ("next_on", days(-1), "The next session must be today or later."),
        ("next_on", "9999-12-31", "The next session must be within a year from today."),
    ],
)
def test_session_dates_out_of_range_are_refused(supervisor, session_data, field, value, message):
    form = SessionForm({**session_data, field: value}, supervisor=supervisor)

    assert not form.is_valid()
    assert message in form.errors[field]


@pytest.mark.parametrize(
    ("field", "value"), [("held_on", days(1)), ("held_on", days(-4 * 365)), ("next_on", days(365))]
)
def test_session_dates_in_range_are_accepted(supervisor, session_data, field, value):
    form = SessionForm({**session_data, field: value}, supervisor=supervisor)

    assert form.is_valid(), form.errors


@pytest.mark.parametrize("until", ["9999-12-31", days(6 * 366)])
def test_sharing_until_a_far_date_is_refused(author, supervisor, until):
    SupervisionLink.objects.create(supervisor=supervisor, supervisee=author)
    form = ShareForm({"supervisors": [supervisor.pk], "until": until}, author=author)

    assert not form.is_valid()
    assert form.errors["until"] == ["Choose a date within 5 years from today."]


def test_a_dashboard_month_long_ago_is_refused(team):
    form = DashboardForm(
        {"team": str(team.pk), "period": CUSTOM, "start": "0001-01", "end": "0001-06"},
        teams=[team],
        all_label="All",
    )

    assert not form.is_valid()
    assert form.errors["start"] == ["Choose a month within the last 30 years."]
