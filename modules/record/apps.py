from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordConfig(AppConfig):
    """The patient's own view of their record: who has seen it, and the whole of it on demand."""

    name = "modules.record"
    label = "record"
    verbose_name = _("My record")
