"""Registration, log-in and consent forms (input parsing only; rules live in services)."""

from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from warmbee.regions.selectors import list_communities
from warmbee.workers.choices import NoticeKind, Occupation, Platform, Vehicle

NUMERIC = {"inputmode": "numeric", "autocomplete": "one-time-code"}


class CommunityChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]  # stubs generic
    def label_from_instance(self, obj: Any) -> str:
        language = get_language() or ""
        if language.startswith("en") and obj.name_en:
            return str(obj.name_en)
        return str(obj.name)


class PhoneForm(forms.Form):
    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"inputmode": "tel", "autocomplete": "tel", "autofocus": True}
        ),
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the text message"),
        max_length=12,
        widget=forms.TextInput(attrs={**NUMERIC, "autofocus": True}),
    )


class NumberChangeCodesForm(forms.Form):
    """The two codes a change of number needs: one from each number."""

    new_code = forms.CharField(
        label=_("Code sent to the new number"),
        max_length=12,
        widget=forms.TextInput(attrs={**NUMERIC, "autofocus": True}),
    )
    current_code = forms.CharField(
        label=_("Code sent to your current number"),
        max_length=12,
        widget=forms.TextInput(attrs=NUMERIC),
    )


class WorkerDetailsForm(forms.Form):
    """What a worker tells about themselves: registering, or correcting it later."""

    name = forms.CharField(label=_("Your name"), max_length=60)
    occupation = forms.ChoiceField(
        label=_("Occupation"), choices=Occupation.choices, widget=forms.RadioSelect
    )
    platform = forms.ChoiceField(
        label=_("Platform or employer"), choices=Platform.choices
    )
    vehicle = forms.ChoiceField(label=_("Vehicle"), choices=Vehicle.choices)
    work_communities = CommunityChoiceField(
        label=_("Where you usually work (optional)"),
        queryset=list_communities(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    emergency_contact_name = forms.CharField(
        label=_("Emergency contact's name (optional)"), max_length=60, required=False
    )
    emergency_contact_phone = forms.CharField(
        label=_("Emergency contact's number (optional)"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )
    id_number = forms.CharField(
        label=_("Resident ID number (optional, never needed for a service)"),
        max_length=20,
        required=False,
    )


class RegistrationForm(CodeForm, WorkerDetailsForm):
    general_notice_version = forms.IntegerField(widget=forms.HiddenInput)
    general_consent = forms.BooleanField(
        label=_("I have read the privacy notice and agree to it."),
        error_messages={
            "required": _(
                "To register, read the privacy notice and tick that you agree."
            )
        },
    )
    health_notice_version = forms.IntegerField(widget=forms.HiddenInput)
    health_consent = forms.BooleanField(
        label=_(
            "I also agree that health checks at the stations are recorded in my file "
            "(optional, separate consent)."
        ),
        required=False,
    )
    location_notice_version = forms.IntegerField(widget=forms.HiddenInput)
    location_consent = forms.BooleanField(
        label=_(
            "I also agree that, when I check in after using the finder, the area I "
            "searched from is noted without my name to plan new stations (optional, "
            "separate consent)."
        ),
        required=False,
    )


class ConsentForm(forms.Form):
    kind = forms.ChoiceField(choices=NoticeKind.choices, widget=forms.HiddenInput)
    notice_version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class CorrectionForm(WorkerDetailsForm):
    """The worker's own details, to correct them (the number is not changed here)."""


class DeletionForm(forms.Form):
    confirmation = forms.CharField(label=_("Type the word to confirm"), max_length=20)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you need to open this person's sensitive data?"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class FileSearchForm(forms.Form):
    query = forms.CharField(
        label=_("Name or full mobile number"), max_length=60, required=False
    )


class WalkInForm(RegistrationForm):
    """Staff fill in the paper form's fields with the worker; consent by code or signature."""

    name = forms.CharField(label=_("Worker's name"), max_length=60)
    code = forms.CharField(
        label=_("Code the worker received"),
        max_length=12,
        required=False,
        widget=forms.TextInput(attrs=NUMERIC),
    )
    signature = forms.CharField(required=False, widget=forms.HiddenInput)
    general_consent = forms.BooleanField(
        label=_("The worker has read the privacy notice and agrees to it."),
        error_messages={
            "required": _(
                "Let the worker read the privacy notice; register only if they agree."
            )
        },
    )
    health_consent = forms.BooleanField(
        label=_(
            "The worker also agrees that health checks are recorded in their file "
            "(optional, separate consent)."
        ),
        required=False,
    )
    # Noting where a worker came from needs the finder on their own phone: they can
    # agree to it there, on "My consents".
    location_notice_version = None  # type: ignore[assignment]
    location_consent = None  # type: ignore[assignment]


class MergeForm(ReasonForm):
    """Two files and which of them to keep (its number stays the one to log in with)."""

    file_a = forms.IntegerField(widget=forms.HiddenInput)
    file_b = forms.IntegerField(widget=forms.HiddenInput)
    keep = forms.ChoiceField(
        label=_("Keep this file"),
        choices=[("a", "a"), ("b", "b")],
        widget=forms.RadioSelect,
    )

    def kept_and_merged(self) -> tuple[int, int]:
        data = self.cleaned_data
        if data["keep"] == "a":
            return data["file_a"], data["file_b"]
        return data["file_b"], data["file_a"]


class WalkInStartForm(PhoneForm):
    """Step 1 of a walk-in: the number, and which button says how the worker agrees."""

    CODE = "code"
    SIGNATURE = "signature"

    method = forms.ChoiceField(
        choices=[(CODE, CODE), (SIGNATURE, SIGNATURE)],
        widget=forms.HiddenInput,
        error_messages={
            "required": _("Choose how the worker agrees: a code or a signature."),
            "invalid_choice": _("Choose how the worker agrees: a code or a signature."),
        },
    )
