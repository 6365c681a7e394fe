"""Paceway core: settings, URLs, ASGI, the Celery app, accounts, audit and the keyring."""

from .celery import app as celery_app

__all__ = ["celery_app"]
