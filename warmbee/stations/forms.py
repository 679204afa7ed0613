"""Page forms for the finder, corrections and staff station management (input parsing only)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from warmbee.stations.choices import AmenityStatus, TravelMode


class FinderForm(forms.Form):
    lat = forms.FloatField(
        label=_("Latitude"), min_value=-90, max_value=90, required=False
    )
    lon = forms.FloatField(
        label=_("Longitude"), min_value=-180, max_value=180, required=False
    )
    community = forms.CharField(label=_("Or: I am near this community"), required=False)
    mode = forms.ChoiceField(
        label=_("I am"),
        choices=[
            (TravelMode.EBIKE, _("on an e-bike")),
            (TravelMode.WALK, _("on foot")),
        ],
        initial=TravelMode.EBIKE,
        required=False,
    )
    amenity = forms.MultipleChoiceField(label=_("I need"), required=False, choices=[])
    include_closed = forms.BooleanField(
        label=_("Also show closed stations"), required=False
    )

    def __init__(
        self, *args: object, amenity_choices: list[tuple[str, str]], **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]  # Form takes loose args
        self.fields["amenity"].choices = amenity_choices  # type: ignore[attr-defined]  # MultipleChoiceField

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        has_position = data.get("lat") is not None and data.get("lon") is not None
        if not has_position and not data.get("community"):
            raise forms.ValidationError(
                _("Share your location or pick the community you are near."),
                code="no_position",
            )
        return data


class AmenityFlagForm(forms.Form):
    amenity = forms.CharField(max_length=32)
    suggested_status = forms.ChoiceField(
        label=_("What did you find?"), choices=AmenityStatus.choices
    )
    note = forms.CharField(
        label=_("Anything else (optional)"), max_length=200, required=False
    )


class AmenityStatusForm(forms.Form):
    status = forms.ChoiceField(choices=AmenityStatus.choices)


class ClosureForm(forms.Form):
    closed_until = forms.DateTimeField(
        label=_("Closed until"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    reason = forms.CharField(label=_("Reason shown to visitors"), max_length=200)


class FlagReviewForm(forms.Form):
    accept = forms.BooleanField(required=False)
