from django.apps import AppConfig


class TherapistConfig(AppConfig):
    name = "therapist"
    verbose_name = "Therapist workspace"

    def ready(self) -> None:
        from paceway.accounts import hooks

        from .selectors import weekly_review_minutes

        if weekly_review_minutes not in hooks.clinician_minutes_readers:
            hooks.clinician_minutes_readers.append(weekly_review_minutes)
