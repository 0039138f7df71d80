"""Multi-factor authentication: offered to everyone, required of supervisors,
team leads and staff, who reach nothing but the set-up page until it is on."""

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from audit.models import Action, AuditEvent
from security.middleware import MFA_SETUP_ALLOWED
from teams.models import Role
from tests.factories import PASSWORD, MembershipFactory, UserFactory
from tests.totp import activate_totp, totp_code

pytestmark = pytest.mark.django_db

SETUP_URL = "/accounts/2fa/totp/activate/"
INBOX = reverse("supervision:inbox")
DUMMY = {
    "int": "1",
    "str": "x",
    "slug": "x",
    "path": "x",
    "uuid": "00000000-0000-0000-0000-000000000000",
}


def every_route() -> list[tuple[str, str]]:
    """(url name, a path that reaches it) for each route of the site, ids filled with 1."""
    routes = []

    def walk(patterns, prefix: str) -> None:
        for pattern in patterns:
            route = str(pattern.pattern)
            if route.startswith("^"):  # the admin's regex routes: its index is enough
                continue
            for converter, value in DUMMY.items():
                while f"<{converter}:" in route:
                    start = route.index(f"<{converter}:")
                    route = route[:start] + value + route[route.index(">", start) + 1 :]
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + route)
            elif isinstance(pattern, URLPattern) and "<" not in route:
                routes.append((pattern.name or "", "/" + prefix + route))

    walk(get_resolver().url_patterns, "")
    routes.append(("admin:index", reverse("admin:index")))
    return routes


ROUTES = every_route()
PROTECTED = [(name, path) for name, path in ROUTES if name not in MFA_SETUP_ALLOWED]


@pytest.fixture
def staff(db):
    return UserFactory(email="staff@example.org", is_staff=True)


@pytest.fixture(params=["supervisor", "team_lead", "staff"])
def must_use_mfa(request):
    return request.getfixturevalue(request.param)


@pytest.fixture(params=["author", "colleague"])
def may_use_mfa(request):
    return request.getfixturevalue(request.param)


def test_the_walk_covers_the_site():
    names = {name for name, _ in PROTECTED}
    assert {"home", "account_security", "usersessions_list", "mfa_index", "admin:index"} <= names
    assert len(PROTECTED) > 30


def test_a_required_role_reaches_only_the_set_up_page_until_mfa_is_on(client, must_use_mfa):
    client.force_login(must_use_mfa, backend="django.contrib.auth.backends.ModelBackend")

    for name, path in PROTECTED:
        for method in (client.get, client.post):
            response = method(path)
            assert (response.status_code, response.get("Location")) == (302, SETUP_URL), (
                f"{method.__name__.upper()} {path} ({name})"
            )
    # Signing out is always possible.
    assert client.post(reverse("account_logout")).status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_once_mfa_is_on_every_page_is_reached_as_usual(client, supervisor):
    client.force_login(supervisor, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get(reverse("home"))["Location"] == SETUP_URL

    activate_totp(supervisor)  # seen at the next request

    for name, path in PROTECTED:
        response = client.get(path)
        assert response.get("Location") != SETUP_URL, f"GET {path} ({name})"


def test_people_in_other_roles_are_offered_mfa_but_not_sent_to_it(client, may_use_mfa):
    client.force_login(may_use_mfa, backend="django.contrib.auth.backends.ModelBackend")

    for path in ("/", reverse("reflections:timeline"), reverse("account_security")):
        assert client.get(path).status_code == 200
    page = client.get(reverse("account_security")).content.decode()
    assert "Set up two-step verification" in page
    assert client.get(reverse("mfa_index")).status_code == 200


def test_the_required_roles_are_a_setting(client, settings, supervisor, author):
    settings.MFA_REQUIRED_ROLES = ["peer_practitioner"]
    client.force_login(supervisor, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get(INBOX).status_code == 200
    client.force_login(author, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get("/")["Location"] == SETUP_URL


def test_an_htmx_request_is_sent_to_set_up_with_a_full_page_redirect(client, supervisor):
    client.force_login(supervisor, backend="django.contrib.auth.backends.ModelBackend")

    response = client.get(reverse("reflections:timeline"), HTTP_HX_REQUEST="true")

    assert response["HX-Redirect"] == SETUP_URL


def test_a_new_role_needs_mfa_within_minutes_even_mid_session(client, author, team):
    client.force_login(author, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get("/").status_code == 200

    MembershipFactory(user=author, team=team, role=Role.SUPERVISOR)
    with time_machine.travel(timezone.now() + timezone.timedelta(minutes=6)):
        assert client.get("/")["Location"] == SETUP_URL


def test_setting_up_an_authenticator_app_from_the_sign_in(
    client, supervisor, sign_in_with_password, django_capture_on_commit_callbacks
):
    assert sign_in_with_password(client, supervisor).status_code == 302
    assert client.get("/")["Location"] == SETUP_URL

    # allauth asks for the password again before changing how someone signs in.
    confirm = client.get(SETUP_URL)
    assert confirm["Location"].startswith(reverse("account_reauthenticate"))
    confirmed = client.post(confirm["Location"], {"password": PASSWORD})
    assert confirmed["Location"] == SETUP_URL
    page = client.get(SETUP_URL)
    secret = page.context["form"].secret
    html = page.content.decode()
    assert 'src="data:image/svg+xml;base64,' in html  # the QR code, allowed by img-src data:
    assert secret in html
    assert "nhsuk-button" in html and "nhsuk-form-group" in html

    wrong = client.post(SETUP_URL, {"code": "000000"})
    assert wrong.status_code == 200
    assert "nhsuk-error-summary" in wrong.content.decode()
    # allauth sends its signals once the transaction commits.
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(SETUP_URL, {"code": totp_code(secret)})

    assert done["Location"] == reverse("mfa_view_recovery_codes")
    types = set(Authenticator.objects.filter(user=supervisor).values_list("type", flat=True))
    assert types == {Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES}
    codes = client.get(reverse("mfa_view_recovery_codes"))
    recovery = RecoveryCodes(Authenticator.objects.get(user=supervisor, type="recovery_codes"))
    assert len(recovery.get_unused_codes()) == 10
    assert recovery.get_unused_codes()[0] in codes.content.decode()
    assert client.get(INBOX).status_code == 200
    changes = AuditEvent.objects.filter(action=Action.MFA_CHANGED, actor=supervisor)
    assert {event.detail["type"] for event in changes} == {"totp", "recovery_codes"}


def test_signing_in_with_an_authenticator_app(client, supervisor, sign_in_with_password):
    secret = activate_totp(supervisor)

    first_step = sign_in_with_password(client, supervisor)
    assert first_step["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session  # the password alone signs nobody in
    assert client.get("/")["Location"].startswith(reverse("account_login"))

    wrong = client.post(reverse("mfa_authenticate"), {"code": "123456"})
    assert wrong.status_code == 200
    assert "_auth_user_id" not in client.session
    failed = AuditEvent.objects.get(action=Action.LOGIN_FAILED)
    assert (failed.actor, failed.detail) == (supervisor, {"stage": "mfa"})

    second_step = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert second_step["Location"] == INBOX  # where a supervisor lands (teams/landing.py)
    assert client.get(INBOX).status_code == 200
    assert AuditEvent.objects.filter(action=Action.LOGIN, actor=supervisor).count() == 1


def test_a_recovery_code_signs_in_once(client, supervisor, sign_in_with_password):
    activate_totp(supervisor)
    code = RecoveryCodes.activate(supervisor).get_unused_codes()[0]

    sign_in_with_password(client, supervisor)
    assert client.post(reverse("mfa_authenticate"), {"code": code})["Location"] == INBOX
    client.post(reverse("account_logout"))
    sign_in_with_password(client, supervisor)
    reused = client.post(reverse("mfa_authenticate"), {"code": code})

    assert reused.status_code == 200
    assert "_auth_user_id" not in client.session


def test_the_admin_sign_in_form_cannot_skip_mfa(client):
    response = client.get(reverse("admin:login"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_header_links_to_account_security(login, author):
    page = login(author).get("/").content.decode()

    assert f'href="{reverse("account_security")}"' in page
