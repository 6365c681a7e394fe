from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "modules.outcomes"
    label = "outcomes"
    verbose_name = "Questionnaires, outcomes and risk"
