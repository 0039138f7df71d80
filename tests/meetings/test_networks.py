"""The networks list and search, and adding and changing a network."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from meetings.models import Network
from teams.models import Role
from tests.factories import (
    MembershipFactory,
    NetworkFactory,
    NetworkMeetingFactory,
    NetworkMemberFactory,
    PractitionerAttendanceFactory,
)

pytestmark = pytest.mark.django_db

LIST = reverse("meetings:network_list")
NEW = reverse("meetings:network_create")


def test_the_list_shows_the_networks_of_my_teams_only(login, author, team, other_team):
    NetworkFactory(team=team, reference="Birch")
    NetworkFactory(team=other_team, reference="Cedar")

    page = login(author).get(LIST).content.decode()

    assert "Birch" in page
    assert "Cedar" not in page
    assert "1 network" in page


def test_a_team_lead_sees_the_list_but_not_the_buttons_to_change_it(login, team_lead, network):
    page = login(team_lead).get(LIST).content.decode()

    assert "Birch" in page
    assert "Add a network" not in page
    assert "Log a meeting" not in page


def test_search_finds_networks_by_part_of_their_reference(login, author, team):
    for reference in ["Birch", "Silver birch", "Oak"]:
        NetworkFactory(team=team, reference=reference)

    page = login(author).get(LIST, {"q": " BIRCH "}).content.decode()

    assert "Silver birch" in page
    assert "Oak" not in page
    assert "2 networks matching “BIRCH”" in page
    assert 'value=" BIRCH "' in page  # the search box keeps what was typed


def test_search_with_htmx_returns_the_results_and_the_new_count(login, author, team):
    NetworkFactory(team=team, reference="Birch")
    NetworkFactory(team=team, reference="Oak")

    response = login(author).get(LIST, {"q": "oak"}, HTTP_HX_REQUEST="true")
    fragment = response.content.decode()

    assert "<html" not in fragment
    assert "Oak" in fragment
    assert "Birch" not in fragment
    assert '<p data-hx-swap-oob="innerHTML:#network-count">1 network matching “oak”</p>' in fragment
    assert "HX-Request" in response["Vary"]


def test_the_search_form_works_without_javascript_and_is_enhanced_with_htmx(login, author):
    page = login(author).get(LIST).content.decode()

    assert '<form method="get" action="/networks/"' in page
    assert 'data-hx-get="/networks/"' in page
    assert 'data-hx-push-url="true"' in page
    assert 'id="network-results"' in page


def test_htmx_restoring_history_gets_the_whole_page(login, author, network):
    response = login(author).get(
        LIST, {"q": "bir"}, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )

    assert "<html" in response.content.decode()


def test_a_search_too_long_for_any_reference_is_an_error(login, author, network):
    page = login(author).get(LIST, {"q": "x" * 41}).content.decode()

    assert "<title>Error: Networks" in page
    assert "Ensure this value has at most 40 characters" in page
    assert "Birch" in page  # the unfiltered list, rather than nothing


@pytest.mark.parametrize("rows", [5, 50])
def test_the_list_runs_the_same_queries_for_5_or_50_networks(
    login, author, colleague, team, django_assert_num_queries, rows
):
    for _ in range(rows):
        meeting = NetworkMeetingFactory(network=NetworkFactory(team=team))
        PractitionerAttendanceFactory(meeting=meeting, practitioner=author)
    client = login(author)

    # Session, user, whether I practise, the networks.
    with django_assert_num_queries(4):
        response = client.get(LIST)

    # A row for each network, and the header row.
    assert response.content.decode().count('<tr class="nhsuk-table__row">') == rows + 1


@pytest.mark.parametrize("rows", [5, 50])
def test_the_network_page_runs_the_same_queries_for_5_or_50_meetings(
    login, author, colleague, network, django_assert_num_queries, rows
):
    mum = NetworkMemberFactory(network=network)
    for day in range(rows):
        meeting = NetworkMeetingFactory(
            network=network, starts_at=timezone.now() - timedelta(days=day + 1)
        )
        PractitionerAttendanceFactory(meeting=meeting, practitioner=author)
        PractitionerAttendanceFactory(
            meeting=meeting, practitioner=colleague, role=Role.PRACTITIONER
        )
        meeting.members_present.add(mum)
    client = login(author)

    # Session, user, network, whether I practise; the picture of who comes
    # (meetings by the person's attendance, members, members' attendance,
    # practitioners' attendance, those practitioners); meetings, their
    # practitioners, their network members.
    with django_assert_num_queries(12):
        response = client.get(network.get_absolute_url())

    assert response.content.decode().count("First meeting") == 1


def test_the_network_page_shows_meetings_newest_first_with_who_attended(
    login, author, colleague, meeting, network
):
    earlier = NetworkMeetingFactory(network=network, starts_at=meeting.starts_at - timedelta(7))

    page = login(author).get(network.get_absolute_url()).content.decode()

    assert page.index(meeting.get_absolute_url()) < page.index(earlier.get_absolute_url())
    first_tag = page.index("First meeting")
    assert page.index(earlier.get_absolute_url()) < first_tag  # on the earlier one
    assert f'{author} <strong class="nhsuk-tag nhsuk-tag--purple app-tag-inline">Peer' in page
    assert str(colleague) in page
    assert "Mum" in page


def test_a_network_is_added_to_my_only_team_without_asking(login, author, team):
    client = login(author)

    page = client.get(NEW).content.decode()
    response = client.post(
        NEW, {"reference": "  Rowan   tree ", "person_name": "Kai", "opened_on": "2026-01-05"}
    )

    assert "Which team" not in page and 'type="radio" name="team"' not in page
    network = Network.objects.get()
    assert (network.team, network.reference, str(network.opened_on)) == (
        team,
        "Rowan tree",
        "2026-01-05",
    )
    assert response.url == network.get_absolute_url()


def test_with_several_teams_i_choose_one_of_mine(login, author, team, other_team):
    MembershipFactory(user=author, team=other_team, role=Role.PRACTITIONER)
    client = login(author)

    response = client.post(NEW, {"reference": "Rowan", "team": other_team.pk, "opened_on": ""})
    page = response.content.decode()

    assert re.search(rf'name="team" value="{other_team.pk}" [^>]* checked>', page)
    assert "Enter the date the network opened." in page


def test_a_team_where_i_do_not_practise_is_not_a_choice(login, author, team, other_team):
    MembershipFactory(user=author, team=other_team, role=Role.TEAM_LEAD)
    MembershipFactory(user=author, role=Role.PRACTITIONER)  # so there is a choice

    response = login(author).post(
        NEW, {"reference": "Rowan", "team": other_team.pk, "opened_on": "2026-01-05"}
    )

    assert "Select a valid choice" in response.content.decode()
    assert not Network.objects.exists()


def test_a_posted_team_is_ignored_when_there_is_nothing_to_choose(login, author, team, other_team):
    login(author).post(
        NEW,
        {
            "reference": "Rowan",
            "person_name": "Kai",
            "team": other_team.pk,
            "opened_on": "2026-01-05",
        },
    )

    assert Network.objects.get().team == team


def test_bad_input_shows_errors_and_keeps_what_was_typed(login, author, team):
    response = login(author).post(NEW, {"reference": "R" * 41, "opened_on": "31/02/2026"})
    page = response.content.decode()

    assert response.status_code == 422
    assert "<title>Error: Add a network" in page
    assert '<a href="#id_reference">The reference must be 40 characters or fewer.</a>' in page
    assert f'value="{"R" * 41}"' in page
    assert 'value="31/02/2026"' in page
    assert 'aria-describedby="id_reference_helptext id_reference_error"' in page
    assert not Network.objects.exists()


def test_a_reference_already_used_in_the_team_is_refused(login, author, network):
    response = login(author).post(NEW, {"reference": "Birch", "opened_on": "2026-01-05"})

    assert "This team already has a network with this reference." in response.content.decode()
    assert Network.objects.count() == 1


def test_editing_closes_a_network(login, author, network):
    url = reverse("meetings:network_edit", args=[network.pk])
    closed_on = timezone.localdate()

    response = login(author).post(
        url,
        {
            "reference": "Birch",
            "opened_on": network.opened_on,
            "closed_on": closed_on,
            "revision": network.revision,
        },
    )

    assert response.url == network.get_absolute_url()
    network.refresh_from_db()
    assert network.closed_on == closed_on


@pytest.mark.parametrize(
    ("field", "days", "message"),
    [
        ("opened_on", 1, "The first meeting was on {day:%d %B %Y}, before this date."),
        ("closed_on", -1, "The last meeting was on {day:%d %B %Y}, after this date."),
    ],
)
def test_editing_refuses_dates_that_leave_meetings_outside_the_network(
    login, author, meeting, field, days, message
):
    network = meeting.network
    day = timezone.localdate(meeting.starts_at)
    data = {"reference": "Renamed", "opened_on": network.opened_on, field: day + timedelta(days)}

    response = login(author).post(reverse("meetings:network_edit", args=[network.pk]), data)
    page = response.content.decode()

    assert "<title>Error: Change network Birch" in page  # the saved name, not the typed one
    assert f'<a href="#id_{field}">{message.format(day=day)}</a>' in page
    network.refresh_from_db()
    assert network.reference == "Birch"


def test_a_network_cannot_close_before_it_opened(login, author, network):
    data = {"reference": "Birch", "opened_on": "2026-03-02", "closed_on": "2026-03-01"}

    response = login(author).post(reverse("meetings:network_edit", args=[network.pk]), data)

    assert "A network cannot close before it opened." in response.content.decode()


def test_editing_cannot_take_a_reference_used_by_another_network(login, author, network, team):
    NetworkFactory(team=team, reference="Oak")
    url = reverse("meetings:network_edit", args=[network.pk])

    response = login(author).post(url, {"reference": "Oak", "opened_on": network.opened_on})

    assert "This team already has a network with this reference." in response.content.decode()
