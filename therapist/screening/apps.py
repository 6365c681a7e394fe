from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    name = "therapist.screening"
    label = "screening"
    verbose_name = "Readiness and suitability screening"

    def ready(self) -> None:
        from paceway.accounts import hooks

        from .demo import load_demo_screening
        from .selectors import consent_pause_reason
        from .services import on_care_team_changed

        if load_demo_screening not in hooks.demo_data_loaders:
            hooks.demo_data_loaders.append(load_demo_screening)
        if on_care_team_changed not in hooks.care_team_changed_listeners:
            hooks.care_team_changed_listeners.append(on_care_team_changed)
        if consent_pause_reason not in hooks.program_pause_checks:
            hooks.program_pause_checks.append(consent_pause_reason)
