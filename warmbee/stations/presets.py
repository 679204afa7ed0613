"""The one-thumb buttons on the home screen: what riders ask for most, in their words."""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Preset:
    amenity_code: str
    label: str | Promise
    icon: str


PRESETS = (
    Preset("drinking_water", _("Drink water"), "💧"),
    Preset("microwave", _("Heat a meal"), "🍱"),
    Preset("phone_charging", _("Charge phone"), "🔋"),
    Preset("toilet", _("Toilet"), "🚻"),
    Preset("rain_gear", _("Shelter from rain"), "☂️"),
    Preset("rest_seats", _("Rest"), "🪑"),
    Preset("first_aid", _("First aid"), "⛑️"),
    Preset("repair_tools", _("Fix my bike"), "🔧"),
)
