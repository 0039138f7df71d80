"""allauth's account and MFA emails speak in the app's voice: the service name,
links built on SITE_URL (never the request's host), a text and an HTML part,
and no content (no note text, no network names). A password reset for an
address with no account sends nothing and reads the same on the page."""

import re
from pathlib import Path

import allauth
import pytest
from allauth.core import context as allauth_context
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.template.loader import get_template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from teams.adapters import NoSignupAccountAdapter
from tests.factories import PASSWORD, NetworkFactory, ReflectionFactory
from tests.totp import totp_code

pytestmark = pytest.mark.django_db

SITE_URL = "https://reflect.riverside.example.nhs.uk"
SERVICE = "Riverside Reflect"
MARKER = "Zebrafish-Quokka-7731"
SETUP_URL = "/accounts/2fa/totp/activate/"
ALLAUTH_TEMPLATES = Path(allauth.__file__).parent / "templates"
# Every email allauth can send: (prefix) for each of its *_subject.txt.
PREFIXES = sorted(
    str(path.relative_to(ALLAUTH_TEMPLATES)).removesuffix("_subject.txt")
    for folder in ("account/email", "mfa/email")
    for path in (ALLAUTH_TEMPLATES / folder).glob("*_subject.txt")
)


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE_URL
    settings.SERVICE_NAME = SERVICE


@pytest.fixture
def marked(author, team):
    """A note and a network, both carrying MARKER, that no email may mention."""
    ReflectionFactory(author=author, text=f"{MARKER} said something hard today.")
    NetworkFactory(team=team, reference=f"{MARKER}-network")
    return author


def parts(email) -> tuple[str, str]:
    htmls = [content for content, mimetype in email.alternatives if mimetype == "text/html"]
    assert len(htmls) == 1, "a text and an HTML part"
    return email.body, htmls[0]


def links(text: str) -> list[str]:
    return re.findall(r"https?://[^\s\"'<>]+", text)


def assert_in_our_voice(email) -> None:
    text, html = parts(email)
    assert email.subject.endswith(f" · {SERVICE}")
    for part in (email.subject, text, html):
        assert "Hello from" not in part
        assert "example.com" not in part
        assert "127.0.0.1" not in part
        assert "testserver" not in part
        assert MARKER.lower() not in part.lower()
    assert text.startswith("Hello,")
    assert SERVICE in text and SERVICE in html
    for link in links(text) + links(html):
        assert link.startswith(SITE_URL + "/"), link
    assert "<html" in html and "font-family" in html


def test_the_password_reset_email_is_in_our_voice_and_links_to_site_url(client, marked, mailoutbox):
    response = client.post(reverse("account_reset_password"), {"email": marked.email})

    assert response.status_code == 302
    (email,) = mailoutbox
    assert email.to == [marked.email]
    assert email.subject == f"Reset your password · {SERVICE}"
    assert_in_our_voice(email)
    text, html = parts(email)
    [link] = [url for url in links(text) if "/password/reset/key/" in url]
    assert link.startswith(SITE_URL + "/accounts/password/reset/key/")
    assert f'href="{link}"' in html
    # The link works: it leads to the page where a new password is chosen.
    path = link.removeprefix(SITE_URL)
    assert client.get(path).status_code in {200, 302}


def test_an_unknown_address_gets_no_email_and_the_same_page(client, author, mailoutbox):
    known = client.post(reverse("account_reset_password"), {"email": author.email})
    unknown = client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})

    assert [email.to for email in mailoutbox] == [[author.email]]  # nothing to nobody@
    assert (unknown.status_code, unknown["Location"]) == (known.status_code, known["Location"])
    page = client.get(unknown["Location"]).content.decode()
    assert "nobody@example.org" not in page
    assert "sign up" not in page.lower()


def test_the_unknown_account_email_if_ever_sent_invites_no_sign_up(settings, author, mailoutbox):
    # Off by setting (ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS); its wording is still ours.
    email = render("account/email/unknown_account", {"email": "nobody@example.org"})
    text, html = parts(email)
    for part in (text, html):
        assert "sign up" not in part.lower() and "signup" not in part
        assert "team lead" in part
        assert "/signup/" not in part


def test_activating_an_authenticator_app_sends_our_notification(
    client, marked, sign_in_with_password, django_capture_on_commit_callbacks, mailoutbox
):
    assert sign_in_with_password(client, marked).status_code == 302
    # allauth asks for the password again before changing how someone signs in.
    confirm = client.get(SETUP_URL)
    assert confirm["Location"].startswith(reverse("account_reauthenticate"))
    client.post(confirm["Location"], {"password": PASSWORD})
    secret = client.get(SETUP_URL).context["form"].secret
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(SETUP_URL, {"code": totp_code(secret)})
    assert done.status_code == 302

    subjects = [email.subject for email in mailoutbox]
    assert f"Authenticator app turned on · {SERVICE}" in subjects
    for email in mailoutbox:
        assert email.to == [marked.email]
        assert_in_our_voice(email)
    text, _ = parts(mailoutbox[subjects.index(f"Authenticator app turned on · {SERVICE}")])
    assert "If this was not you" in text
    assert SITE_URL + reverse("account_reset_password") in text


def test_changing_the_password_sends_our_notification(client, marked, mailoutbox):
    client.force_login(marked)
    response = client.post(
        reverse("account_change_password"),
        {
            "oldpassword": PASSWORD,
            "password1": "another-long-test-password",
            "password2": "another-long-test-password",
        },
    )

    assert response.status_code == 302
    (email,) = mailoutbox
    assert email.subject == f"Your password was changed · {SERVICE}"
    assert_in_our_voice(email)


def test_a_notification_the_mail_server_refuses_does_not_undo_the_change(client, marked, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 2
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    client.force_login(marked)

    response = client.post(
        reverse("account_change_password"),
        {
            "oldpassword": PASSWORD,
            "password1": "another-long-test-password",
            "password2": "another-long-test-password",
        },
    )

    assert response.status_code == 302
    marked.refresh_from_db()
    assert marked.check_password("another-long-test-password")


def render(prefix: str, context: dict):
    """The email allauth would send for `prefix`, sent through our adapter by a
    request whose host is not ours."""
    request = RequestFactory().get("/")  # host: testserver
    request.user = AnonymousUser()
    before = len(mail.outbox)
    with allauth_context.request_context(request):
        NoSignupAccountAdapter(request).send_mail(prefix, "sam@example.org", context)
    (email,) = mail.outbox[before:]
    return email


SAMPLE = {
    "password_reset_url": "https://attacker.example.net/accounts/password/reset/key/1-x/",
    "activate_url": "https://attacker.example.net/accounts/confirm-email/x/",
    "signup_url": "https://attacker.example.net/accounts/signup/",
    "code": "ABC123",
    "key": "x",
    "from_email": "old@example.org",
    "to_email": "new@example.org",
    "deleted_email": "old@example.org",
    "timestamp": timezone.now(),
    "ip": "203.0.113.9",
    "user_agent": "Mozilla/5.0",
}


@pytest.mark.parametrize("prefix", PREFIXES)
def test_every_allauth_email_has_our_three_templates(prefix, author):
    for suffix in ("_subject.txt", "_message.txt", "_message.html"):
        origin = get_template(prefix + suffix).origin.name
        assert "site-packages" not in origin, f"{prefix}{suffix} is allauth's own"
    context = dict(SAMPLE, user=author)
    # Links in allauth's context are built on the request's host; ours are not.
    if prefix == "account/email/password_reset_key":
        context["password_reset_url"] = SITE_URL + "/accounts/password/reset/key/1-x/"
    if prefix.startswith("account/email/email_confirmation"):
        context["activate_url"] = SITE_URL + "/accounts/confirm-email/x/"
    email = render(prefix, context)
    assert_in_our_voice(email)
    text, html = parts(email)
    for part in (text, html):
        assert "203.0.113.9" not in part  # no IP address in an email
        assert "attacker.example.net" not in part


def test_signing_in_sends_a_content_free_notice(client, marked, mailoutbox):
    response = client.post(reverse("account_login"), {"login": marked.email, "password": PASSWORD})

    assert response.status_code == 302
    (email,) = mailoutbox
    assert email.to == [marked.email]
    assert email.subject.startswith("New sign-in to your account")
    assert_in_our_voice(email)


def test_a_test_or_admin_force_login_sends_nothing(client, author, mailoutbox):
    client.force_login(author, backend="django.contrib.auth.backends.ModelBackend")

    assert mailoutbox == []


def test_sign_in_works_with_the_mail_server_down(client, author, mailoutbox, monkeypatch):
    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr("django.core.mail.message.EmailMessage.send", refuse)

    response = client.post(reverse("account_login"), {"login": author.email, "password": PASSWORD})

    assert response.status_code == 302
    assert mailoutbox == []
