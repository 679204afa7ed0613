from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoverageConfig(AppConfig):
    name = "warmbee.coverage"
    label = "coverage"
    verbose_name = _("15-minute service circle")
