"""Worker-file errors with messages in the user's language (``field``: where to show it)."""

from django.utils.translation import gettext_lazy as _

from warmbee.core.errors import (
    ConflictError,
    DomainError,
    NotFoundError,
    PermissionDeniedError,
)


class SameNumberError(DomainError):
    code = "same_number"
    field = "phone"
    message = _("This is already the number of the account.")


class NoNewNumberError(DomainError):
    code = "no_new_number"
    field = "phone"
    message = _("Type the new number and ask for a code first.")


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


class WorkerFileNotFoundError(NotFoundError):
    code = "worker_file_not_found"
    message = _("There is no such worker file, or it is not yours to see.")


class SensitiveAccessDeniedError(PermissionDeniedError):
    code = "sensitive_access_denied"
    message = _("Your role may not open the sensitive parts of a worker file.")


class ReasonRequiredError(DomainError):
    code = "reason_required"
    field = "reason"
    message = _(
        "State why you need to open this person's sensitive data "
        "(at least %(min_length)s characters); it is written to the audit log."
    )


class InvalidIdNumberError(DomainError):
    code = "invalid_id_number"
    field = "id_number"
    message = _(
        "Enter the 18-character resident ID number as printed on the card, "
        "or leave it empty."
    )


class DeletionNotConfirmedError(DomainError):
    code = "deletion_not_confirmed"
    field = "confirmation"
    message = _("Type %(word)s to confirm that your account should be deleted.")


class FileAlreadyAnonymisedError(ConflictError):
    code = "file_already_anonymised"
    message = _("This file has already been deleted and anonymised.")


class SameFileMergeError(DomainError):
    code = "same_file_merge"
    message = _("A file cannot be merged into itself.")


class NotDuplicatesError(DomainError):
    code = "not_duplicates"
    message = _(
        "These two files share neither a mobile number nor an ID number, so they are "
        "not merged."
    )


class WalkInNotAllowedError(PermissionDeniedError):
    code = "walk_in_not_allowed"
    message = _("Only station staff and administrators can register a walk-in worker.")


class InvalidSignatureError(DomainError):
    code = "invalid_signature"
    field = "signature"
    message = _("Ask the worker to sign in the box; the signature is missing.")


class PhoneNotConfirmedError(DomainError):
    code = "phone_not_confirmed"
    field = "phone"
    message = _(
        "This number was registered at a station on a signature and is not confirmed "
        "yet. Ask the staff at a station to confirm it with a code; then you can log in."
    )


class PhoneAlreadyConfirmedError(ConflictError):
    code = "phone_already_confirmed"
    message = _("This number is already confirmed; the worker can log in with a code.")
