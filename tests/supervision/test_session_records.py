"""Supervision records worth keeping: duration and type, the supervisee's comment
and confirmation, overdue markers in the inbox, and monthly running totals."""

import logging
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEvent
from reflections.models import Status
from supervision.models import (
    SessionKind,
    Share,
    SupervisionSession,
)
from teams.models import SupervisionLink
from tests.factories import ReflectionFactory

pytestmark = pytest.mark.django_db

COMMENT = "Marker-comment-5ea1: I felt heard, and I want to come back to the housing question"


@pytest.fixture
def link(author, supervisor):
    return SupervisionLink.objects.create(
        supervisor=supervisor, supervisee=author, since=timezone.localdate() - timedelta(days=60)
    )


@pytest.fixture
def session(author, supervisor, link):
    return SupervisionSession.objects.create(
        supervisor=supervisor,
        supervisee=author,
        duration=50,
        kind=SessionKind.ONE_TO_ONE,
        agreed_actions="Book a longer session.",
    )


def comment_url(session):
    return reverse("supervision:session_comment", args=[session.pk])


def confirm_url(session):
    return reverse("supervision:session_confirm", args=[session.pk])


# Duration and type ------------------------------------------------------------


def test_a_session_records_its_duration_and_type(login, author, supervisor, link):
    response = login(supervisor).post(
        reverse("supervision:sessions"),
        {
            "supervisee": author.pk,
            "held_on": timezone.localdate().isoformat(),
            "duration": "45",
            "kind": SessionKind.GROUP,
        },
    )

    assert response.status_code == 302
    session = SupervisionSession.objects.get()
    assert (session.duration, session.kind) == (45, SessionKind.GROUP)
    page = login(author).get(reverse("supervision:sessions")).content.decode()
    assert "45 minutes" in page
    assert "Group" in page


@pytest.mark.parametrize("duration", ["4", "481", ""])
def test_a_duration_outside_5_to_480_minutes_is_refused(login, author, supervisor, link, duration):
    response = login(supervisor).post(
        reverse("supervision:sessions"),
        {
            "supervisee": author.pk,
            "held_on": timezone.localdate().isoformat(),
            "duration": duration,
            "kind": SessionKind.ONE_TO_ONE,
        },
    )

    assert response.status_code == 422
    assert not SupervisionSession.objects.exists()


def test_the_supervisee_choice_has_no_dashes(login, supervisor, link):
    page = login(supervisor).get(reverse("supervision:sessions")).content.decode()

    assert "---------" not in page
    assert "Choose a supervisee" in page


# The supervisee's comment and confirmation ------------------------------------


def test_the_supervisee_comments_and_confirms(login, author, supervisor, session):
    client = login(author)
    page = client.get(reverse("supervision:sessions")).content.decode()
    assert 'name="form_key"' in page

    assert client.post(comment_url(session), {"text": COMMENT}).status_code == 302
    assert client.post(confirm_url(session)).status_code == 302

    session.refresh_from_db()
    assert session.supervisee_comment == COMMENT
    assert session.confirmed_at is not None
    events = AuditEvent.objects.filter(
        action__in=[Action.SESSION_COMMENT, Action.SESSION_CONFIRM]
    ).order_by("at", "pk")
    assert [(e.actor, e.action, e.detail) for e in events] == [
        (author, Action.SESSION_COMMENT, {"session_id": session.pk}),
        (author, Action.SESSION_CONFIRM, {"session_id": session.pk}),
    ]
    assert all(COMMENT not in str(e.detail) for e in events)
    supervisor_page = login(supervisor).get(reverse("supervision:sessions")).content.decode()
    assert "Confirmed by" in supervisor_page and "on " in supervisor_page
    assert COMMENT.split(":")[0] in supervisor_page


@pytest.mark.parametrize("persona", ["supervisor", "colleague", "team_lead", "outsider"])
def test_only_the_supervisee_comments_or_confirms(request, login, session, persona):
    client = login(request.getfixturevalue(persona))

    assert client.post(comment_url(session), {"text": COMMENT}).status_code == 404
    assert client.post(confirm_url(session)).status_code == 404

    session.refresh_from_db()
    assert (session.supervisee_comment, session.confirmed_at) == ("", None)
    assert not AuditEvent.objects.filter(
        action__in=[Action.SESSION_COMMENT, Action.SESSION_CONFIRM]
    ).exists()


def test_the_model_refuses_anyone_but_the_supervisee(session, supervisor):
    with pytest.raises(ValidationError):
        session.add_comment(supervisor, COMMENT)
    with pytest.raises(ValidationError):
        session.confirm(supervisor)


def test_a_record_is_confirmed_once(login, author, session):
    client = login(author)
    client.post(confirm_url(session))
    first = SupervisionSession.objects.get().confirmed_at

    client.post(confirm_url(session))

    assert SupervisionSession.objects.get().confirmed_at == first
    assert AuditEvent.objects.filter(action=Action.SESSION_CONFIRM).count() == 1


def test_a_comment_is_added_once(login, author, session):
    client = login(author)
    client.post(comment_url(session), {"text": COMMENT})

    client.post(comment_url(session), {"text": "Something else"})

    assert SupervisionSession.objects.get().supervisee_comment == COMMENT
    assert AuditEvent.objects.filter(action=Action.SESSION_COMMENT).count() == 1


def test_a_confirmed_record_refuses_changes(login, author, session):
    session.confirm(author)

    refused = login(author).post(comment_url(session), {"text": COMMENT})
    assert refused.status_code == 409
    assert "Marker-comment" in refused.content.decode()  # what was typed is not lost
    session.refresh_from_db()
    assert session.supervisee_comment == ""
    session.agreed_actions = "Something the supervisor would rather have said"
    with pytest.raises(ValidationError):
        session.save()
    with pytest.raises(ValidationError):
        session.add_comment(author, COMMENT)
    assert SupervisionSession.objects.get().agreed_actions == "Book a longer session."


def test_the_comment_is_encrypted_at_rest_and_kept_out_of_emails_and_logs(
    login, author, session, caplog
):
    with caplog.at_level(logging.DEBUG):
        login(author).post(comment_url(session), {"text": COMMENT})

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT supervisee_comment FROM supervision_supervisionsession WHERE id = %s",
            [session.pk],
        )
        (stored,) = cursor.fetchone()
    assert stored and COMMENT not in stored and "Marker-comment" not in stored
    assert all("Marker-comment" not in m.body for m in mail.outbox)
    assert all("Marker-comment" not in r.getMessage() for r in caplog.records)


def test_the_comment_form_is_safe_to_send_twice(login, author, session):
    client = login(author)
    page = client.get(reverse("supervision:sessions")).content.decode()
    key = page.split('name="form_key" value="')[1].split('"')[0]

    first = client.post(comment_url(session), {"text": COMMENT, "form_key": key})
    second = client.post(comment_url(session), {"text": COMMENT, "form_key": key})

    assert (first.status_code, second.status_code) == (302, 303)
    assert first["Location"] == second["Location"]
    assert AuditEvent.objects.filter(action=Action.SESSION_COMMENT).count() == 1


def test_an_empty_comment_is_refused_and_kept_on_the_page(login, author, session):
    response = login(author).post(comment_url(session), {"text": ""})

    assert response.status_code == 422
    assert SupervisionSession.objects.get().supervisee_comment == ""


# Overdue markers in the inbox -------------------------------------------------


def _waiting(author, supervisor, days):
    return Share.objects.create(
        reflection=ReflectionFactory(author=author, status=Status.FINAL),
        supervisor=supervisor,
        shared_at=timezone.now() - timedelta(days=days, hours=1),
    )


def test_a_share_waiting_15_days_is_overdue_and_13_is_not(login, author, supervisor, link):
    _waiting(author, supervisor, 15)
    _waiting(author, supervisor, 13)

    page = login(supervisor).get(reverse("supervision:inbox")).content.decode()

    assert "Waiting 15 days — overdue" in page
    assert "Waiting 13 days" in page
    assert "Waiting 13 days — overdue" not in page


def test_the_team_sets_when_a_share_is_overdue(login, team, author, supervisor, link):
    team.review_overdue_days = 10
    team.save()
    _waiting(author, supervisor, 13)

    page = login(supervisor).get(reverse("supervision:inbox")).content.decode()

    assert "Waiting 13 days — overdue" in page


@pytest.mark.parametrize("rows", [5, 50])
def test_the_inbox_query_count_stays_flat_with_overdue_shares(
    login, author, supervisor, link, rows, django_assert_num_queries
):
    for _ in range(rows):
        _waiting(author, supervisor, 40)
    client = login(supervisor)

    # As in test_sharing.py: eight, and two for the intervision summaries.
    with django_assert_num_queries(10):
        page = client.get(reverse("supervision:inbox")).content.decode()

    assert page.count("— overdue") == min(rows, 20)


# Running totals ---------------------------------------------------------------


def test_monthly_totals_against_the_team_target(login, team, author, supervisor, link):
    today = timezone.localdate()
    for minutes in (30, 15):
        SupervisionSession.objects.create(
            supervisor=supervisor, supervisee=author, held_on=today, duration=minutes
        )
    # Last month's session and one with no duration count for nothing this month.
    SupervisionSession.objects.create(
        supervisor=supervisor,
        supervisee=author,
        held_on=today.replace(day=1) - timedelta(days=1),
        duration=60,
    )
    SupervisionSession.objects.create(supervisor=supervisor, supervisee=author, held_on=today)

    supervisee_page = login(author).get(reverse("supervision:sessions")).content.decode()
    assert "45 of 60 minutes this month" in supervisee_page

    team.monthly_supervision_minutes = 90
    team.save()
    supervisor_page = login(supervisor).get(reverse("supervision:sessions")).content.decode()
    assert "45 of 90 minutes this month" in supervisor_page
