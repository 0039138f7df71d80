"""Periodic housekeeping for data rights (the work is in data_rights/erasure.py)."""

import logging

from celery import shared_task

from data_rights import erasure

logger = logging.getLogger(__name__)


@shared_task(soft_time_limit=600, time_limit=660)
def delete_expired_reflections() -> int:
    deleted = erasure.delete_expired_reflections()
    logger.info("Retention: deleted %d reflections past the retention period", deleted)
    return deleted
