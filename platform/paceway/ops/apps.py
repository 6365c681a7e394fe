from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "paceway.ops"
    label = "ops"
    verbose_name = "Operations"

    def ready(self) -> None:
        from .metrics import connect_celery_signals

        connect_celery_signals()
