from django.utils.translation import gettext_lazy as _

from warmbee.core.errors import ConflictError, DomainError, PermissionDeniedError


class VisitTimeInFutureError(DomainError):
    code = "visit_time_in_future"
    message = _("The check-in time is in the future. Check your phone's clock.")


class VisitTooOldError(DomainError):
    code = "visit_too_old"
    message = _(
        "This check-in is more than %(hours)s hours old and can no longer be sent."
    )


class ClientIdReusedError(ConflictError):
    code = "client_id_reused"
    message = _("This check-in id was already used for a different check-in.")


class CsrfFailedError(PermissionDeniedError):
    code = "csrf_failed"
    message = _(
        "This request did not come from a Warm Bee page. Reload the page and try again."
    )


class WorkerNotOnFileError(DomainError):
    code = "worker_not_on_file"
    message = _(
        "This worker has no file that can take visits (no consent given). "
        "Record the visit as a walk-in instead."
    )
