from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "warmbee.core"
    label = "core"
