"""Paceway's URLs with Django's own 500 handler (the baseline of bench/burst.py)."""

from paceway.urls import urlpatterns  # noqa: F401

handler500 = "django.views.defaults.server_error"
