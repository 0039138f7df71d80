"""A `next` that is not a local path is ignored, wherever a view reads one.

Only a path on this site is followed: one that starts with a single "/" and
that Django's url_has_allowed_host_and_scheme accepts (pod_site/redirects.py).
Anything else (a relative non-path such as `abc`, a scheme-relative
`//evil.example`, another site, a `javascript:` URL) is ignored: the view goes
where it would without a `next`, and never answers 500 after saving, when a
retry would save twice.

The views that read `next`: adding a network member and logging other work
(meetings/views.py), and signing in (allauth, through teams/adapters.py).
"""

from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from meetings.models import Activity, ActivityKind, NetworkMember
from pod_site.redirects import is_local_path
from tests.factories import PASSWORD, NetworkFactory

pytestmark = pytest.mark.django_db

UNSAFE = [
    "abc",
    "abc/def",
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "https://evil.example",
    "http://testserver/networks/",  # our own host, but not a path: still ignored
    "javascript:alert(1)",
    " /networks/",
    "",
]
GOOD = "/networks/1/"


@pytest.fixture
def network(team, author):
    return NetworkFactory(team=team, reference="Birch")


@pytest.mark.parametrize("url", UNSAFE)
def test_only_a_local_path_is_local(rf, url):
    assert not is_local_path(rf.get("/"), url)


@pytest.mark.parametrize("url", ["/", GOOD, "/networks/?q=oak#results"])
def test_a_local_path_is_local(rf, url):
    assert is_local_path(rf.get("/"), url)


def add_member(client, network, next_url: str):
    return client.post(
        reverse("meetings:member_create", args=[network.pk]),
        {"member-name": "Housing officer", "member-relationship": "professional_housing"},
        QUERY_STRING=urlencode({"next": next_url}),
    )


def log_other_work(client, next_url: str):
    return client.post(
        reverse("meetings:activity_create"),
        {
            "kind": ActivityKind.ADMIN,
            "done_on": timezone.localdate().isoformat(),
            "duration_minutes": "45",
        },
        QUERY_STRING=urlencode({"next": next_url}),
    )


@pytest.mark.parametrize("url", UNSAFE)
def test_adding_a_network_member_ignores_an_unsafe_next(login, author, network, url):
    client = login(author)
    form = client.get(
        reverse("meetings:member_create", args=[network.pk]), QUERY_STRING=urlencode({"next": url})
    )
    assert form.status_code == 200
    # The page's links back go where they would without a `next`. (The form
    # posts to the address it was opened with: the POST ignores the `next` too.)
    assert f'href="{escape(url)}"' not in form.content.decode()

    response = add_member(client, network, url)

    assert response.status_code in (302, 303)
    assert response["Location"] == network.get_absolute_url()
    assert NetworkMember.objects.filter(name="Housing officer").count() == 1


def test_adding_a_network_member_follows_a_local_next(login, author, network):
    response = add_member(login(author), network, GOOD)

    assert response.status_code in (302, 303)
    assert response["Location"] == GOOD


@pytest.mark.parametrize("url", UNSAFE)
def test_logging_other_work_ignores_an_unsafe_next(login, author, url):
    response = log_other_work(login(author), url)

    assert response.status_code in (302, 303)
    assert response["Location"] == reverse("meetings:activity_create")
    assert Activity.objects.count() == 1


def test_logging_other_work_follows_a_local_next(login, author):
    response = log_other_work(login(author), GOOD)

    assert response.status_code in (302, 303)
    assert response["Location"] == GOOD


@pytest.mark.parametrize("url", UNSAFE)
def test_signing_in_ignores_an_unsafe_next(client, author, settings, url):
    settings.MFA_REQUIRED_ROLES = []
    response = client.post(
        reverse("account_login"), {"login": author.email, "password": PASSWORD, "next": url}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_signing_in_follows_a_local_next(client, author, settings):
    settings.MFA_REQUIRED_ROLES = []
    response = client.post(
        reverse("account_login"), {"login": author.email, "password": PASSWORD, "next": GOOD}
    )

    assert response.status_code == 302
    assert response["Location"] == GOOD
