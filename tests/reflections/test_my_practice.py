from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from principles.models import Principle
from reflections.models import PrincipleNote
from teams.models import Role
from tests.factories import (
    PASSWORD,
    NetworkFactory,
    NetworkMeetingFactory,
    PractitionerAttendanceFactory,
    ReflectionFactory,
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

    assert "Sign up closed" in response.content.decode()


def attended(team, user, reference, days_ago, *others):
    meeting = NetworkMeetingFactory(
        network=NetworkFactory(team=team, reference=reference),
        starts_at=timezone.now() - timedelta(days=days_ago),
    )
    PractitionerAttendanceFactory(meeting=meeting, practitioner=user)
    for other in others:
        PractitionerAttendanceFactory(meeting=meeting, practitioner=other, role=Role.PRACTITIONER)
    return meeting


def test_my_practice_shows_my_meetings_drafts_and_what_awaits_a_reflection(
    login, team, author, colleague, outsider
):
    reflected = attended(team, author, "Birch", 3, colleague)
    awaiting = attended(team, author, "Cedar", 2, colleague)
    upcoming = attended(team, author, "Elm", -2, colleague)
    not_mine = attended(team, colleague, "Hazel", 1)
    other_team = attended(outsider.memberships.get().team, outsider, "Oak", 1)
    draft = ReflectionFactory(author=author, meeting=reflected, text="Draft words")
    ReflectionFactory(author=colleague, meeting=not_mine)

    response = login(author).get(reverse("home"))

    context = response.context
    assert list(context["awaiting_reflection"]) == [awaiting]
    assert list(context["upcoming"]) == [upcoming]
    assert list(context["recent"]) == [awaiting, reflected]
    assert list(context["drafts"]) == [draft]
    content = response.content.decode()
    assert "Hazel" not in content
    assert "Oak" not in content
    assert "First meeting" in content
    assert other_team.network.reference not in content


def test_my_practice_counts_the_principles_my_recent_notes_touched(login, team, author):
    attunement = Principle.objects.peer_practice().get(slug="attunement")
    for _ in range(2):
        reflection = ReflectionFactory(author=author)
        PrincipleNote.objects.create(reflection=reflection, principle=attunement, text="Noticed.")
    old = ReflectionFactory(author=author, written_at=timezone.now() - timedelta(days=200))
    PrincipleNote.objects.create(reflection=old, principle=attunement, text="Long ago.")

    response = login(author).get(reverse("home"))

    counts = {principle.slug: count for principle, count in response.context["principles_lately"]}
    assert counts == {
        "attunement": 2,
        "validation": 0,
        "connection-and-mutuality": 0,
        "self-disclosure": 0,
    }


@pytest.mark.parametrize("rows", [5, 50])
def test_my_practice_runs_a_fixed_number_of_queries(
    login, team, author, colleague, rows, django_assert_num_queries
):
    network = NetworkFactory(team=team)
    for days in range(rows):
        meeting = NetworkMeetingFactory(
            network=network, starts_at=timezone.now() - timedelta(days=days % 40, hours=days)
        )
        PractitionerAttendanceFactory(meeting=meeting, practitioner=author)
        PractitionerAttendanceFactory(
            meeting=meeting, practitioner=colleague, role=Role.PRACTITIONER
        )
        ReflectionFactory(author=author, meeting=meeting if days % 2 else None)
    client = login(author)

    # session, user, whether they practise ("/" sends other roles to their page),
    # principle counts, principles, then for each of upcoming, recent and
    # awaiting: meetings (+ attendances + practitioners when any), drafts, notes
    # with something new, supervisor role and digest choice (the digest form):
    # the same at 5 and 50.
    with django_assert_num_queries(16):
        client.get(reverse("home"))
