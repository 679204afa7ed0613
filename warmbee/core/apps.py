from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "warmbee.core"
    label = "core"

    def ready(self) -> None:
        from warmbee.core import checks  # noqa: F401  # registers the deploy checks
