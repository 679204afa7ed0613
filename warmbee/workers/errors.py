"""Worker-file errors with messages in the user's language (``field``: where to show it)."""

from django.utils.translation import gettext_lazy as _

from warmbee.core.errors import ConflictError, DomainError, NotFoundError


class PhoneAlreadyRegisteredError(ConflictError):
    code = "phone_already_registered"
    field = "phone"
    message = _("This number is already registered. Log in with a code instead.")


class PhoneNotRegisteredError(DomainError):
    code = "phone_not_registered"
    field = "phone"
    message = _("No worker is registered with this number. Register first.")


class NotWorkerAccountError(DomainError):
    code = "not_worker_account"
    field = "phone"
    message = _(
        "This number belongs to a staff account. Staff log in with their password."
    )


class InvalidContactPhoneError(DomainError):
    code = "invalid_contact_phone"
    field = "emergency_contact_phone"
    message = _(
        "Enter the emergency contact's mobile number (11 digits) or landline number "
        "with its area code, or leave it empty."
    )


class NotACommunityError(DomainError):
    code = "not_a_community"
    field = "work_communities"
    message = _("Choose communities for your usual work area.")


class ConsentRequiredError(DomainError):
    code = "consent_required"
    field = "general_consent"
    message = _("To register, read the privacy notice and tick that you agree.")


class NoticeChangedError(ConflictError):
    code = "notice_changed"
    field = None
    message = _(
        "The privacy notice has just been updated. Please read it again and confirm."
    )


class NoticeNotPublishedError(NotFoundError):
    code = "notice_not_published"
    message = _("This privacy notice has not been published.")


class NoActiveConsentError(DomainError):
    code = "no_active_consent"
    field = None
    message = _("You have no consent of this kind to withdraw.")


class WorkerProfileNotFoundError(NotFoundError):
    code = "worker_profile_not_found"
    message = _("There is no worker file for this account.")


class InvalidCardError(NotFoundError):
    code = "invalid_card"
    message = _(
        "This card is not valid: the code is unknown or the worker has withdrawn "
        "consent."
    )
