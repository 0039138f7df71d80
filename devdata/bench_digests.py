# ruff: noqa: S603 -- a benchmark script: starts one Celery worker from this venv
"""The digest benchmark (`make bench-digests`, docs/performance.md).

Target (issue 7): digests for 1,000 supervisors delivered to a local SMTP
server in under 60 seconds on one worker.

Against a database of its own (DATABASE_URL) and a Redis database of its own
(REDIS_URL), this script:

1. migrates, removes what an earlier run of this script made (its teams and
   people, and with them their shares and digest claims), then bulk-inserts
   --supervisors supervisors (one team per 100), each with one supervisee and
   --notes finished notes shared with them;
2. starts an aiosmtpd server on a free port of 127.0.0.1 (a thread of this
   process) and ONE real Celery worker process (`celery worker --pool solo
   --concurrency 1`) sending to it (EMAIL_URL=smtp://127.0.0.1:PORT);
3. sends `enqueue_due_digests` through Redis, times from then until every
   digest has arrived (at most --timeout seconds), waits --grace seconds more
   for any duplicate, and prints the elapsed time, emails per second, the
   count and distinct recipients, and the worker's own per-task timings;
4. always stops the worker and the SMTP server. It drops nothing.

Exits 1 when not exactly one email per supervisor arrived, or the time was
over --target seconds.
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import signal
import socket
import statistics
import subprocess  # nosec B404
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pod_site.settings")

PREFIX = "digest-bench"
SEND_TASK = "supervision.tasks.send_digest"
ENQUEUE_TASK = "supervision.tasks.enqueue_due_digests"
# Celery's trace line, "Task <name>[<id>] succeeded in 0.0123s: 'sent'", in the
# plain or the JSON log format.
SUCCEEDED = re.compile(r"Task ([\w.]+)\[[^\]]+\] succeeded in ([0-9.]+)s")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Mailbox:
    """An aiosmtpd handler that counts what arrives, by recipient, with the time."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.recipients: Counter[str] = Counter()
        self.total = 0
        self.first_at: float | None = None
        self.last_at: float | None = None

    async def handle_DATA(self, server, session, envelope) -> str:
        with self.lock:
            now = time.monotonic()
            self.first_at = self.first_at or now
            self.last_at = now
            self.total += 1
            for address in envelope.rcpt_tos:
                self.recipients[address.lower()] += 1
        return "250 OK"


def reset_and_seed(supervisors: int, notes: int) -> list[str]:
    """Remove an earlier run's rows, bulk-insert this run's; return the supervisors' emails."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from reflections.models import Reflection, Status
    from supervision.models import DigestPreference, Frequency, Share
    from teams.models import Membership, Role, SupervisionLink, Team, User

    with transaction.atomic():
        User.objects.filter(email__startswith=f"{PREFIX}-").delete()
        Team.objects.filter(name__startswith=f"{PREFIX} ").delete()

    now = timezone.now()
    password = make_password(None)  # unusable: nobody signs in as these people
    with transaction.atomic():
        teams = Team.objects.bulk_create(
            [Team(name=f"{PREFIX} {n + 1}") for n in range((supervisors + 99) // 100)]
        )
        heads = User.objects.bulk_create(
            [
                User(email=f"{PREFIX}-supervisor-{n}@example.org", password=password)
                for n in range(supervisors)
            ]
        )
        supervisees = User.objects.bulk_create(
            [
                User(email=f"{PREFIX}-supervisee-{n}@example.org", password=password)
                for n in range(supervisors)
            ]
        )
        pairs = list(zip(heads, supervisees, strict=True))
        Membership.objects.bulk_create(
            [
                membership
                for n, (head, supervisee) in enumerate(pairs)
                for membership in (
                    Membership(user=head, team=teams[n // 100], role=Role.SUPERVISOR),
                    Membership(user=supervisee, team=teams[n // 100], role=Role.PEER_PRACTITIONER),
                )
            ]
        )
        SupervisionLink.objects.bulk_create(
            [
                SupervisionLink(supervisor=head, supervisee=supervisee, since=now.date())
                for head, supervisee in pairs
            ]
        )
        # One in ten chose a daily digest; the rest have the weekly default.
        DigestPreference.objects.bulk_create(
            [DigestPreference(user=head, frequency=Frequency.DAILY) for head in heads[::10]]
        )
        reflections = Reflection.objects.bulk_create(
            [
                Reflection(
                    author=supervisee,
                    status=Status.FINAL,
                    written_at=now - timedelta(days=note + 1),
                    finished_at=now - timedelta(days=note + 1),
                    text="A benchmark note.",
                    wants_supervision=note == 0,
                )
                for _, supervisee in pairs
                for note in range(notes)
            ]
        )
        Share.objects.bulk_create(
            [
                Share(
                    reflection=reflection,
                    supervisor=pairs[n // notes][0],
                    shared_at=now - timedelta(hours=n % notes + 1),
                )
                for n, reflection in enumerate(reflections)
            ]
        )
    return [head.email for head in heads]


def worker_environment(smtp_port: int) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        EMAIL_URL=f"smtp://127.0.0.1:{smtp_port}",
        DEBUG="false",
        SECURE_COOKIES="false",
        PATH=f"{Path(sys.executable).parent}:{env.get('PATH', '')}",
    )
    for name in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "FIELD_ENCRYPTION_KEYS"):
        if not env.get(name):
            raise SystemExit(f"bench_digests needs {name} set")
    return env


def wait_for_worker(app, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"The worker exited early with {process.returncode}")
        if app.control.ping(timeout=0.5):
            return
    raise SystemExit(f"The worker did not answer a ping in {seconds} s")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)  # warm shutdown
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def task_times(log: str) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {}
    for name, seconds in SUCCEEDED.findall(log):
        times.setdefault(name, []).append(float(seconds))
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--supervisors", type=int, default=1000)
    parser.add_argument("--notes", type=int, default=3, help="Notes shared with each.")
    parser.add_argument("--timeout", type=float, default=300, help="Longest wait, seconds.")
    parser.add_argument("--grace", type=float, default=3, help="Wait for duplicates, seconds.")
    parser.add_argument("--target", type=float, default=60, help="Seconds (issue 7).")
    parser.add_argument("--keep-log", action="store_true", help="Keep the worker's log file.")
    args = parser.parse_args()

    import django

    django.setup()
    from aiosmtpd.controller import Controller
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from pod_site.celery import app

    # aiosmtpd logs every SMTP command, recipients included, at INFO.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        raise SystemExit("bench_digests needs DATABASE_URL (PostgreSQL) and REDIS_URL")
    print(f"Database {connection.settings_dict['NAME']}, broker {settings.REDIS_URL}")
    call_command("migrate", "--noinput", verbosity=0)
    started = time.monotonic()
    emails = reset_and_seed(args.supervisors, args.notes)
    print(
        f"Seeded {len(emails):,} supervisors, each with a supervisee and {args.notes} shared "
        f"notes, in {time.monotonic() - started:.1f} s"
    )
    connection.close()  # the worker has the database to itself while timed

    mailbox = Mailbox()
    smtp = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    log_file = tempfile.NamedTemporaryFile(  # noqa: SIM115 -- closed in finally
        prefix="bench-digests-worker-", suffix=".log", delete=False
    )
    worker = None
    smtp.start()
    try:
        app.control.purge()  # nothing left over from an earlier run in this Redis db
        # A fixed argument list (this venv's celery), no shell, no outside input.
        worker = subprocess.Popen(  # nosec B603
            [
                str(Path(sys.executable).parent / "celery"),
                "--app",
                "pod_site",
                "worker",
                "--pool",
                "solo",
                "--concurrency",
                "1",
                "--loglevel",
                "INFO",
                "--without-gossip",
                "--without-mingle",
                "--hostname",
                f"bench-digests@{socket.gethostname()}",
            ],
            cwd=ROOT,
            env=worker_environment(smtp.port),
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
        wait_for_worker(app, worker)
        print(f"Worker pid {worker.pid} ready (solo pool); SMTP on 127.0.0.1:{smtp.port}")

        sent_at = time.monotonic()
        app.send_task(ENQUEUE_TASK)
        deadline = sent_at + args.timeout
        while mailbox.total < len(emails) and time.monotonic() < deadline:
            if worker.poll() is not None:
                print(f"The worker exited with {worker.returncode}")
                break
            time.sleep(0.02)
        done_at = mailbox.last_at if mailbox.total >= len(emails) else None
        time.sleep(args.grace)  # anything more would be a duplicate
    finally:
        if worker is not None:
            stop(worker)
        smtp.stop()
        log_file.close()

    log = Path(log_file.name).read_text(errors="replace")
    if args.keep_log:
        print(f"Worker log: {log_file.name}")
    else:
        Path(log_file.name).unlink()

    expected = set(emails)
    distinct = set(mailbox.recipients)
    duplicates = sum(count - 1 for count in mailbox.recipients.values() if count > 1)
    print(f"Emails received: {mailbox.total:,} (expected {len(emails):,})")
    print(f"Distinct recipients: {len(distinct):,}; duplicates: {duplicates}")
    print(f"Unexpected recipients: {len(distinct - expected)}; missing: {len(expected - distinct)}")
    elapsed = None
    if done_at is not None:
        elapsed = done_at - sent_at
        first = (mailbox.first_at or sent_at) - sent_at
        print(f"Enqueue to the last email: {elapsed:.2f} s (the first after {first:.2f} s)")
        print(f"Emails per second: {len(emails) / elapsed:.1f}")
    else:
        print(f"Not all arrived within {args.timeout:.0f} s")
    for name, seconds in sorted(task_times(log).items()):
        ordered = sorted(seconds)
        p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
        print(
            f"Worker: {name} x{len(ordered)}: total {sum(ordered):.2f} s, "
            f"median {statistics.median(ordered) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms, "
            f"max {ordered[-1] * 1000:.1f} ms"
        )

    from supervision.models import DigestDelivery

    claims = DigestDelivery.objects.filter(supervisor__email__startswith=f"{PREFIX}-supervisor-")
    print(f"Digest claims sent: {claims.filter(sent_at__isnull=False).count():,}")
    exact = mailbox.total == len(emails) and distinct == expected and duplicates == 0
    met = exact and elapsed is not None and elapsed < args.target
    print(
        f"Target: {len(emails):,} digests in under {args.target:.0f} s on one worker: "
        + ("met" if met else "MISSED")
    )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
