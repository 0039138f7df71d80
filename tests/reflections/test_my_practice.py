from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from teams.models import Role
from tests.factories import (
    PASSWORD,
    NetworkFactory,
    NetworkMeetingFactory,
    PractitionerAttendanceFactory,
)

pytestmark = pytest.mark.django_db


def test_the_home_page_asks_anonymous_people_to_sign_in(client):
    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_sign_in_page_uses_email_and_offers_no_sign_up(client):
    response = client.get(reverse("account_login"))

    assert response.status_code == 200
    content = response.content.decode()
    assert 'type="email"' in content
    assert "POD Reflect" in content
    assert "signup" not in content


def test_signing_in_with_email_and_password_reaches_my_practice(client, author):
    response = client.post(
        reverse("account_login"), {"login": author.email, "password": PASSWORD}, follow=True
    )

    assert response.redirect_chain[-1][0] == reverse("home")
    assert "My practice" in response.content.decode()


def test_a_wrong_password_is_refused_with_a_clear_message(client, author):
    response = client.post(reverse("account_login"), {"login": author.email, "password": "nope"})

    assert response.status_code == 200
    assert "not correct" in response.content.decode()


def test_open_sign_up_is_closed(client):
    response = client.get(reverse("account_signup"))

    assert "Sign up closed" in response.content.decode() or response.status_code == 403


def test_home_lists_my_recent_meetings_only(login, team, author, colleague, outsider):
    mine = NetworkMeetingFactory(network=NetworkFactory(team=team, reference="Birch"))
    PractitionerAttendanceFactory(meeting=mine, practitioner=author)
    PractitionerAttendanceFactory(meeting=mine, practitioner=colleague, role=Role.PRACTITIONER)
    not_attended = NetworkMeetingFactory(network=NetworkFactory(team=team, reference="Cedar"))
    PractitionerAttendanceFactory(
        meeting=not_attended, practitioner=colleague, role=Role.PRACTITIONER
    )
    other_team = NetworkMeetingFactory(
        network=NetworkFactory(team=outsider.memberships.get().team, reference="Oak")
    )
    PractitionerAttendanceFactory(meeting=other_team, practitioner=outsider)

    response = login(author).get(reverse("home"))

    content = response.content.decode()
    assert "Birch" in content
    assert "First meeting" in content
    assert "Cedar" not in content
    assert "Oak" not in content
    assert list(response.context["meetings"]) == [mine]


def test_home_queries_do_not_grow_with_meetings(
    login, team, author, colleague, django_assert_max_num_queries
):
    network = NetworkFactory(team=team)
    for days in range(8):
        meeting = NetworkMeetingFactory(
            network=network, starts_at=timezone.now() - timedelta(days=days + 1)
        )
        PractitionerAttendanceFactory(meeting=meeting, practitioner=author)
        PractitionerAttendanceFactory(
            meeting=meeting, practitioner=colleague, role=Role.PRACTITIONER
        )
    client = login(author)

    # session, user, meetings, attendances: a fixed number, however many meetings.
    with django_assert_max_num_queries(5):
        response = client.get(reverse("home"))

    assert len(response.context["meetings"]) == 8
