from django.apps import AppConfig


class TherapistConfig(AppConfig):
    name = "therapist.workspace"
    label = "therapist"
    verbose_name = "Therapist workspace"

    def ready(self) -> None:
        from paceway.accounts import hooks

        from .selectors import weekly_review_minutes

        if weekly_review_minutes not in hooks.clinician_minutes_readers:
            hooks.clinician_minutes_readers.append(weekly_review_minutes)

        from .demo import load_demo_cohort

        if load_demo_cohort not in hooks.demo_data_loaders:
            hooks.demo_data_loaders.append(load_demo_cohort)
