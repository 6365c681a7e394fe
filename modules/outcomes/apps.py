from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "modules.outcomes"
    label = "outcomes"
    verbose_name = "Questionnaires, outcomes and risk"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.contrib.auth.signals import user_logged_out
        from django.db.models.signals import post_save

        from paceway.accounts import hooks

        from . import signals
        from .demo import load_demo_outcomes
        from .services import open_alert_count_for_therapist

        if open_alert_count_for_therapist not in hooks.open_risk_item_counters:
            hooks.open_risk_item_counters.append(open_alert_count_for_therapist)
        if load_demo_outcomes not in hooks.demo_data_loaders:
            hooks.demo_data_loaders.append(load_demo_outcomes)
        user_logged_out.connect(signals.close_alert_sockets_on_logout, dispatch_uid="outcomes-logout")
        post_save.connect(
            signals.close_alert_sockets_on_deactivation,
            sender=get_user_model(),
            dispatch_uid="outcomes-deactivation",
        )
