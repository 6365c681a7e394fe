from django.apps import AppConfig


class KeyringConfig(AppConfig):
    name = "paceway.keyring"
    label = "keyring"
    verbose_name = "Encryption keyring"
