"""Check-in and walk-in forms (input parsing only)."""

import uuid
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from warmbee.stations.models import Station
from warmbee.stations.selectors import list_amenities


def service_choices() -> list[tuple[str, str]]:
    """Return the amenity choices a visitor may say they used, with their icons."""
    return [
        (amenity.code, f"{amenity.icon} {amenity.label}")
        for amenity in list_amenities()
    ]


class CheckInForm(forms.Form):
    client_id = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)
    visited_at = forms.DateTimeField(widget=forms.HiddenInput, required=False)
    services = forms.MultipleChoiceField(
        label=_("What did you use? (optional)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[],
    )


class WalkInForm(CheckInForm):
    count = forms.IntegerField(
        label=_("Number of visitors"), min_value=1, max_value=50, initial=1
    )


class CardCheckInForm(CheckInForm):
    """Staff record the visit of the worker whose card they scanned."""

    station: "forms.ModelChoiceField[Station]" = forms.ModelChoiceField(
        label=_("Station"), queryset=Station.objects.none(), empty_label=None
    )

    def __init__(self, *args: Any, stations: QuerySet[Station], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["station"]
        if isinstance(field, forms.ModelChoiceField):
            field.queryset = stations
