"""Periodic housekeeping for data rights (the work is in teams/data_rights.py)."""

import logging

from celery import shared_task

from teams import data_rights

logger = logging.getLogger(__name__)


@shared_task(soft_time_limit=600, time_limit=660)
def delete_expired_reflections() -> int:
    deleted = data_rights.delete_expired_reflections()
    logger.info("Retention: deleted %d reflections past the retention period", deleted)
    return deleted
