from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "paceway.audit"
    label = "audit"
    verbose_name = _("Audit log")

    def ready(self) -> None:
        from django.contrib.admin.models import LogEntry
        from django.db.models.signals import post_migrate, post_save

        from . import signals

        post_save.connect(signals.audit_admin_log_entry, sender=LogEntry, dispatch_uid="audit-admin-log")
        post_migrate.connect(_record_key_fingerprint, sender=self)


def _record_key_fingerprint(using: str = "default", **kwargs: object) -> None:
    from .chain import record_key_fingerprint

    if using == "default":
        record_key_fingerprint()
