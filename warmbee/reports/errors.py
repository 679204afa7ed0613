from django.utils.translation import gettext_lazy as _

from warmbee.core.errors import (
    ConflictError,
    DomainError,
    NotFoundError,
    PermissionDeniedError,
)


class NoReportPositionError(DomainError):
    code = "report_position_missing"
    field = "station"
    message = _(
        "We need to know where it is: allow the phone to share its position, "
        "or choose the station nearest to it."
    )


class ReportOutsideAreaError(DomainError):
    code = "report_outside_area"
    message = _(
        "This place is more than %(km)s km from every Warm Bee station, so no county "
        "here can take the report. Call 12345 (the government service hotline) instead."
    )


class ReportNotFoundError(NotFoundError):
    code = "report_not_found"
    message = _("There is no such report, or it is not yours to see.")


class ReportClientIdReusedError(ConflictError):
    code = "report_client_id_reused"
    message = _("This form was already used for another report. Reload the page.")


class ReportRateLimitedError(DomainError):
    status_code = 429
    code = "report_rate_limited"
    message = _(
        "You have sent %(limit)s reports in the last hour. Please wait a while; "
        "for an emergency call 110 or 119."
    )


class TooManyPhotosError(DomainError):
    code = "too_many_photos"
    field = "photos"
    message = _("Add at most %(limit)s photos.")


class ReportMovedOnError(ConflictError):
    code = "report_moved_on"
    message = _(
        "This report has moved on since the page was opened (it is now “%(status)s”). "
        "Reload the page."
    )


class NotHandlerError(NotFoundError):
    code = "report_not_handled_by_you"
    message = _("This report is not with a department you handle.")


class DepartmentNotInCountyError(DomainError):
    code = "department_not_in_county"
    field = "department"
    message = _("Choose a department of the report's county that receives reports.")


class FeedbackClosedError(ConflictError):
    code = "feedback_closed"
    message = _(
        "Feedback is taken on a resolved report, once, within %(days)s days of it "
        "being resolved."
    )


class NoteRequiredError(DomainError):
    code = "note_required"
    field = "note"
    message = _("Write a few words: the reporter and the county read them.")


class ReportConsentNeededError(PermissionDeniedError):
    code = "report_consent_needed"
    message = _(
        "Reports go on your file, which needs your consent to the privacy notice. "
        "Give it again under My consents, then send the report."
    )
