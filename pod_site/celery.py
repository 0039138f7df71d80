"""The Celery application.

Configuration comes from Django settings (the CELERY_ namespace). With no
REDIS_URL, settings turn on CELERY_TASK_ALWAYS_EAGER, so tasks run in-process
and `make run` needs no broker.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pod_site.settings")

app = Celery("pod_site")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
