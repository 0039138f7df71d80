"""Sessions: 30 minutes idle and 12 hours at most; safe cookies; my sessions
listed, each of which I can sign out."""

from datetime import timedelta

import pytest
import time_machine
from allauth.usersessions.models import UserSession
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from security.middleware import SIGNED_OUT_AFTER_MAX_AGE

pytestmark = pytest.mark.django_db


def signed_in(client) -> bool:
    return client.get(reverse("reflections:timeline")).status_code == 200


def test_a_session_ends_after_30_minutes_without_a_request(login, author):
    client = login(author)
    start = timezone.now()

    with time_machine.travel(start + timedelta(minutes=29)):
        assert signed_in(client)  # and this request starts a new 30 minutes
    with time_machine.travel(start + timedelta(minutes=58)):
        assert signed_in(client)
    with time_machine.travel(start + timedelta(minutes=89)):
        response = client.get(reverse("reflections:timeline"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_an_active_session_ends_12_hours_after_sign_in(login, author):
    client = login(author)
    start = timezone.now()

    for minutes in range(20, 12 * 60, 20):
        with time_machine.travel(start + timedelta(minutes=minutes)):
            assert signed_in(client), f"signed out after {minutes} minutes"
    with time_machine.travel(start + timedelta(hours=12, minutes=1)):
        response = client.get(reverse("reflections:timeline"), follow=True)

    assert response.redirect_chain[0][0].startswith(reverse("account_login"))
    assert SIGNED_OUT_AFTER_MAX_AGE in response.content.decode()
    assert not response.context["user"].is_authenticated


def test_the_limits_are_settings(settings, login, author):
    settings.SESSION_MAX_AGE = 3600
    client = login(author)

    with time_machine.travel(timezone.now() + timedelta(minutes=61)):
        assert not signed_in(client)


def test_an_ordinary_request_writes_nothing_to_keep_the_session(
    login, author, django_assert_num_queries
):
    client = login(author)
    signed_in(client)

    # Just the session and the user: the idle clock is re-saved once a minute,
    # not on every request (SESSION_SAVE_EVERY_REQUEST would write each time).
    with django_assert_num_queries(2):
        client.get(reverse("account_security") + "x")  # a 404: no view queries


def test_cookies_are_secure_http_only_and_same_site(client, author, sign_in_with_password):
    sign_in_with_password(client, author)

    cookie = client.cookies["sessionid"]
    assert cookie["httponly"] is True
    assert cookie["secure"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["max-age"] == ""  # gone when the browser closes
    csrf = client.cookies["csrftoken"]
    assert (csrf["secure"], csrf["samesite"]) == (True, "Lax")


def test_my_sessions_are_listed_and_i_can_sign_out_of_another(author, sign_in_with_password):
    laptop = Client(HTTP_USER_AGENT="Laptop browser", REMOTE_ADDR="198.51.100.1")
    phone = Client(HTTP_USER_AGENT="Phone browser", REMOTE_ADDR="198.51.100.2")
    sign_in_with_password(laptop, author)
    sign_in_with_password(phone, author)

    page = laptop.get(reverse("usersessions_list"))
    html = page.content.decode()
    assert "Laptop browser" in html and "Phone browser" in html
    assert "This session" in html
    assert "nhsuk-table" in html
    other = UserSession.objects.get(user=author, user_agent="Phone browser")

    ended = laptop.post(reverse("end_session", args=[other.pk]))

    assert ended["Location"] == reverse("usersessions_list")
    assert not signed_in(phone)
    assert signed_in(laptop)
    assert list(UserSession.objects.filter(user=author).values_list("user_agent", flat=True)) == [
        "Laptop browser"
    ]


def test_someone_elses_session_cannot_be_ended(author, colleague, sign_in_with_password):
    mine, theirs = Client(), Client()
    sign_in_with_password(mine, author)
    sign_in_with_password(theirs, colleague)
    their_session = UserSession.objects.get(user=colleague)

    assert mine.post(reverse("end_session", args=[their_session.pk])).status_code == 404
    assert signed_in(theirs)


def test_signing_out_of_all_other_sessions(author, sign_in_with_password):
    one, two, three = Client(), Client(), Client()
    for client in (one, two, three):
        sign_in_with_password(client, author)

    one.post(reverse("usersessions_list"))

    assert signed_in(one)
    assert not signed_in(two) and not signed_in(three)
