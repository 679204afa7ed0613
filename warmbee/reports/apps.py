from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "warmbee.reports"
    label = "reports"
