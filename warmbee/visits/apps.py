from django.apps import AppConfig


class VisitsConfig(AppConfig):
    name = "warmbee.visits"
    label = "visits"
