from django.apps import AppConfig


class StationsConfig(AppConfig):
    name = "warmbee.stations"
    label = "stations"
