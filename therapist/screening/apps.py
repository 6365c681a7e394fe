from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    name = "therapist.screening"
    label = "screening"
    verbose_name = "Readiness and suitability screening"
