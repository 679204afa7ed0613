"""The planner's form: parses a new run's settings; the service checks them."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from warmbee.coverage.services import DEFAULT_PARAMETERS, MAX_MINUTES, MAX_NEW_SITES


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

    def parameters(self) -> dict[str, Any]:
        """Return the settings for ``services.start_coverage_run``."""
        return {
            name: self.cleaned_data[name]
            for name in ("mode", "minutes", "new_sites", "candidate_source")
        }
