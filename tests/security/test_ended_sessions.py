"""Sessions may end, text may not (docs/security.md, "Sessions that end while
someone is writing").

An ended or expired session never navigates away from a page and never drops
a POST: htmx and fetch() requests get a 401 (never a redirect), a stale CSRF
token a 403 they can retry, and a plain form POSTed while signed out is kept,
encrypted, for its author in that browser only, and offered after sign-in.
"""

from __future__ import annotations

import json
import re
from contextlib import contextmanager
from datetime import timedelta
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from data_rights.erasure import erase_reflections_of
from reflections.models import Reflection
from security.models import PendingPost
from security.pending import PENDING_COOKIE, SIGNED_OUT_MESSAGE, WHO_COOKIE
from tests.factories import PASSWORD, ReflectionFactory
from tests.reflections.conftest import form_data
from tests.totp import activate_totp, totp_code

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
FETCH = {"HTTP_ACCEPT": "application/json"}
OUR_ORIGIN = {"HTTP_ORIGIN": "http://testserver"}
SECRET_TEXT = "What I noticed about the silence after Mum spoke"
PENDING_URL = "/accounts/security/pending/"  # the documented address


def browser() -> Client:
    """A browser: CSRF enforced, as in production."""
    return Client(enforce_csrf_checks=True)


def fresh_token(client: Client) -> str:
    return client.get(reverse("csrf_token")).json()["token"]


def sign_in(client: Client, user, next_url: str | None = None):
    """allauth's real sign-in form, with the token a browser would have."""
    path = reverse("account_login") + (f"?next={next_url}" if next_url else "")
    response = client.post(
        path,
        {"login": user.email, "password": PASSWORD, "csrfmiddlewaretoken": fresh_token(client)},
    )
    assert response.status_code == 302, response.content.decode()[:500]
    return response


def end_session(client: Client) -> None:
    """The session ends on the server (idle timeout, or signed out elsewhere)."""
    Session.objects.filter(session_key=client.cookies["sessionid"].value).delete()


def signed_in(client: Client) -> bool:
    return client.get(reverse("csrf_token")).json()["signed_in"]


def is_sign_in_redirect(response, next_url: str | None = None) -> bool:
    location = urlsplit(response.get("Location", ""))
    if response.status_code != 302 or location.path != reverse("account_login"):
        return False
    return next_url is None or parse_qs(location.query).get("next") == [next_url]


@pytest.fixture
def past_max_age(settings):
    """Travel past SESSION_MAX_AGE (an hour here) with the session kept active."""
    settings.SESSION_MAX_AGE = 3600

    @contextmanager
    def travel(client: Client):
        start = timezone.now()
        for minutes in (20, 40):
            with time_machine.travel(start + timedelta(minutes=minutes)):
                assert signed_in(client)
        with time_machine.travel(start + timedelta(minutes=61)):
            yield

    return travel


@pytest.fixture
def draft(author):
    return ReflectionFactory(author=author, text="")


@pytest.fixture
def writing(author, draft):
    """The author signed in, with the edit page open (its CSRF token in hand)."""
    client = browser()
    sign_in(client, author)
    page = client.get(reverse("reflections:edit", args=[draft.pk]))
    assert page.status_code == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())[1]
    return client, token


def post_edit(client: Client, draft, token: str, text: str = SECRET_TEXT, **extra):
    data = form_data(text=text, csrfmiddlewaretoken=token, action="save")
    return client.post(reverse("reflections:edit", args=[draft.pk]), data, **extra)


def hidden_form(html: str, button: str) -> tuple[str, dict[str, list[str]]]:
    """The action and fields of the form holding `button` on a page."""
    for form in re.findall(r"<form\b.*?</form>", html, re.S):
        if button in form:
            action = unescape(re.search(r'action="([^"]*)"', form)[1])
            data: dict[str, list[str]] = {}
            for name, value in re.findall(
                r'<input type="hidden" name="([^"]*)" value="([^"]*)"', form
            ):
                data.setdefault(unescape(name), []).append(unescape(value))
            return action, data
    raise AssertionError(f"no form with {button!r}")


# 401, never a redirect, for htmx and fetch() -------------------------------------------


def test_after_the_maximum_age_an_htmx_request_gets_401_not_a_redirect(
    login, author, draft, past_max_age
):
    client = login(author)
    with past_max_age(client):
        response = client.post(
            reverse("reflections:edit", args=[draft.pk]), form_data(text=SECRET_TEXT), **HTMX
        )

    assert response.status_code == 401
    assert "HX-Redirect" not in response
    assert response["HX-Reswap"] == "none"
    assert response["HX-Trigger"] == "pod:signed-out"
    assert SIGNED_OUT_MESSAGE in response.content.decode()
    assert response["Content-Type"].startswith("text/html")
    assert not signed_in(client)  # the session did end
    assert not PendingPost.objects.exists()  # the text is still on the page


def test_after_the_maximum_age_a_fetch_gets_401_json(login, author, past_max_age):
    client = login(author)
    with past_max_age(client):
        response = client.get(reverse("reflections:timeline"), **FETCH)

    assert response.status_code == 401
    assert response.json() == {"state": "signed_out", "message": SIGNED_OUT_MESSAGE}
    assert "no-store" in response["Cache-Control"]
    assert not signed_in(client)


@pytest.mark.parametrize(
    ("name", "data"),
    [("supervision:respond", {"text": SECRET_TEXT}), ("meetings:meeting_create", {})],
)
def test_an_expired_session_gets_401_from_any_login_required_view(login, author, name, data):
    client = login(author)
    with time_machine.travel(timezone.now() + timedelta(minutes=31)):  # idle timeout
        htmx = client.post(reverse(name, args=[1]), data, **HTMX)
        fetch = client.post(reverse(name, args=[1]), data, **FETCH)
        page = client.get(reverse("reflections:timeline"), **HTMX)

    assert (htmx.status_code, htmx["HX-Reswap"], htmx["HX-Trigger"]) == (
        401,
        "none",
        "pod:signed-out",
    )
    assert "Location" not in htmx and "HX-Redirect" not in htmx
    assert fetch.status_code == 401
    assert fetch.json()["state"] == "signed_out"
    assert page.status_code == 401
    # Without htmx, the ordinary redirect to sign in is unchanged.
    assert is_sign_in_redirect(Client().get(reverse("reflections:timeline")))


# A fresh CSRF token, and the page the sign-in dialog lands on ------------------------------


def test_a_fresh_csrf_token_can_be_had_signed_in_or_not(author, supervisor):
    client = browser()
    anonymous = client.get(reverse("csrf_token"))
    assert anonymous.status_code == 200
    assert anonymous.json()["signed_in"] is False
    assert len(anonymous.json()["token"]) == 64
    assert "no-store" in anonymous["Cache-Control"]

    sign_in(client, author)
    assert client.get(reverse("csrf_token")).json()["signed_in"] is True

    # Someone who must still set up MFA can reach it too (MFA_SETUP_ALLOWED).
    setup = browser()
    setup.force_login(supervisor, backend="django.contrib.auth.backends.ModelBackend")
    must_set_up = setup.get(reverse("csrf_token"))
    assert must_set_up.status_code == 200 and must_set_up.json()["signed_in"] is True


def test_signing_in_in_another_tab_needs_only_a_fresh_token(writing, author, draft):
    client, old_token = writing
    end_session(client)
    sign_in(client, author)  # in the dialog, or another tab: rotates the token

    refused = post_edit(client, draft, old_token, **HTMX)
    assert refused.status_code == 403
    assert refused["X-CSRF-Failed"] == "true"
    assert refused.json()["state"] == "csrf_failed"

    saved = post_edit(client, draft, fresh_token(client))
    assert saved.status_code == 302
    draft.refresh_from_db()
    assert draft.text == SECRET_TEXT


def test_the_signed_in_again_page(login, author):
    page = login(author).get(reverse("signed_in_again"))

    html = page.content.decode()
    assert page.status_code == 200
    assert html.count("<h1") == 1
    assert "<h1>You are signed in again</h1>" in html
    assert "go back to what you were writing" in html
    assert "nhsuk-header" in html  # the design system's layout
    assert is_sign_in_redirect(Client().get(reverse("signed_in_again")))


def test_sign_in_may_be_framed_by_our_own_pages_only(client):
    response = client.get(reverse("account_login") + "?next=" + reverse("signed_in_again"))

    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]
    assert f'value="{reverse("signed_in_again")}"' in response.content.decode()


def test_signing_in_from_the_dialog_lands_on_the_signed_in_again_page(author):
    client = browser()
    response = sign_in(client, author, next_url=reverse("signed_in_again"))

    assert response["Location"] == reverse("signed_in_again")


def test_the_mfa_step_may_be_framed_and_keeps_where_to_land(supervisor):
    secret = activate_totp(supervisor)
    client = Client()
    first = client.post(
        reverse("account_login") + "?next=" + reverse("signed_in_again"),
        {"login": supervisor.email, "password": PASSWORD},
    )
    assert first["Location"] == reverse("mfa_authenticate")
    step = client.get(reverse("mfa_authenticate"))
    assert step["X-Frame-Options"] == "SAMEORIGIN"

    second = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})

    assert second["Location"] == reverse("signed_in_again")


# A CSRF failure that is only a stale token ---------------------------------------------------


@pytest.mark.parametrize("headers", [HTMX, FETCH], ids=["htmx", "fetch"])
def test_a_csrf_failure_from_htmx_or_fetch_answers_json_to_retry(writing, draft, headers):
    client, _token = writing

    response = post_edit(client, draft, "x" * 64, **headers)

    assert response.status_code == 403
    assert response["X-CSRF-Failed"] == "true"
    body = response.json()
    assert body["state"] == "csrf_failed" and body["message"]
    assert not PendingPost.objects.exists()


def test_a_stale_token_from_our_own_origin_keeps_the_post_and_offers_it(writing, author, draft):
    client, old_token = writing
    end_session(client)
    sign_in(client, author)  # again, in another tab: the open page's token is now stale

    response = post_edit(client, draft, old_token, **OUR_ORIGIN)

    assert response.status_code == 302
    assert response["Location"] == PENDING_URL
    kept = PendingPost.objects.get()
    assert (kept.user, kept.path) == (author, reverse("reflections:edit", args=[draft.pk]))
    assert SECRET_TEXT in client.get(PENDING_URL).content.decode()


def test_a_stale_token_without_an_origin_header_is_the_ordinary_403_page(writing, author, draft):
    client, old_token = writing
    end_session(client)
    sign_in(client, author)

    response = post_edit(client, draft, old_token)

    assert response.status_code == 403
    assert "<h1>Your session may have expired</h1>" in response.content.decode()
    assert not PendingPost.objects.exists()


# Without JavaScript, what was posted is kept ---------------------------------------------------


def test_a_post_after_the_session_ended_is_kept_encrypted_and_sign_in_leads_to_it(writing, draft):
    client, token = writing
    end_session(client)

    response = post_edit(client, draft, token)

    assert is_sign_in_redirect(response, next_url=PENDING_URL)
    kept = PendingPost.objects.get()
    assert kept.path == reverse("reflections:edit", args=[draft.pk])
    fields = dict(json.loads(kept.fields))
    assert fields["text"] == SECRET_TEXT
    assert "csrfmiddlewaretoken" not in fields
    with connection.cursor() as cursor:
        cursor.execute("SELECT fields FROM security_pendingpost")
        (raw,) = cursor.fetchone()
    assert SECRET_TEXT not in raw and "Mum" not in raw
    cookie = client.cookies[PENDING_COOKIE]
    assert cookie["httponly"] is True and cookie["samesite"] == "Lax"
    assert cookie["secure"] is True
    assert int(cookie["max-age"]) == 12 * 60 * 60
    assert kept.browser_digest != cookie.value  # only its digest is stored
    draft.refresh_from_db()
    assert draft.text == ""  # nothing was saved while signed out


def test_after_signing_in_the_same_person_sends_it_from_the_pending_page(writing, author, draft):
    client, token = writing
    end_session(client)
    to_sign_in = post_edit(client, draft, token)

    landed = sign_in(client, author, next_url=PENDING_URL)
    assert landed["Location"] == PENDING_URL
    page = client.get(PENDING_URL).content.decode()
    assert SECRET_TEXT in page
    assert "Your reflection" in page
    assert is_sign_in_redirect(to_sign_in, next_url=PENDING_URL)

    action, data = hidden_form(page, "Send it now")
    assert action == reverse("reflections:edit", args=[draft.pk])
    assert data["text"] == [SECRET_TEXT]
    sent = client.post(action, data)

    assert sent.status_code == 302
    draft.refresh_from_db()
    assert draft.text == SECRET_TEXT
    assert not PendingPost.objects.exists()  # sent, so no longer pending
    assert "Nothing you sent is waiting here" in client.get(PENDING_URL).content.decode()


def test_sending_it_again_after_the_session_ended_again_keeps_one_copy(writing, author, draft):
    client, token = writing
    end_session(client)
    post_edit(client, draft, token)
    sign_in(client, author)
    action, data = hidden_form(client.get(PENDING_URL).content.decode(), "Send it now")
    end_session(client)

    again = client.post(action, data)

    assert is_sign_in_redirect(again, next_url=PENDING_URL)
    [kept] = PendingPost.objects.all()
    assert dict(json.loads(kept.fields))["text"] == SECRET_TEXT


def test_a_pending_post_can_be_discarded(writing, author, draft):
    client, token = writing
    end_session(client)
    post_edit(client, draft, token)
    sign_in(client, author)

    action, data = hidden_form(client.get(PENDING_URL).content.decode(), "Discard")
    assert client.post(action, data)["Location"] == PENDING_URL

    assert not PendingPost.objects.exists()
    draft.refresh_from_db()
    assert draft.text == ""


def test_another_person_signing_in_on_that_browser_sees_nothing(writing, author, colleague, draft):
    client, token = writing
    end_session(client)
    post_edit(client, draft, token)

    sign_in(client, colleague, next_url=PENDING_URL)
    page = client.get(PENDING_URL).content.decode()

    assert SECRET_TEXT not in page
    assert "Nothing you sent is waiting here" in page
    kept = PendingPost.objects.get()
    discard = client.post(
        reverse("pending_post_discard", args=[kept.pk]),
        {"csrfmiddlewaretoken": fresh_token(client)},
    )
    assert discard.status_code == 404
    assert PendingPost.objects.exists()


def test_the_same_person_on_another_browser_sees_nothing(writing, author, draft):
    client, token = writing
    end_session(client)
    post_edit(client, draft, token)

    elsewhere = browser()
    sign_in(elsewhere, author)
    assert SECRET_TEXT not in elsewhere.get(PENDING_URL).content.decode()

    # The same browser without its pending cookie is another browser.
    del client.cookies[PENDING_COOKIE]
    sign_in(client, author)
    assert SECRET_TEXT not in client.get(PENDING_URL).content.decode()


def test_a_cross_site_post_with_an_ended_session_stores_nothing(writing, draft):
    client, token = writing
    end_session(client)

    forged = post_edit(client, draft, "", HTTP_ORIGIN="https://evil.example")
    assert forged.status_code == 403
    # Even with a good token, another origin is refused before anything is kept.
    forged = post_edit(client, draft, token, HTTP_ORIGIN="https://evil.example")
    assert forged.status_code == 403

    assert not PendingPost.objects.exists()


def test_the_who_cookie_names_the_person_safely(writing, author, settings):
    client, _token = writing

    cookie = client.cookies[WHO_COOKIE]
    assert cookie["httponly"] is True and cookie["samesite"] == "Lax"
    assert cookie["secure"] is True
    assert int(cookie["max-age"]) == settings.SESSION_MAX_AGE
    value = cookie.value
    assert value.startswith(f"{author.pk}:")  # signed: it cannot name anyone else
    client.cookies[WHO_COOKIE] = f"{author.pk + 1}:" + value.split(":", 1)[1]
    # A forged value is not believed, and is put right on the next response.
    reset = client.get(reverse("csrf_token")).cookies[WHO_COOKIE].value
    assert reset.startswith(f"{author.pk}:")


def test_a_post_from_a_browser_nobody_signed_in_on_stores_nothing(author, draft):
    client = browser()
    token = fresh_token(client)

    response = post_edit(client, draft, token)

    assert is_sign_in_redirect(response)
    assert not PendingPost.objects.exists()


def test_signing_out_on_purpose_keeps_nothing_afterwards(writing, draft):
    client, _token = writing
    assert client.cookies[WHO_COOKIE].value
    client.post(reverse("account_logout"), {"csrfmiddlewaretoken": fresh_token(client)})
    assert client.cookies[WHO_COOKIE].value == ""  # removed

    response = post_edit(client, draft, fresh_token(client))

    assert is_sign_in_redirect(response)
    assert not PendingPost.objects.exists()


def test_a_plain_post_after_the_maximum_age_is_kept(author, draft, past_max_age):
    client = browser()
    sign_in(client, author)
    token = fresh_token(client)

    with past_max_age(client):
        response = post_edit(client, draft, token)

    # Sent to sign in, then to the pending page: never back to the POST-only address.
    assert is_sign_in_redirect(response, next_url=PENDING_URL)
    assert dict(json.loads(PendingPost.objects.get(user=author).fields))["text"] == SECRET_TEXT
    assert not signed_in(client)
    sign_in(client, author)
    assert SECRET_TEXT in client.get(PENDING_URL).content.decode()


def test_a_plain_post_after_the_maximum_age_that_fails_csrf_is_not_kept(
    author, draft, past_max_age
):
    client = browser()
    sign_in(client, author)

    with past_max_age(client):
        response = post_edit(client, draft, "", HTTP_ORIGIN="https://evil.example")

    assert is_sign_in_redirect(response)
    assert "next" not in response["Location"]  # not back to a POST-only address
    assert not PendingPost.objects.exists()


def test_text_on_the_pending_page_is_escaped(writing, author, draft):
    client, token = writing
    end_session(client)
    post_edit(client, draft, token, text='<script>alert("x")</script><img src=x onerror=alert(1)>')
    sign_in(client, author)

    page = client.get(PENDING_URL).content.decode()

    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page


def test_expired_pending_posts_are_not_offered_and_are_deleted(writing, author, draft):
    client, token = writing
    end_session(client)
    post_edit(client, draft, token)

    with time_machine.travel(timezone.now() + timedelta(hours=12, minutes=1)):
        sign_in(client, author)
        assert SECRET_TEXT not in client.get(PENDING_URL).content.decode()
        # Storing a new one clears the old.
        end_session(client)
        post_edit(client, draft, fresh_token(client), text="Later text")
        [kept] = PendingPost.objects.all()
        assert dict(json.loads(kept.fields))["text"] == "Later text"


def test_erasing_a_practitioners_reflections_erases_their_pending_posts(
    writing, author, draft, admin_user
):
    client, token = writing
    end_session(client)
    post_edit(client, draft, token)

    erase_reflections_of(author, "Left the service", by=admin_user)

    assert not PendingPost.objects.exists()
    assert not Reflection.objects.filter(author=author).exists()
    assert AuditEvent.objects.exists()


def test_htmx_history_restore_after_the_session_ended_is_sent_to_sign_in(client):
    # Back after a cache miss: htmx asks for the whole page, which is a page load.
    response = client.get(
        reverse("reflections:timeline"),
        HTTP_HX_REQUEST="true",
        HTTP_HX_HISTORY_RESTORE_REQUEST="true",
    )

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
