from django.apps import AppConfig


class RegionsConfig(AppConfig):
    name = "warmbee.regions"
    label = "regions"
