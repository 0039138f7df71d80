"""Celery task for the dashboard's rollup: a thin wrapper around dashboards/rollup.py.

Beat runs it every 15 minutes (CELERY_BEAT_SCHEDULE). A refresh replaces every
row in one transaction, so a second run at the same time only repeats the work.
"""

from __future__ import annotations

import logging

from celery import shared_task

from dashboards import rollup

logger = logging.getLogger(__name__)


@shared_task(soft_time_limit=600, time_limit=660)
def refresh_rollup() -> None:
    run = rollup.refresh()
    logger.info("dashboard rollup refreshed: %s figures in %.1f s", run.figures, run.seconds)
