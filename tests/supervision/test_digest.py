"""The supervisor's digest: periods, who is due, what it counts, sending it once,
the email's wording and content, the send_digests command and the beat wiring.

The real worker, Redis and SMTP server are in test_digest_worker.py.
"""

import os
import re
import smtplib
import socket
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from io import StringIO
from pathlib import Path

import pytest
import time_machine
from celery.schedules import crontab
from django.conf import settings as django_settings
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone

from pod_site.celery import app
from supervision import digest as digest_module
from supervision.digest import (
    Digest,
    build_digest,
    deliver_digest,
    due_supervisor_ids,
    period_start,
    render_digest,
)
from supervision.models import DigestDelivery, Frequency, Response
from supervision.tasks import enqueue_due_digests, retry_countdown, send_digest
from teams.models import IntervisionGroup, Membership, Role
from tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

# A Wednesday. The weekly period in London started on Monday 2 June, 08:00 BST.
NOW = datetime(2025, 6, 4, 10, 0, tzinfo=UTC)
THIS_MONDAY = datetime(2025, 6, 2, 7, 0, tzinfo=UTC)
MARKER = "MARKER-7f3a"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def at_now():
    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture(autouse=True)
def _digest_settings(settings):
    settings.SITE_URL = "https://reflect.example.org"
    settings.SERVICE_NAME = "Riverside Reflect"


@pytest.fixture
def eager_celery():
    # CI sets REDIS_URL, so tasks would go to Redis: run them in-process here.
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


class RefusingBackend(BaseEmailBackend):
    """An SMTP server that answers 451 to everything."""

    def send_messages(self, messages):
        raise smtplib.SMTPDataError(451, b"Try again later")


# Periods --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("frequency", "time_zone", "now", "expected"),
    [
        # Weekly (the default), across the spring change in London (30 March 2025).
        (None, "Europe/London", utc(2025, 3, 31, 7, 30), utc(2025, 3, 31, 7, 0)),
        (None, "Europe/London", utc(2025, 3, 31, 6, 59), utc(2025, 3, 24, 8, 0)),
        (Frequency.WEEKLY, "Europe/London", utc(2025, 4, 6, 22, 0), utc(2025, 3, 31, 7, 0)),
        # Daily: 08:00 on the clock before and after the change, and at 08:00 exactly.
        (Frequency.DAILY, "Europe/London", utc(2025, 3, 30, 7, 0), utc(2025, 3, 30, 7, 0)),
        (Frequency.DAILY, "Europe/London", utc(2025, 3, 30, 6, 59), utc(2025, 3, 29, 8, 0)),
        (Frequency.DAILY, "Europe/London", utc(2025, 10, 26, 8, 0), utc(2025, 10, 26, 8, 0)),
        (Frequency.DAILY, "Europe/London", utc(2025, 10, 26, 7, 59), utc(2025, 10, 25, 7, 0)),
        # Another team's time zone, across its own change (9 March 2025 in New York).
        (Frequency.WEEKLY, "America/New_York", utc(2025, 3, 10, 12, 0), utc(2025, 3, 10, 12, 0)),
        (Frequency.WEEKLY, "America/New_York", utc(2025, 3, 10, 11, 59), utc(2025, 3, 3, 13, 0)),
        (Frequency.DAILY, "Asia/Tokyo", utc(2025, 6, 4, 22, 59), utc(2025, 6, 3, 23, 0)),
        (Frequency.NONE, "Europe/London", utc(2025, 6, 4, 10, 0), None),
    ],
)
def test_period_start(make_supervisor, frequency, time_zone, now, expected):
    supervisor = make_supervisor("sam@example.org", frequency=frequency, time_zone=time_zone)

    with time_machine.travel(now, tick=False):
        assert period_start(supervisor, timezone.now()) == expected


def test_the_time_zone_is_that_of_the_first_supervisor_team(make_supervisor):
    supervisor = make_supervisor("sam@example.org", time_zone="America/New_York")
    Membership.objects.create(
        user=supervisor, team=TeamFactory(time_zone="Asia/Tokyo"), role=Role.SUPERVISOR
    )

    assert period_start(supervisor, utc(2025, 3, 10, 12, 0)) == utc(2025, 3, 10, 12, 0)


def test_without_a_supervisor_role_the_service_time_zone_is_used(settings):
    settings.TIME_ZONE = "Europe/London"
    person = UserFactory()

    assert period_start(person, utc(2025, 3, 31, 7, 30)) == utc(2025, 3, 31, 7, 0)


# Who is due -------------------------------------------------------------------


def test_due_supervisors(make_supervisor, django_assert_num_queries, at_now):
    weekly = make_supervisor("weekly@example.org")
    daily = make_supervisor("daily@example.org", frequency=Frequency.DAILY)
    make_supervisor("none@example.org", frequency=Frequency.NONE)
    sent = make_supervisor("sent@example.org")
    DigestDelivery.objects.create(supervisor=sent, period_start=THIS_MONDAY, sent_at=NOW)
    failed = make_supervisor("failed@example.org")
    DigestDelivery.objects.create(supervisor=failed, period_start=THIS_MONDAY, attempts=2)
    last_week = make_supervisor("last.week@example.org")
    DigestDelivery.objects.create(
        supervisor=last_week, period_start=THIS_MONDAY - timedelta(days=7), sent_at=NOW
    )
    inactive = make_supervisor("left@example.org")
    inactive.is_active = False
    inactive.save()
    two_teams = make_supervisor("two.teams@example.org")
    Membership.objects.create(user=two_teams, team=TeamFactory(), role=Role.SUPERVISOR)
    peer = UserFactory(email="peer@example.org")
    Membership.objects.create(user=peer, team=TeamFactory(), role=Role.PEER_PRACTITIONER)

    with django_assert_num_queries(2):
        due = due_supervisor_ids(NOW)

    assert sorted(due) == sorted([weekly.pk, daily.pk, failed.pk, last_week.pk, two_teams.pk])


def test_a_period_that_keeps_failing_stays_due_until_it_ends(make_supervisor, at_now):
    supervisor = make_supervisor("bounces@example.org")
    DigestDelivery.objects.create(supervisor=supervisor, period_start=THIS_MONDAY, attempts=500)

    assert due_supervisor_ids(NOW) == [supervisor.pk]


# What a digest counts ---------------------------------------------------------


@pytest.fixture
def counted(make_supervisor, make_supervisee, share_note, at_now):
    """A supervisor with notes in every state, and groups they do and do not facilitate."""
    supervisor = make_supervisor("sam@example.org")
    supervisee = make_supervisee(supervisor)
    other = make_supervisor("other@example.org")
    ago = lambda **kw: NOW - timedelta(**kw)  # noqa: E731

    share_note(supervisee, supervisor, shared_at=ago(days=3, hours=2), wants_supervision=True)
    share_note(supervisee, supervisor, shared_at=ago(hours=1))
    share_note(supervisee, supervisor, shared_at=ago(hours=2), reviewed_at=ago(hours=1))
    share_note(supervisee, supervisor, shared_at=ago(days=9), revoked_at=ago(days=1))
    share_note(supervisee, supervisor, shared_at=ago(hours=3), revoked_at=ago(hours=2))
    share_note(
        supervisee, supervisor, shared_at=ago(days=4), until=(NOW - timedelta(days=1)).date()
    )
    share_note(supervisee, other, shared_at=ago(hours=1))

    team = supervisee.memberships.first().team
    facilitated = IntervisionGroup.objects.create(team=team, name="Mine", facilitator=supervisor)
    facilitated.members.add(supervisee)
    fresh = share_note(supervisee, group=facilitated, shared_at=ago(days=1))
    old = share_note(supervisee, group=facilitated, shared_at=ago(days=5))
    Response.objects.create(share=fresh, author=supervisee, text="x", created_at=ago(hours=5))
    Response.objects.create(share=fresh, author=supervisor, text="x", created_at=ago(hours=4))
    Response.objects.create(share=old, author=supervisee, text="x", created_at=ago(days=5))
    share_note(supervisee, group=facilitated, shared_at=ago(hours=6), revoked_at=ago(hours=5))

    not_mine = IntervisionGroup.objects.create(team=team, name="Theirs", facilitator=other)
    not_mine.members.add(supervisee, supervisor)
    theirs = share_note(supervisee, group=not_mine, shared_at=ago(hours=1))
    Response.objects.create(share=theirs, author=supervisee, text="x", created_at=ago(hours=1))

    DigestDelivery.objects.create(
        supervisor=supervisor, period_start=ago(days=9), sent_at=ago(days=2)
    )
    return supervisor


def test_build_digest_counts(counted):
    assert build_digest(counted, NOW) == Digest(
        frequency="weekly",
        awaiting_review=2,
        newly_shared=2,  # since the last digest two days ago: the reviewed one counts too
        oldest_waiting_days=3,
        want_to_talk=1,
        intervision_groups=1,
        intervision_shared=1,
        intervision_responses=1,
        inbox_url="https://reflect.example.org" + reverse("supervision:inbox"),
    )


def test_without_a_sent_digest_new_means_over_the_last_period(counted):
    DigestDelivery.objects.filter(supervisor=counted).delete()

    digest = build_digest(counted, NOW)

    assert (digest.newly_shared, digest.intervision_shared, digest.intervision_responses) == (
        3,
        2,
        2,
    )


def test_an_empty_digest(make_supervisor, at_now):
    digest = build_digest(make_supervisor("sam@example.org"), NOW)

    assert digest.is_empty
    assert digest.oldest_waiting_days is None


# Sending once -----------------------------------------------------------------


@pytest.fixture
def due_supervisor(make_supervisor, make_supervisee, share_note, at_now):
    supervisor = make_supervisor("sam@example.org")
    supervisee = make_supervisee(supervisor)
    for days in (1, 2, 5):
        share_note(supervisee, supervisor, shared_at=NOW - timedelta(days=days))
    return supervisor


def test_delivering_twice_sends_one_email(due_supervisor, mailoutbox):
    assert deliver_digest(due_supervisor.pk) == "sent"
    assert deliver_digest(due_supervisor.pk) == "already sent"

    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.to == ["sam@example.org"]
    assert email.subject == "3 shared notes waiting for your review · Riverside Reflect"
    assert email.alternatives[0].mimetype == "text/html"
    claim = DigestDelivery.objects.get(supervisor=due_supervisor)
    assert (claim.period_start, claim.sent_at, claim.attempts) == (THIS_MONDAY, NOW, 1)
    assert due_supervisor_ids(NOW) == []


def test_a_failed_send_leaves_the_period_due_and_a_retry_sends_it(
    due_supervisor, mailoutbox, settings
):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"

    with pytest.raises(smtplib.SMTPDataError):
        deliver_digest(due_supervisor.pk)

    claim = DigestDelivery.objects.get(supervisor=due_supervisor)
    assert (claim.sent_at, claim.attempts) == (None, 1)
    assert due_supervisor_ids(NOW) == [due_supervisor.pk]

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert deliver_digest(due_supervisor.pk) == "sent"
    assert deliver_digest(due_supervisor.pk) == "already sent"

    assert len(mailoutbox) == 1
    claim.refresh_from_db()
    assert (claim.sent_at, claim.attempts) == (NOW, 2)


def test_nothing_to_report_sends_nothing_and_closes_the_period(make_supervisor, mailoutbox, at_now):
    supervisor = make_supervisor("sam@example.org")

    assert deliver_digest(supervisor.pk) == "nothing to report"

    assert mailoutbox == []
    assert DigestDelivery.objects.get(supervisor=supervisor).sent_at == NOW
    assert due_supervisor_ids(NOW) == []


def test_no_digest_for_those_who_chose_none(make_supervisor, mailoutbox, at_now):
    supervisor = make_supervisor("sam@example.org", frequency=Frequency.NONE)

    assert deliver_digest(supervisor.pk) == "no digest"
    assert not DigestDelivery.objects.exists()


def test_the_next_period_sends_again(due_supervisor, mailoutbox):
    deliver_digest(due_supervisor.pk)

    with time_machine.travel(NOW + timedelta(days=7), tick=False):
        assert due_supervisor_ids(NOW + timedelta(days=7)) == [due_supervisor.pk]
        assert deliver_digest(due_supervisor.pk) == "sent"

    assert len(mailoutbox) == 2


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_deliveries_at_once_send_one_email(
    make_supervisor, make_supervisee, share_note, mailoutbox, monkeypatch
):
    if connection.vendor != "postgresql":
        message = "row locks need PostgreSQL (SQLite ignores select_for_update)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    supervisor = make_supervisor("sam@example.org")
    share_note(make_supervisee(supervisor), supervisor)
    send = digest_module.send_digest_email

    def slow_send(*args):
        time.sleep(0.3)  # the other delivery arrives while this one is sending
        send(*args)

    monkeypatch.setattr(digest_module, "send_digest_email", slow_send)
    outcomes = []

    def deliver():
        try:
            outcomes.append(deliver_digest(supervisor.pk))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)

    assert sorted(outcomes) == ["already sent", "sent"]
    assert len(mailoutbox) == 1


# The email --------------------------------------------------------------------


def digest(**counts) -> Digest:
    values = {
        "frequency": "weekly",
        "awaiting_review": 0,
        "newly_shared": 0,
        "oldest_waiting_days": None,
        "want_to_talk": 0,
        "intervision_groups": 0,
        "intervision_shared": 0,
        "intervision_responses": 0,
        "inbox_url": "https://reflect.example.org/supervision/",
    }
    return Digest(**{**values, **counts})


def test_the_email_says_the_counts_plainly():
    subject, text, html = render_digest(
        digest(
            awaiting_review=3,
            oldest_waiting_days=6,
            want_to_talk=2,
            newly_shared=1,
            intervision_groups=1,
            intervision_shared=2,
            intervision_responses=5,
        )
    )

    assert subject == "3 shared notes waiting for your review · Riverside Reflect"
    for body in (text, " ".join(re.sub(r"<[^>]+>", " ", html).split())):
        assert "3 shared notes are waiting for your review." in body
        assert "The longest has waited 6 days." in body
        assert "2 of them ask to talk in supervision." in body
        assert "1 note was shared with you since your last digest." in body
        assert "2 notes shared and 5 responses" in body
        assert "Riverside Reflect" in body
    assert "https://reflect.example.org/supervision/\n" in text
    assert 'href="https://reflect.example.org/supervision/"' in html
    assert "\n\n\n" not in text


def test_the_email_in_the_singular():
    subject, text, _ = render_digest(digest(awaiting_review=1, want_to_talk=1))

    assert subject == "1 shared note waiting for your review · Riverside Reflect"
    assert "1 shared note is waiting for your review. It was shared less than a day ago." in text
    assert "Its author would like to talk about it in supervision." in text
    assert "intervision" not in text


def test_the_email_carries_no_content(make_supervisor, write_marker, mailoutbox, at_now):
    supervisor = make_supervisor("sam@example.org")
    supervisee = write_marker(supervisor, MARKER)

    assert deliver_digest(supervisor.pk) == "sent"

    email = mailoutbox[0]
    html = email.alternatives[0].content
    for part in (email.subject, email.body, html):
        assert MARKER.lower() not in part.lower()
        assert supervisee.email not in part
    # The marked notes were counted, so the email is about them.
    assert "1 shared note is waiting for your review" in email.body
    assert "1 note shared and 1 response" in email.body
    assert "1 summary from the intervision groups you supervise is waiting" in email.body


# The command ------------------------------------------------------------------


def test_dry_run_prints_and_claims_nothing(due_supervisor, make_supervisor, mailoutbox):
    make_supervisor("quiet@example.org")
    out = StringIO()

    call_command("send_digests", "--dry-run", stdout=out)

    output = out.getvalue()
    assert f"Supervisor {due_supervisor.pk} <sam@example.org>, weekly digest" in output
    assert "Subject: 3 shared notes waiting for your review · Riverside Reflect" in output
    assert "Awaiting review: 3 (oldest waiting 5 days; 0 ask to talk)" in output
    assert "Subject: (nothing to report: no email)" in output
    assert "Dry run: 2 digest(s) due; nothing sent or claimed." in output
    assert not DigestDelivery.objects.exists()
    assert mailoutbox == []


def test_dry_run_for_one_supervisor(due_supervisor, make_supervisor, mailoutbox):
    make_supervisor("quiet@example.org")
    out = StringIO()

    call_command("send_digests", "--dry-run", "--supervisor", "SAM@example.org", stdout=out)

    assert "sam@example.org" in out.getvalue()
    assert "quiet@example.org" not in out.getvalue()


def test_the_command_sends_what_is_due_once(due_supervisor, make_supervisor, mailoutbox):
    make_supervisor("quiet@example.org")
    out = StringIO()

    call_command("send_digests", stdout=out)
    call_command("send_digests", stdout=out)

    assert f"Supervisor {due_supervisor.pk} <sam@example.org>: sent" in out.getvalue()
    assert "<quiet@example.org>: nothing to report" in out.getvalue()
    assert out.getvalue().endswith("No digest is due.\n")
    assert len(mailoutbox) == 1


def test_the_command_reports_a_failed_send(due_supervisor, settings):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"

    with pytest.raises(CommandError, match="1 digest"):
        call_command("send_digests", stdout=StringIO())


def test_an_unknown_supervisor_email_is_a_clear_error(db):
    with pytest.raises(
        CommandError, match=re.escape("No user has the email address 'nobody@example.org'")
    ):
        call_command("send_digests", "--dry-run", "--supervisor", "nobody@example.org")


def test_a_person_who_is_not_a_supervisor_is_a_clear_error(author):
    with pytest.raises(CommandError, match="does not hold a supervisor role"):
        call_command("send_digests", "--supervisor", author.email)


# Tasks and beat ---------------------------------------------------------------


def test_beat_enqueues_due_digests_every_15_minutes():
    entry = django_settings.CELERY_BEAT_SCHEDULE["enqueue-due-digests"]

    assert entry["task"] == "supervision.tasks.enqueue_due_digests"
    assert entry["schedule"] == crontab(minute="*/15")
    assert app.conf.beat_schedule == django_settings.CELERY_BEAT_SCHEDULE
    # shared_task gives a proxy: the worker's registry must hold the same task.
    assert app.tasks[entry["task"]] is enqueue_due_digests._get_current_object()


def test_the_send_task_is_configured_for_a_claimed_send():
    task = app.tasks["supervision.tasks.send_digest"]

    assert task is send_digest._get_current_object()
    assert (task.acks_late, task.max_retries) == (True, 5)
    assert (task.soft_time_limit, task.time_limit) == (60, 90)
    assert app.conf.task_serializer == "json"
    assert app.conf.accept_content == ["json"]
    assert app.conf.worker_prefetch_multiplier == 1


def test_retry_backoff_doubles_from_the_setting(settings):
    settings.DIGEST_RETRY_BACKOFF = 0
    assert retry_countdown(3) == 0

    settings.DIGEST_RETRY_BACKOFF = 60
    assert all(0 <= retry_countdown(2) <= 240 for _ in range(50))
    assert max(retry_countdown(30) for _ in range(50)) <= 30 * 60


def test_enqueue_sends_each_due_digest(due_supervisor, make_supervisor, mailoutbox, eager_celery):
    make_supervisor("quiet@example.org")

    assert enqueue_due_digests.delay().get() == 2
    assert enqueue_due_digests.delay().get() == 0

    assert [email.to for email in mailoutbox] == [["sam@example.org"]]


def test_only_the_beat_task_enqueues():
    """Web requests never talk to the broker: no app code but supervision/tasks.py
    enqueues a task (the digest benchmark, devdata/bench_digests.py, runs outside
    the app as a script and may)."""
    root = Path(django_settings.BASE_DIR)
    enqueuing = re.compile(r"\.(delay|apply_async|send_task)\(")
    offenders = [
        str(path.relative_to(root))
        for path in root.glob("*/**/*.py")
        if path.parts[len(root.parts)] not in {".venv", "tests", "var", "node_modules", "scripts"}
        and path.relative_to(root)
        not in {Path("supervision/tasks.py"), Path("devdata/bench_digests.py")}
        and enqueuing.search(path.read_text())
    ]

    assert offenders == []


def test_a_request_touching_the_cache_fails_fast_while_redis_hangs():
    """Redis accepts the connection and never answers: the cache gives up in about
    a second (the socket timeouts in settings), so a web request cannot hang on it,
    and answers from memory (pod_site/cache.py); the next call does not wait again."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        host, port = silent.getsockname()
        code = (
            "import time\n"
            "from django.core.cache import cache\n"
            "started = time.monotonic()\n"
            "first = cache.get('anything', 'fallback')\n"
            "cache.set('anything', 'kept')\n"
            "print(first, cache.get('anything'), time.monotonic() - started)\n"
        )
        result = subprocess.run(  # noqa: S603 (our own interpreter and code)
            [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
            cwd=django_settings.BASE_DIR,
            env={**os.environ, "DEBUG": "true", "REDIS_URL": f"redis://{host}:{port}/1"},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    first, kept, seconds = result.stdout.split()
    assert (first, kept) == ("fallback", "kept"), result.stderr
    assert float(seconds) < 3
    assert "Redis cache unavailable" in result.stderr
