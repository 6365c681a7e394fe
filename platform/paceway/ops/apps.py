from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "paceway.ops"
    label = "ops"
    verbose_name = "Operations"
