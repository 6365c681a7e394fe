from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "modules.outcomes"
    label = "outcomes"
    verbose_name = "Questionnaires, outcomes and risk"

    def ready(self) -> None:
        from paceway.accounts import hooks

        from . import checks  # noqa: F401  (registers the deploy check)
        from .demo import load_demo_outcomes
        from .services import open_alert_count_for_therapist, screen_free_text

        if open_alert_count_for_therapist not in hooks.open_risk_item_counters:
            hooks.open_risk_item_counters.append(open_alert_count_for_therapist)
        if screen_free_text not in hooks.free_text_listeners:
            hooks.free_text_listeners.append(screen_free_text)
        if load_demo_outcomes not in hooks.demo_data_loaders:
            hooks.demo_data_loaders.append(load_demo_outcomes)
