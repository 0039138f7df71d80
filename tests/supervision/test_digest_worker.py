"""Digest emails end to end: a real Celery worker, real Redis, a real SMTP server.

The worker runs in a thread of this process (celery.contrib.testing), consuming
from the broker at settings.REDIS_URL; emails go over SMTP to an aiosmtpd server
on 127.0.0.1. The tests are transactional, so the worker's own database
connection sees their rows.

Without Redis these tests are skipped locally, and fail in CI (CI=true), where
.ci/run starts Redis and sets REDIS_URL.
"""

import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
import redis
from aiosmtpd.controller import Controller
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.conf import settings as django_settings

from pod_site.celery import app
from supervision.models import DigestDelivery, Frequency
from supervision.tasks import enqueue_due_digests

pytestmark = [
    # Seeded rows (the principles) are there at the start, and put back for
    # later tests after the flush that ends a transactional test.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

MARKER = "MARKER-7f3a"
WAIT_SECONDS = 30
SEND_TASK = "supervision.tasks.send_digest"
ENQUEUE_TASK = "supervision.tasks.enqueue_due_digests"


def wait_for(condition: Callable[[], bool], what: str, seconds: float = WAIT_SECONDS) -> None:
    """Poll until `condition()` holds, failing after `seconds`."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"Waited {seconds} s for {what}")
        time.sleep(0.05)


# The SMTP server --------------------------------------------------------------


@dataclass
class Mailbox:
    """An aiosmtpd handler: keeps what it accepts, refuses the first `refuse` emails."""

    refuse: int = 0
    refused: int = 0
    received: list[EmailMessage] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope) -> str:
        if self.refused < self.refuse:
            self.refused += 1
            return "451 4.3.0 Try again later"
        self.received.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def mailbox(settings) -> Iterator[Mailbox]:
    handler = Mailbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    # Settings are process-wide, so the worker thread sends here too.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    settings.DIGEST_RETRY_BACKOFF = 1
    yield handler
    controller.stop()


# The worker -------------------------------------------------------------------


@dataclass
class Finished:
    """Tasks the worker finished, as (task name, state, return value)."""

    runs: list[tuple[str, str, object]] = field(default_factory=list)

    def of(self, name: str, state: str | None = None) -> list[object]:
        return [retval for task, st, retval in self.runs if task == name and state in (None, st)]


@pytest.fixture
def redis_broker() -> None:
    url = django_settings.REDIS_URL
    problem = None
    if not url:
        problem = "REDIS_URL is not set"
    else:
        try:
            redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping()
        except redis.RedisError as exc:
            problem = f"Redis at REDIS_URL is not answering ({exc})"
    if problem:
        message = f"{problem}: the digest worker test needs a real Redis broker"
        if os.environ.get("CI") == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(f"{message} (run it with REDIS_URL=redis://127.0.0.1:6379/1)")


@pytest.fixture
def worker(redis_broker, mailbox) -> Iterator[Finished]:
    """A Celery worker thread consuming from Redis; yields the tasks it finished."""
    finished = Finished()
    lock = threading.Lock()

    def record(sender=None, state=None, retval=None, **kwargs) -> None:
        with lock:
            finished.runs.append((sender.name, state, retval))

    previous = {
        "task_always_eager": app.conf.task_always_eager,
        "worker_hijack_root_logger": app.conf.worker_hijack_root_logger,
    }
    app.conf.task_always_eager = False
    # Leave pytest's log capture alone.
    app.conf.worker_hijack_root_logger = False
    task_postrun.connect(record, weak=False)
    app.control.purge()  # nothing left over from an earlier run
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
            yield finished
    finally:
        task_postrun.disconnect(record)
        app.conf.update(previous)


def assert_no_marker(emails: list[EmailMessage]) -> None:
    for email in emails:
        parts = [email["Subject"], email.as_string()]
        parts += [part.get_content() for part in email.walk() if not part.is_multipart()]
        for part in parts:
            assert MARKER.lower() not in part.lower()


# The tests --------------------------------------------------------------------


def test_three_due_supervisors_get_exactly_three_emails(
    worker, mailbox, make_supervisor, write_marker
):
    supervisors = [make_supervisor(f"supervisor{n}@example.org") for n in range(3)]
    for supervisor in supervisors:
        write_marker(supervisor, MARKER)
    make_supervisor("no.digest@example.org", frequency=Frequency.NONE)
    started = time.monotonic()

    enqueue_due_digests.delay()

    wait_for(lambda: len(worker.of(SEND_TASK, "SUCCESS")) == 3, "three digests to be sent")
    assert worker.of(ENQUEUE_TASK) == [3]
    assert sorted(worker.of(SEND_TASK)) == ["sent", "sent", "sent"]
    assert sorted(email["To"] for email in mailbox.received) == [s.email for s in supervisors]
    assert DigestDelivery.objects.filter(sent_at__isnull=False, attempts=1).count() == 3
    first_round = time.monotonic() - started

    # Beat again: nothing is due. And a late duplicate of each send finds it sent.
    enqueue_due_digests.delay()
    wait_for(lambda: len(worker.of(ENQUEUE_TASK)) == 2, "the second enqueue")
    assert worker.of(ENQUEUE_TASK) == [3, 0]
    for supervisor in supervisors:
        app.send_task(SEND_TASK, args=[supervisor.pk])
    wait_for(lambda: len(worker.of(SEND_TASK)) == 6, "the duplicate sends")
    assert worker.of(SEND_TASK)[3:] == ["already sent"] * 3

    assert len(mailbox.received) == 3
    assert_no_marker(mailbox.received)
    print(f"three digests through Redis and SMTP in {first_round:.2f} s")


def test_an_smtp_server_that_refuses_twice_still_yields_one_email(
    worker, mailbox, make_supervisor, write_marker
):
    supervisor = make_supervisor("supervisor@example.org")
    write_marker(supervisor, MARKER)
    mailbox.refuse = 2
    started = time.monotonic()

    enqueue_due_digests.delay()

    wait_for(lambda: worker.of(SEND_TASK, "SUCCESS"), "the digest to be sent after retries")
    assert [state for task, state, _ in worker.runs if task == SEND_TASK] == [
        "RETRY",
        "RETRY",
        "SUCCESS",
    ]
    assert mailbox.refused == 2
    assert [email["To"] for email in mailbox.received] == [supervisor.email]
    claim = DigestDelivery.objects.get(supervisor=supervisor)
    assert claim.sent_at is not None
    assert claim.attempts == 3
    assert_no_marker(mailbox.received)
    print(f"one digest after two refusals in {time.monotonic() - started:.2f} s")
