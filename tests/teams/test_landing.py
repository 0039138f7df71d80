"""Each role lands where its work is: after signing in, and on "/" (teams/landing.py)."""

import pytest
from django.urls import reverse

from teams.models import Role
from tests.factories import PASSWORD, MembershipFactory, UserFactory
from tests.totp import activate_totp, totp_code

pytestmark = pytest.mark.django_db

PRACTICE = reverse("home")
INBOX = reverse("supervision:inbox")
DASHBOARD = reverse("dashboards:dashboard")
SIGNED_IN = "/accounts/security/signed-in/"  # the in-page sign-in dialog's `next`
LOG_OTHER_WORK = reverse("meetings:activity_create")


@pytest.fixture(autouse=True)
def _no_required_mfa(settings):
    # Who must use MFA is tested in tests/security; here, where people land.
    settings.MFA_REQUIRED_ROLES = []
    settings.MFA_REQUIRED_FOR_STAFF = False


def sign_in(client, user, next_url=None):
    data = {"login": user.email, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("account_login"), data)


@pytest.fixture
def plain_admin(db):
    """An admin who holds no role in a team (without an authenticator app)."""
    return UserFactory(email="staff@example.org", is_staff=True, is_superuser=True)


@pytest.mark.parametrize(
    ("person", "lands_on"),
    [
        ("author", PRACTICE),
        ("colleague", PRACTICE),
        ("supervisor", INBOX),
        ("team_lead", DASHBOARD),
        ("plain_admin", DASHBOARD),
    ],
)
def test_each_role_lands_where_its_work_is(client, request, team, person, lands_on):
    user = request.getfixturevalue(person)

    response = sign_in(client, user)

    assert (response.status_code, response["Location"]) == (302, lands_on)
    assert client.get(lands_on).status_code == 200


def test_a_role_that_must_use_mfa_lands_on_its_page_after_the_code(client, settings, supervisor):
    settings.MFA_REQUIRED_ROLES = ["supervisor"]
    secret = activate_totp(supervisor)

    assert sign_in(client, supervisor)["Location"] == reverse("mfa_authenticate")
    second_step = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})

    assert second_step["Location"] == INBOX


@pytest.mark.parametrize("person", ["author", "supervisor", "team_lead"])
def test_next_wins(client, request, team, person):
    user = request.getfixturevalue(person)
    timeline = reverse("reflections:timeline")

    assert sign_in(client, user, next_url=timeline)["Location"] == timeline


@pytest.mark.parametrize("person", ["author", "supervisor", "team_lead"])
def test_the_in_page_sign_in_still_ends_on_its_page(client, request, team, person):
    user = request.getfixturevalue(person)
    login_url = reverse("account_login") + "?next=" + SIGNED_IN

    response = client.post(login_url, {"login": user.email, "password": PASSWORD})

    assert response["Location"] == SIGNED_IN


@pytest.mark.parametrize(
    ("person", "sent_to"),
    [("supervisor", INBOX), ("team_lead", DASHBOARD), ("plain_admin", DASHBOARD)],
)
def test_home_sends_who_does_not_practise_to_their_page(login, request, team, person, sent_to):
    client = login(request.getfixturevalue(person))

    response = client.get(PRACTICE)

    assert (response.status_code, response["Location"]) == (302, sent_to)


@pytest.mark.parametrize("person", ["author", "colleague"])
def test_home_is_my_practice_for_who_practises(login, request, person):
    page = login(request.getfixturevalue(person)).get(PRACTICE)

    assert page.status_code == 200
    assert "<h1>My practice</h1>" in page.content.decode()


def test_several_roles_land_on_the_first_and_see_the_switcher(client, team, author):
    MembershipFactory(user=author, team=team, role=Role.SUPERVISOR)
    MembershipFactory(user=author, team=team, role=Role.TEAM_LEAD)

    assert sign_in(client, author)["Location"] == PRACTICE
    for here in (PRACTICE, INBOX, DASHBOARD):
        page = client.get(here).content.decode()
        switcher = page.split('aria-label="Your roles"')[1].split("</nav>")[0]
        assert f'<a href="{PRACTICE}"' in switcher
        assert f'<a href="{INBOX}"' in switcher
        assert f'<a href="{DASHBOARD}"' in switcher
        assert f'<a href="{here}" aria-current="page">' in switcher


def test_a_supervisor_who_leads_lands_on_the_inbox(client, team, supervisor):
    MembershipFactory(user=supervisor, team=team, role=Role.TEAM_LEAD)

    assert sign_in(client, supervisor)["Location"] == INBOX
    assert client.get(PRACTICE)["Location"] == INBOX
    page = client.get(INBOX).content.decode()
    assert 'aria-label="Your roles"' in page
    assert f'<a href="{DASHBOARD}">Dashboard</a>' in page
    assert f'<a href="{PRACTICE}">My practice</a>' not in page


@pytest.mark.parametrize("person", ["author", "supervisor", "team_lead"])
def test_one_role_sees_no_switcher(client, request, team, person):
    user = request.getfixturevalue(person)
    landing = sign_in(client, user)["Location"]

    assert 'aria-label="Your roles"' not in client.get(landing).content.decode()


@pytest.mark.parametrize("person", ["supervisor", "team_lead", "plain_admin"])
def test_who_does_not_practise_is_not_offered_log_other_work(client, request, team, person):
    user = request.getfixturevalue(person)
    landing = sign_in(client, user)["Location"]

    for path in (landing, reverse("reflections:timeline"), reverse("meetings:network_list")):
        page = client.get(path, follow=True).content.decode()
        assert LOG_OTHER_WORK not in page, path
        assert "Log other work" not in page, path
        # Nor My practice in the menu: "/" would only send them back here.
        assert f'href="{PRACTICE}"' not in page.split('aria-label="Menu"')[1].split("</nav>")[0]
    assert client.get(LOG_OTHER_WORK).status_code == 403


def test_who_practises_is_offered_log_other_work(client, author):
    sign_in(client, author)

    page = client.get(PRACTICE).content.decode()

    assert f'action="{LOG_OTHER_WORK}?next=/"' in page
    assert client.get(LOG_OTHER_WORK).status_code == 200


def test_a_person_with_no_role_yet_sees_my_practice_without_log_other_work(client, db):
    newcomer = UserFactory(email="new@example.org")

    assert sign_in(client, newcomer)["Location"] == PRACTICE
    page = client.get(PRACTICE).content.decode()
    assert "<h1>My practice</h1>" in page
    assert "Log other work" not in page
