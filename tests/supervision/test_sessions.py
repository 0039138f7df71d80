"""Supervision sessions: recorded by the supervisor, seen by the two people only."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from reflections.models import Status
from supervision.models import Share, SupervisionSession
from teams.models import SupervisionLink
from tests.factories import ReflectionFactory

pytestmark = pytest.mark.django_db

ACTIONS = "Marker-actions-91e0: book a longer session next month"


@pytest.fixture
def link(author, supervisor):
    return SupervisionLink.objects.create(supervisor=supervisor, supervisee=author)


@pytest.fixture
def share(author, supervisor, link):
    return Share.objects.create(
        reflection=ReflectionFactory(author=author, status=Status.FINAL), supervisor=supervisor
    )


def test_a_supervisor_records_a_session_with_the_notes_discussed(login, author, supervisor, share):
    response = login(supervisor).post(
        reverse("supervision:sessions"),
        {
            "supervisee": author.pk,
            "held_on": "2026-11-20",
            "duration": "50",
            "kind": "one_to_one",
            "discussed": [share.pk],
            "agreed_actions": ACTIONS,
            "next_on": "2026-12-18",
        },
    )

    assert response.status_code == 302
    session = SupervisionSession.objects.get()
    assert (session.supervisor, session.supervisee) == (supervisor, author)
    assert list(session.discussed.all()) == [share]
    assert ACTIONS in login(author).get(reverse("supervision:sessions")).content.decode()


@pytest.mark.parametrize("persona", ["colleague", "team_lead", "outsider"])
def test_nobody_else_sees_a_session(request, login, author, supervisor, link, persona):
    SupervisionSession.objects.create(
        supervisor=supervisor, supervisee=author, agreed_actions=ACTIONS
    )

    response = login(request.getfixturevalue(persona)).get(reverse("supervision:sessions"))

    assert ACTIONS not in response.content.decode()


def test_only_a_supervisor_records_sessions(login, author, link):
    response = login(author).post(reverse("supervision:sessions"), {"supervisee": author.pk})

    assert response.status_code == 404
    assert not SupervisionSession.objects.exists()


def test_a_session_with_someone_i_do_not_supervise_is_refused(login, supervisor, colleague, link):
    response = login(supervisor).post(
        reverse("supervision:sessions"), {"supervisee": colleague.pk, "held_on": "2026-11-20"}
    )

    assert response.status_code == 422
    assert "Select a valid choice" in response.content.decode()


def test_notes_discussed_must_be_the_supervisees(login, author, colleague, supervisor, share):
    SupervisionLink.objects.create(supervisor=supervisor, supervisee=colleague)

    response = login(supervisor).post(
        reverse("supervision:sessions"),
        {"supervisee": colleague.pk, "held_on": "2026-11-20", "discussed": [share.pk]},
    )

    assert response.status_code == 422
    assert "Choose notes shared by this supervisee only." in response.content.decode()


def test_a_supervisor_whose_link_has_ended_cannot_record_a_session(login, author, supervisor, link):
    link.since = timezone.localdate() - timedelta(days=30)
    link.until = timezone.localdate() - timedelta(days=1)
    link.save()

    response = login(supervisor).post(
        reverse("supervision:sessions"),
        {"supervisee": author.pk, "held_on": timezone.localdate().isoformat()},
    )

    assert response.status_code == 422
    assert not SupervisionSession.objects.exists()
