"""Shared fixtures: the named people the tests talk about."""

import pytest
from django.core.cache import cache
from django.test import override_settings

from security.mfa import has_totp, must_use_mfa
from teams.models import Role
from tests.factories import (
    MembershipFactory,
    NetworkFactory,
    NetworkMeetingFactory,
    PractitionerAttendanceFactory,
    TeamFactory,
    UserFactory,
)
from tests.totp import activate_totp


@pytest.fixture(autouse=True)
def _clear_cache():
    # The cache is Redis in CI: allauth keeps rate-limit counters there, and a
    # counter left by one test must not lock out the next.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="session", autouse=True)
def _plain_http():
    # Tests run with DEBUG off, so production's redirect to https is on; the test
    # client and the browser tests' live server speak plain http. Session-wide and
    # before the live server starts: SecurityMiddleware reads the setting once,
    # when the server builds its middleware. tests/security checks production's.
    with override_settings(SECURE_SSL_REDIRECT=False):
        yield


@pytest.fixture(scope="session", autouse=True)
def _plain_static_storage():
    # Production's storage (whitenoise's manifest) needs `collectstatic` to have
    # run before any page renders; tests render pages without it. The manifest
    # is tested itself in tests/pod_site/test_static_files.py and by the stack test.
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=storages):
        yield


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Hashing a password the production way takes ~0.3 s; tests make hundreds.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def team(db):
    return TeamFactory(name="Riverside")


@pytest.fixture
def other_team(db):
    return TeamFactory(name="Hillside")


def _member(team, role: Role, email: str, **extra):
    user = UserFactory(email=email, **extra)
    MembershipFactory(user=user, team=team, role=role)
    return user


@pytest.fixture
def author(team):
    """A peer practitioner who writes reflections."""
    return _member(team, Role.PEER_PRACTITIONER, "author@example.org", first_name="Alex")


@pytest.fixture
def colleague(team):
    """A practitioner from a professional background in the author's team."""
    return _member(team, Role.PRACTITIONER, "colleague@example.org", first_name="Priya")


@pytest.fixture
def outsider(other_team):
    """A peer practitioner in another team."""
    return _member(other_team, Role.PEER_PRACTITIONER, "outsider@example.org")


@pytest.fixture
def supervisor(team):
    return _member(team, Role.SUPERVISOR, "supervisor@example.org")


@pytest.fixture
def team_lead(team):
    return _member(team, Role.TEAM_LEAD, "lead@example.org")


@pytest.fixture
def meeting(team, author, colleague):
    """A meeting of the Birch network that the author and the colleague attended."""
    meeting = NetworkMeetingFactory(network=NetworkFactory(team=team, reference="Birch"))
    PractitionerAttendanceFactory(meeting=meeting, practitioner=author)
    PractitionerAttendanceFactory(meeting=meeting, practitioner=colleague, role=Role.PRACTITIONER)
    return meeting


@pytest.fixture
def admin_user(admin_user):
    """pytest-django's admin (and so admin_client), with the MFA admins must use."""
    activate_totp(admin_user)
    return admin_user


@pytest.fixture
def login(client):
    """Sign a person in to the test client, and return the client."""

    def sign_in(user):
        # Someone who must use MFA signs in with it: give them an authenticator
        # app first, or every page would send them to set one up.
        if must_use_mfa(user) and not has_totp(user):
            activate_totp(user)
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return sign_in
