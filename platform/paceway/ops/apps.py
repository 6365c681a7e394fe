from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "paceway.ops"
    label = "ops"
    verbose_name = "Operations"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from paceway import dbpool

        from .metrics import connect_celery_signals

        connect_celery_signals()
        connection_created.connect(dbpool.install, dispatch_uid="paceway.dbpool")
