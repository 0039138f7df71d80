"""A network's first contact: optional, not in the future, within the last 5 years
when typed, not after the first meeting; shown on the network's page, and saved
like every other field (a partial save leaves it alone)."""

from datetime import date, datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from meetings.forms import NetworkEditForm, NetworkForm
from meetings.models import Network
from teams.models import Team
from tests.factories import NetworkFactory, NetworkMeetingFactory

pytestmark = pytest.mark.django_db

NEW = reverse("meetings:network_create")


def days(n: int) -> date:
    return timezone.localdate() + timedelta(days=n)


def edit_url(network: Network) -> str:
    return reverse("meetings:network_edit", args=[network.pk])


def all_fields(network: Network, **changes) -> dict:
    return {
        "reference": network.reference,
        "opened_on": network.opened_on.isoformat(),
        "first_contact_on": network.first_contact_on.isoformat()
        if network.first_contact_on
        else "",
        "closed_on": "",
        "revision": str(network.revision),
        **changes,
    }


@pytest.fixture
def teams(team):
    return Team.objects.filter(pk=team.pk)


@pytest.fixture
def network(team):
    return NetworkFactory(team=team, reference="Birch", opened_on=days(-60))


def test_a_network_is_added_with_its_first_contact(login, author, team):
    client = login(author)

    page = client.get(NEW).content.decode()
    client.post(
        NEW,
        {
            "reference": "Rowan",
            "person_name": "Kai",
            "opened_on": days(-3).isoformat(),
            "first_contact_on": days(-5).isoformat(),
        },
    )

    assert 'name="first_contact_on"' in page
    assert "First contact" in page and "(optional)" in page
    # Before the network was opened here is fine: the call may come first.
    assert Network.objects.get().first_contact_on == days(-5)


def test_the_first_contact_is_optional(login, author, team):
    login(author).post(
        NEW, {"reference": "Rowan", "person_name": "Kai", "opened_on": days(-3).isoformat()}
    )

    assert Network.objects.get().first_contact_on is None


@pytest.mark.parametrize(
    ("first_contact_on", "message"),
    [
        (days(1).isoformat(), "The first contact date cannot be in the future."),
        ("9999-12-31", "The first contact date cannot be in the future."),
        (days(-6 * 366).isoformat(), "The first contact date must be within the last 5 years."),
        ("0001-01-01", "The first contact date must be within the last 5 years."),
        ("31/02/2026", "Enter a real date, for example 17/03/2026."),
    ],
)
def test_a_first_contact_out_of_range_is_refused(teams, first_contact_on, message):
    data = {"reference": "Oak", "opened_on": days(0), "first_contact_on": first_contact_on}
    form = NetworkForm(data, teams=teams)

    assert not form.is_valid()
    assert form.errors["first_contact_on"] == [message]


@pytest.mark.parametrize("first_contact_on", [days(0), days(-4 * 365)])
def test_a_first_contact_in_range_is_accepted(teams, first_contact_on):
    data = {"reference": "Oak", "opened_on": days(0), "first_contact_on": first_contact_on}
    data |= {"person_name": "Kai"}

    assert NetworkForm(data, teams=teams).is_valid()


def test_the_model_refuses_a_first_contact_in_the_future(team):
    network = Network(team=team, reference="Elm", opened_on=days(0), first_contact_on=days(1))

    with pytest.raises(ValidationError) as excinfo:
        network.full_clean()

    assert excinfo.value.message_dict == {
        "first_contact_on": ["The first contact date cannot be in the future."]
    }


def test_an_old_first_contact_is_kept_when_other_fields_change(teams, team):
    """The 5-year range is checked only when the date changes (like a meeting's
    start), so a network contacted long ago can still be edited."""
    old = NetworkFactory(
        team=team, reference="Old", opened_on=days(-7 * 365), first_contact_on=days(-7 * 365)
    )

    form = NetworkEditForm(all_fields(old, reference="Older"), instance=old, teams=teams)

    assert form.is_valid(), form.errors
    form.save_if_current()
    old.refresh_from_db()
    assert (old.reference, old.first_contact_on) == ("Older", days(-7 * 365))


def test_editing_sets_the_first_contact(login, author, network):
    response = login(author).post(
        edit_url(network), all_fields(network, first_contact_on=days(-61).isoformat())
    )

    assert response.status_code == 302
    network.refresh_from_db()
    assert network.first_contact_on == days(-61)


def test_the_first_contact_cannot_be_after_the_first_meeting(login, author, network):
    first = timezone.make_aware(datetime.combine(days(-20), time(10)))
    NetworkMeetingFactory(network=network, starts_at=first)
    NetworkMeetingFactory(network=network, starts_at=first + timedelta(days=7))

    after = login(author).post(
        edit_url(network), all_fields(network, first_contact_on=days(-19).isoformat())
    )
    same_day = login(author).post(
        edit_url(network), all_fields(network, first_contact_on=days(-20).isoformat())
    )

    message = f"The first meeting was on {days(-20):%d %B %Y}, before this date."
    assert f'<a href="#id_first_contact_on">{message}</a>' in after.content.decode()
    assert same_day.status_code == 302
    network.refresh_from_db()
    assert network.first_contact_on == days(-20)


def test_a_save_with_the_first_contact_only_changes_it_only(login, author, network):
    response = login(author).post(
        edit_url(network), {"first_contact_on": days(-62).isoformat(), "revision": "1"}
    )

    assert response.status_code == 302
    network.refresh_from_db()
    assert (network.reference, network.opened_on, network.first_contact_on) == (
        "Birch",
        days(-60),
        days(-62),
    )


def test_a_save_without_the_first_contact_leaves_it_alone(login, author, network):
    """Even a first contact the form would now refuse (after a meeting logged later,
    earlier than it): a request that does not carry the field does not check it."""
    Network.objects.filter(pk=network.pk).update(first_contact_on=days(-10))
    NetworkMeetingFactory(
        network=network, starts_at=timezone.make_aware(datetime.combine(days(-30), time(10)))
    )

    response = login(author).post(edit_url(network), {"reference": "Ash", "revision": "1"})

    assert response.status_code == 302
    network.refresh_from_db()
    assert (network.reference, network.first_contact_on) == ("Ash", days(-10))


def test_clearing_the_first_contact(login, author, network):
    Network.objects.filter(pk=network.pk).update(first_contact_on=days(-61))
    network.refresh_from_db()

    login(author).post(edit_url(network), all_fields(network, first_contact_on=""))

    network.refresh_from_db()
    assert network.first_contact_on is None


def test_the_network_page_shows_the_first_contact(login, author, network, team):
    Network.objects.filter(pk=network.pk).update(first_contact_on=date(2026, 3, 4))
    unknown = NetworkFactory(team=team, reference="Cedar")
    client = login(author)

    page = client.get(network.get_absolute_url()).content.decode()
    unknown_page = client.get(unknown.get_absolute_url()).content.decode()
    form = client.get(edit_url(network)).content.decode()

    assert "First contact" in page and "4 March 2026" in page
    assert "Not recorded" in unknown_page
    assert 'name="first_contact_on" value="2026-03-04"' in form
