"""Report forms: input parsing only; rules live in services."""

import uuid
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from warmbee.core.geo import is_in_china
from warmbee.reports.choices import Feedback, ReportCategory, ReportKind, kind_of
from warmbee.reports.errors import NoReportPositionError
from warmbee.reports.models import Department
from warmbee.reports.services import NewReport
from warmbee.stations.models import Station


class _StationChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]  # stubs generic
    def label_from_instance(self, obj: Any) -> str:
        english = (get_language() or "").startswith("en")
        return str(obj.name_en if english and obj.name_en else obj.name)


class _PhotosInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class _PhotosField(forms.FileField):
    """Any number of photos (the service refuses more than it takes)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget", _PhotosInput(attrs={"accept": "image/jpeg,image/png,image/webp"})
        )
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(_PhotosField, self).clean(item, initial) for item in files]


def _category_choices(kind: ReportKind) -> list[tuple[str, Any]]:
    return [
        (code, label) for code, label in ReportCategory.choices if kind_of(code) == kind
    ]


class ReportForm(forms.Form):
    client_id = forms.UUIDField(widget=forms.HiddenInput)
    category = forms.ChoiceField(
        label=_("What is it?"),
        choices=[
            (ReportKind.HAZARD.label, _category_choices(ReportKind.HAZARD)),
            (ReportKind.OPINION.label, _category_choices(ReportKind.OPINION)),
        ],
        widget=forms.RadioSelect,
    )
    description = forms.CharField(
        label=_("What is wrong?"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    place_note = forms.CharField(
        label=_("Where exactly? (optional)"),
        max_length=100,
        required=False,
        help_text=_(
            "For example: the crossing of Dongfeng Road and Xinyang Street, north side."
        ),
    )
    lat = forms.FloatField(required=False, widget=forms.HiddenInput)
    lon = forms.FloatField(required=False, widget=forms.HiddenInput)
    station = _StationChoiceField(
        label=_("No position from the phone? The station nearest to it"),
        queryset=Station.objects.filter(is_active=True).order_by("name"),
        required=False,
        empty_label=_("— use my phone's position —"),
    )
    photos = _PhotosField(label=_("Photos (up to 3, optional)"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("client_id", uuid.uuid4())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        lat, lon = data.get("lat"), data.get("lon")
        station = data.get("station")
        if station is None and (
            lat is None or lon is None or not is_in_china(lat, lon)
        ):
            self.add_error("station", NoReportPositionError().detail)
        return data

    def new_report(self) -> NewReport:
        data = self.cleaned_data
        station: Station | None = data["station"]
        return NewReport(
            client_id=data["client_id"],
            category=data["category"],
            description=data["description"].strip(),
            place_note=data["place_note"].strip(),
            lat_deg=station.lat_deg if station else round(data["lat"], 5),
            lon_deg=station.lon_deg if station else round(data["lon"], 5),
            position_from_station=station is not None,
        )


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class FeedbackForm(forms.Form):
    feedback = forms.ChoiceField(
        label=_("Are you satisfied with how it was resolved?"),
        choices=Feedback.choices,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("What is still wrong? (needed to reopen)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class _DepartmentChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]  # stubs generic
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.label)


class AssignForm(forms.Form):
    department = _DepartmentChoiceField(
        label=_("Send to department"),
        queryset=Department.objects.none(),
        empty_label=_("choose…"),
    )

    def __init__(self, *args: Any, departments: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["department"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101  # declared above
        field.queryset = departments
