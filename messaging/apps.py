from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "messaging"
    verbose_name = _("Secure messaging")

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.contrib.auth.signals import user_logged_out
        from django.db.models.signals import post_save

        from paceway.accounts import hooks

        from . import demo, selectors, signals

        if signals.care_team_changed not in hooks.care_team_changed_listeners:
            hooks.care_team_changed_listeners.append(signals.care_team_changed)
        if selectors.patient_unread_count not in hooks.unread_message_counters:
            hooks.unread_message_counters.append(selectors.patient_unread_count)
        if demo.load_demo_messages not in hooks.demo_data_loaders:
            hooks.demo_data_loaders.append(demo.load_demo_messages)
        user_logged_out.connect(signals.close_sockets_on_logout, dispatch_uid="messaging-logout")
        post_save.connect(
            signals.close_sockets_on_deactivation,
            sender=get_user_model(),
            dispatch_uid="messaging-deactivation",
        )
