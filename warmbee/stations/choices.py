from django.db import models
from django.utils.translation import gettext_lazy as _


class AmenityStatus(models.TextChoices):
    YES = "yes", _("available")
    NO = "no", _("not available")
    UNKNOWN = "unknown", _("unknown")
    BROKEN = "broken", _("broken")
    OUT_OF_STOCK = "out_of_stock", _("out of stock")


class TravelMode(models.TextChoices):
    WALK = "walk", _("walking")
    EBIKE = "ebike", _("e-bike")


class FlagStatus(models.TextChoices):
    OPEN = "open", _("waiting for review")
    ACCEPTED = "accepted", _("accepted")
    DISMISSED = "dismissed", _("dismissed")
