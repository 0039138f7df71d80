"""Celery tasks for the digest emails: thin wrappers around supervision/digest.py.

Beat runs `enqueue_due_digests` every 15 minutes (CELERY_BEAT_SCHEDULE); it
enqueues one `send_digest` per due supervisor, by id. Web requests never
enqueue anything: a digest is derived from database state, so it catches up
when the broker is back.

Logs name supervisor ids and outcomes, never an email address or note text.
"""

from __future__ import annotations

import logging

from celery import shared_task
from celery.utils.time import get_exponential_backoff_interval
from django.conf import settings
from django.utils import timezone

from supervision.digest import RETRY_ERRORS, deliver_digest, due_supervisor_ids

logger = logging.getLogger(__name__)

MAX_RETRIES = 5
# Stays well below the Redis transport's visibility timeout (one hour), after
# which a delayed message that was not acknowledged would be delivered again.
RETRY_BACKOFF_MAX = 30 * 60


def retry_countdown(retries: int) -> int:
    """Seconds before retry number `retries + 1`: DIGEST_RETRY_BACKOFF doubled per
    retry (60, 120, 240, ... by default), with full jitter, at most RETRY_BACKOFF_MAX.

    Celery's own `retry_backoff` reads its base once, when the task is defined;
    this reads the setting on each retry, so tests can set it to 0 or 1.
    """
    return get_exponential_backoff_interval(
        factor=settings.DIGEST_RETRY_BACKOFF,
        retries=retries,
        maximum=RETRY_BACKOFF_MAX,
        full_jitter=True,
    )


@shared_task(ignore_result=True)
def enqueue_due_digests() -> int:
    """Enqueue one send_digest per supervisor whose digest is due. Run by beat."""
    supervisor_ids = due_supervisor_ids(timezone.now())
    for supervisor_id in supervisor_ids:
        send_digest.delay(supervisor_id)
    logger.info("Digests due: enqueued %d", len(supervisor_ids))
    return len(supervisor_ids)


@shared_task(
    bind=True,
    # Acknowledged after it ran, so a worker that dies mid-send leaves the
    # message to be delivered again: safe because the period is claimed in the
    # database and a second delivery finds it sent.
    acks_late=True,
    max_retries=MAX_RETRIES,
    soft_time_limit=60,
    time_limit=90,
    ignore_result=True,
)
def send_digest(self, supervisor_id: int) -> str:
    """Send one supervisor's digest for the current period, retrying SMTP and
    connection errors with exponential backoff."""
    try:
        outcome = deliver_digest(supervisor_id)
    except RETRY_ERRORS as exc:
        logger.warning(
            "Digest for supervisor %s failed (attempt %d): %s",
            supervisor_id,
            self.request.retries + 1,
            type(exc).__name__,
        )
        # After MAX_RETRIES, retry() raises exc itself; the next beat finds the
        # period still due and starts again, however many attempts that takes,
        # until the period is over (then it is given up: supervision/digest.py).
        raise self.retry(exc=exc, countdown=retry_countdown(self.request.retries)) from exc
    logger.info("Digest for supervisor %s: %s", supervisor_id, outcome)
    return outcome
