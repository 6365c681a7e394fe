from django.apps import AppConfig


class KeyringConfig(AppConfig):
    name = "paceway.keyring"
    label = "keyring"
    verbose_name = "Encryption keyring"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        post_migrate.connect(_record_key_checks, sender=self)


def _record_key_checks(using: str = "default", **kwargs: object) -> None:
    from .services import record_key_checks

    if using == "default":
        record_key_checks()
