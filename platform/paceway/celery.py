"""The Celery app. JSON only, late acknowledgement; tasks are idempotent and enqueued on commit."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paceway.settings")

app = Celery("paceway")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
