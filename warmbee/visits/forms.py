"""Check-in and walk-in forms (input parsing only)."""

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _


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
