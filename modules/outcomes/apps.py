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

        from . import checks, signals  # noqa: F401  (checks registers the deploy check)
        from .clinic import profile_week
        from .demo import load_demo_outcomes
        from .models import ClinicProfile
        from .services import open_alert_count_for_therapist, screen_free_text

        if open_alert_count_for_therapist not in hooks.open_risk_item_counters:
            hooks.open_risk_item_counters.append(open_alert_count_for_therapist)
        if screen_free_text not in hooks.free_text_listeners:
            hooks.free_text_listeners.append(screen_free_text)
        if profile_week not in hooks.clinic_week_readers:
            hooks.clinic_week_readers.append(profile_week)
        post_save.connect(signals.snapshot_clinic_profile, sender=ClinicProfile, dispatch_uid="outcomes-clinic-copy")
        if load_demo_outcomes not in hooks.demo_data_loaders:
            hooks.demo_data_loaders.append(load_demo_outcomes)
        user_logged_out.connect(signals.close_alert_sockets_on_logout, dispatch_uid="outcomes-logout")
        post_save.connect(
            signals.close_alert_sockets_on_deactivation,
            sender=get_user_model(),
            dispatch_uid="outcomes-deactivation",
        )
