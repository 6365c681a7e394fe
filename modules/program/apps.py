from django.apps import AppConfig


class ModulesConfig(AppConfig):
    name = "modules.program"
    label = "modules"
    verbose_name = "CBT pain program"

    def ready(self) -> None:
        from paceway.accounts import hooks

        from .demo import load_demo_program

        if load_demo_program not in hooks.demo_data_loaders:
            hooks.demo_data_loaders.append(load_demo_program)
