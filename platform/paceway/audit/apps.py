from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "paceway.audit"
    label = "audit"
    verbose_name = "Audit log"
