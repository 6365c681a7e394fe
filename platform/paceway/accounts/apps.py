from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "paceway.accounts"
    label = "accounts"
    verbose_name = "Accounts and care assignments"

    def ready(self) -> None:
        from . import signals  # noqa: F401
