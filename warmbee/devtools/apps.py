from django.apps import AppConfig


class DevtoolsConfig(AppConfig):
    name = "warmbee.devtools"
    label = "devtools"
