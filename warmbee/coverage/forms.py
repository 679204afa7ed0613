"""The planner's forms: a run's settings, a places CSV, an extract; services check them."""

from typing import Any

from django import forms
from django.conf import settings
from django.core.validators import FileExtensionValidator
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from warmbee.coverage.demand_layers import CHECKIN_ORIGINS, HAZARD_REPORTS, PLACES
from warmbee.coverage.models import DemandLayer
from warmbee.coverage.services import DEFAULT_PARAMETERS, MAX_MINUTES, MAX_NEW_SITES


class DemandLayerChoiceField(forms.ModelChoiceField[DemandLayer]):
    def label_from_instance(self, obj: DemandLayer) -> str:
        return str(
            _("%(name)s (%(count)s places, %(when)s)")
            % {
                "name": obj.name,
                "count": obj.point_count,
                "when": date_format(localtime(obj.uploaded_at), "Y-m-d"),
            }
        )


DEMAND_LAYER_CHOICES = [
    ("uniform", _("Spread evenly over the roads (or the area)")),
    ("workers", _("Registered workers' usual work areas")),
    (
        CHECKIN_ORIGINS,
        _("Where workers came from when they checked in (with their consent)"),
    ),
    (HAZARD_REPORTS, _("Where safety hazards were reported")),
    (PLACES, _("Imported places (CSV)")),
]


class CoverageRunForm(forms.Form):
    mode = forms.ChoiceField(
        label=_("Travel"),
        choices=[("ebike", _("By e-bike")), ("walk", _("On foot"))],
        initial=DEFAULT_PARAMETERS["mode"],
    )
    minutes = forms.IntegerField(
        label=_("Minutes"),
        min_value=1,
        max_value=MAX_MINUTES,
        initial=DEFAULT_PARAMETERS["minutes"],
    )
    new_sites = forms.IntegerField(
        label=_("New sites to recommend"),
        min_value=0,
        max_value=MAX_NEW_SITES,
        initial=3,
        help_text=_("0: only measure the coverage of the stations in service."),
    )
    candidate_source = forms.ChoiceField(
        label=_("Candidate places"),
        choices=[
            ("cells", _("One place per area (up to 2,000 places)")),
            ("demand_points", _("Every demand point (slower)")),
        ],
        initial=DEFAULT_PARAMETERS["candidate_source"],
    )
    demand_layer = forms.ChoiceField(
        label=_("Demand"),
        choices=DEMAND_LAYER_CHOICES,
        initial=DEFAULT_PARAMETERS["demand_layer"],
        widget=forms.RadioSelect,
        required=False,  # not chosen: uniform, as before layers existed
    )
    demand_layer_id = DemandLayerChoiceField(
        label=_("Imported places"),
        queryset=DemandLayer.objects.none(),
        required=False,
        empty_label=_("choose…"),
        help_text=_("Used when the demand is imported places."),
    )

    def __init__(
        self,
        *args: Any,
        layers: Any = None,
        checkin_origins: int | None = None,
        hazard_reports: int | None = None,
        **kwargs: Any,
    ) -> None:
        """``layers``: the county's imported places; ``checkin_origins`` and
        ``hazard_reports``: how much those layers hold now, said next to their choice."""
        super().__init__(*args, **kwargs)
        if layers is not None:
            field = self.fields["demand_layer_id"]
            assert isinstance(field, DemandLayerChoiceField)  # noqa: S101  # declared above
            field.queryset = layers
        sizes = {}
        if checkin_origins is not None:
            sizes[CHECKIN_ORIGINS] = ngettext(
                "%(count)s check-in in the last %(months)s months",
                "%(count)s check-ins in the last %(months)s months",
                checkin_origins,
            ) % {
                "count": checkin_origins,
                "months": settings.CHECKIN_ORIGIN_RETENTION_MONTHS,
            }
        if hazard_reports is not None:
            sizes[HAZARD_REPORTS] = ngettext(
                "%(count)s report in the last %(months)s months",
                "%(count)s reports in the last %(months)s months",
                hazard_reports,
            ) % {"count": hazard_reports, "months": settings.REPORT_LAYER_MONTHS}
        self._say_layer_sizes(sizes)

    def _say_layer_sizes(self, sizes: dict[str, str]) -> None:
        field = self.fields["demand_layer"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101  # declared above
        field.choices = [
            (
                value,
                _("%(layer)s: %(size)s") % {"layer": label, "size": sizes[value]}
                if value in sizes
                else label,
            )
            for value, label in DEMAND_LAYER_CHOICES
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("demand_layer") == PLACES and not cleaned.get("demand_layer_id"):
            self.add_error(
                "demand_layer_id", _("Choose which imported places to use as demand.")
            )
        return cleaned

    def parameters(self) -> dict[str, Any]:
        """Return the settings for ``services.start_coverage_run``."""
        parameters = {
            name: self.cleaned_data[name]
            for name in (
                "mode",
                "minutes",
                "new_sites",
                "candidate_source",
                "demand_layer",
            )
        }
        parameters["demand_layer"] = parameters["demand_layer"] or "uniform"
        layer = self.cleaned_data.get("demand_layer_id")
        if parameters["demand_layer"] == PLACES and layer is not None:
            parameters["demand_layer_id"] = layer.pk
        return parameters


class PlacesUploadForm(forms.Form):
    name = forms.CharField(
        label=_("Name of the layer"),
        max_length=100,
        required=False,
        help_text=_("For example “delivery hot spots, May”; the file name if empty."),
    )
    file = forms.FileField(
        label=_("CSV file"),
        validators=[FileExtensionValidator(["csv", "txt"])],
        help_text=_(
            "Columns name, lat, lon and optionally weight (default 1); WGS-84 (GPS) "
            "degrees, not Amap or Baidu coordinates; UTF-8; at most 20,000 places "
            "and 1 MB."
        ),
    )


class NetworkUploadForm(forms.Form):
    """An OpenStreetMap extract to import; ``network_imports`` checks its size and kind."""

    file = forms.FileField(
        label=_("OpenStreetMap extract (.osm.pbf)"),
        validators=[FileExtensionValidator(["pbf"])],
        widget=forms.ClearableFileInput(attrs={"accept": ".pbf,.osm.pbf"}),
    )


class ScenarioForm(forms.Form):
    """A what-if of a finished plan: stations to remove, positions to add.

    Only parses; ``services.start_scenario_run`` checks the stations and positions.
    """

    remove_station_ids = forms.TypedMultipleChoiceField(
        label=_("Remove stations"),
        coerce=int,
        choices=[],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    add_positions = forms.CharField(
        label=_("Add stations at"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "38.06, 112.68"}),
        help_text=_(
            "One station per line: latitude, longitude (WGS-84 degrees, as on the "
            "map); at most 50. To move a station, remove it and add its new position."
        ),
    )

    def __init__(self, *args: Any, stations: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["remove_station_ids"]
        assert isinstance(field, forms.TypedMultipleChoiceField)  # noqa: S101  # declared above
        field.choices = [(station.pk, station.label) for station in stations]

    def clean_add_positions(self) -> list[list[float]]:
        positions = []
        lines = str(self.cleaned_data.get("add_positions") or "").splitlines()
        for number, line in enumerate(lines, start=1):
            text = line.strip()
            if not text:
                continue
            parts = text.replace("，", ",").replace(",", " ").split()
            try:
                if len(parts) != 2:
                    raise ValueError(text)
                positions.append([float(parts[0]), float(parts[1])])
            except ValueError as error:
                raise forms.ValidationError(
                    _("Line %(line)s: “%(text)s” is not “latitude, longitude”."),
                    params={"line": number, "text": text},
                ) from error
        return positions

    def scenario(self) -> dict[str, Any]:
        """Return the arguments for ``services.start_scenario_run``."""
        return {
            "remove_station_ids": list(self.cleaned_data["remove_station_ids"]),
            "add_positions": self.cleaned_data["add_positions"],
        }
