"""Sending reports and moving them along: every change writes the report, its history
(``ReportEvent``) and the audit log in one transaction."""

import contextlib
import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from warmbee.accounts.models import User
from warmbee.core.audit import record_audit
from warmbee.core.geo import station_cell
from warmbee.core.images import sanitize_image
from warmbee.core.models import AuditAction
from warmbee.reports import errors
from warmbee.reports.choices import (
    OPEN_STATUSES,
    EventKind,
    Feedback,
    ReportStatus,
    kind_of,
    time_limit,
)
from warmbee.reports.models import Department, Report, ReportEvent, ReportPhoto
from warmbee.reports.permissions import (
    can_assign,
    handles,
    list_assignable_departments,
)
from warmbee.reports.routing import locate_report, route_report
from warmbee.workers.choices import NoticeKind
from warmbee.workers.selectors import has_consent

MAX_PHOTOS = 3


@dataclass(frozen=True)
class NewReport:
    client_id: uuid.UUID
    category: str
    description: str
    place_note: str
    lat_deg: float
    lon_deg: float
    position_from_station: bool


REPORTER_LABEL = "reporter"  # the audit log's name for a report's sender (never who)


def _hourly_key(reporter: User) -> str:
    return f"reports:sent:{reporter.pk}"


def _count_against_hourly_limit(reporter: User) -> None:
    limit = settings.REPORT_LIMIT_PER_HOUR
    key = _hourly_key(reporter)
    cache.add(key, 0, timeout=3600)
    try:
        sent = cache.incr(key)
    except ValueError:  # the window ended between add and incr
        cache.add(key, 1, timeout=3600)
        sent = 1
    if sent > limit:
        raise errors.ReportRateLimitedError(limit=limit)


def _give_back_hourly_count(reporter: User) -> None:
    with contextlib.suppress(ValueError):  # the window has ended: nothing to give back
        cache.decr(_hourly_key(reporter))


def _existing(new: NewReport, reporter: User) -> Report | None:
    """The report this form already made, if any; the same id for anything else is refused."""
    report = Report.objects.filter(client_id=new.client_id).first()
    if report is None:
        return None
    same = (
        report.reporter_id == reporter.pk
        and report.category == new.category
        and report.description == new.description
        and report.place_note == new.place_note
        and (report.lat_deg, report.lon_deg) == (new.lat_deg, new.lon_deg)
    )
    if not same:
        raise errors.ReportClientIdReusedError()
    return report


def _audit_by_reporter(report: Report, action: AuditAction, fields: list[str]) -> None:
    """The audit log keeps that the reporter acted, without their account number or address:
    the county, which reads its log, is never told who sent a report."""
    record_audit(
        actor=report.reporter,
        action=action,
        target=report,
        fields=fields,
        county=report.county,
        actor_label=REPORTER_LABEL,
    )


def submit_report(
    *,
    reporter: User,
    new: NewReport,
    photos: Sequence[UploadedFile] = (),
) -> Report:
    """Record ``new`` and send it to its department; the same form twice gives one report.

    Checks come first and change nothing: the general consent, the photos (type, size,
    count; re-encoded without metadata), the place (near a station), the hourly limit.
    Nothing of the sender's device or address is recorded (no request is taken).
    """
    existing = _existing(new, reporter)
    if existing is not None:
        return existing
    if not has_consent(reporter, NoticeKind.GENERAL):
        raise errors.ReportConsentNeededError()
    if len(photos) > MAX_PHOTOS:
        raise errors.TooManyPhotosError(limit=MAX_PHOTOS)
    clean_photos = [sanitize_image(photo) for photo in photos]
    area = locate_report(new.lat_deg, new.lon_deg)
    _count_against_hourly_limit(reporter)
    department = route_report(new.category, area)
    now = timezone.now()
    stored: list[ReportPhoto] = []
    try:
        with transaction.atomic():
            report = Report.objects.create(
                client_id=new.client_id,
                reporter=reporter,
                county=area.county,
                community=area.community,
                kind=kind_of(new.category),
                category=new.category,
                description=new.description,
                place_note=new.place_note,
                lat_deg=new.lat_deg,
                lon_deg=new.lon_deg,
                position_from_station=new.position_from_station,
                h3_cell=station_cell(new.lat_deg, new.lon_deg),
                department=department,
                due_at=now + time_limit(new.category),
                created_at=now,
            )
            for clean in clean_photos:
                stored.append(ReportPhoto.objects.create(report=report, image=clean))
            # The sender is the report's ``reporter``; events name nobody for them, so
            # unlinking the report (account deleted) leaves no trace in the ledger.
            ReportEvent.objects.create(report=report, at=now, kind=EventKind.SUBMITTED)
            ReportEvent.objects.create(
                report=report,
                at=now,
                kind=EventKind.ROUTED if department else EventKind.UNROUTED,
                department=department,
            )
            _audit_by_reporter(report, AuditAction.CREATE, [])
    except BaseException as error:
        for photo in stored:  # files are not rolled back with the rows
            photo.image.delete(save=False)
        _give_back_hourly_count(reporter)
        if isinstance(error, IntegrityError):
            # The same form sent twice at once: the first one made the report.
            existing = _existing(new, reporter)
            if existing is not None:
                return existing
        raise
    return report


def move_reports(*, from_user_id: int, to_user_id: int) -> int:
    """Give a merged file's reports to the file it was merged into."""
    return Report.objects.filter(reporter_id=from_user_id).update(
        reporter_id=to_user_id
    )


def detach_reports(reporter: User) -> int:
    """Unlink a deleted account's reports: they stay, as sent by nobody known."""
    return Report.objects.filter(reporter=reporter).update(reporter=None)


def _locked(report: Report, *allowed: ReportStatus) -> Report:
    current = Report.objects.select_for_update().get(pk=report.pk)
    if current.status not in allowed:
        raise errors.ReportMovedOnError(status=current.get_status_display())
    return current


def _log(
    report: Report,
    kind: EventKind,
    actor: User,
    *,
    note: str = "",
    department: Department | None = None,
    request: HttpRequest | None = None,
) -> None:
    ReportEvent.objects.create(
        report=report,
        at=timezone.now(),
        kind=kind,
        actor=actor,
        department=department,
        note=note,
    )
    record_audit(
        actor=actor,
        action=AuditAction.UPDATE,
        target=report,
        fields=["status", "department"],
        reason=str(kind.value),
        request=request,
        county=report.county,
    )


def _require_handler(user: User, report: Report) -> None:
    if not handles(user, report):
        raise errors.NotHandlerError()


def _require_note(note: str) -> str:
    note = note.strip()
    if not note:
        raise errors.NoteRequiredError()
    return note


def _handler_step(
    *,
    report: Report,
    handler: User,
    allowed: tuple[ReportStatus, ...],
    kind: EventKind,
    note: str,
    request: HttpRequest | None,
    changes: dict[str, object] | None = None,
) -> Report:
    """One step by the department: lock, check the status and the handler, change, log."""
    report = _locked(report, *allowed)
    _require_handler(handler, report)
    department = report.department  # the one acting, even when the step clears it
    for name, value in (changes or {}).items():
        setattr(report, name, value)
    if changes:
        report.save(update_fields=list(changes))
    _log(report, kind, handler, note=note, department=department, request=request)
    return report


@transaction.atomic
def accept_report(
    *, report: Report, handler: User, note: str = "", request: HttpRequest | None = None
) -> Report:
    """The department takes the report on (受理)."""
    return _handler_step(
        report=report,
        handler=handler,
        allowed=(ReportStatus.SUBMITTED,),
        kind=EventKind.ACCEPTED,
        note=note.strip(),
        request=request,
        changes={"status": ReportStatus.ACCEPTED},
    )


@transaction.atomic
def add_progress_note(
    *, report: Report, handler: User, note: str, request: HttpRequest | None = None
) -> Report:
    return _handler_step(
        report=report,
        handler=handler,
        allowed=(ReportStatus.ACCEPTED,),
        kind=EventKind.NOTE,
        note=_require_note(note),
        request=request,
    )


@transaction.atomic
def resolve_report(
    *, report: Report, handler: User, note: str, request: HttpRequest | None = None
) -> Report:
    """The department says what was done (办结); the reporter can then give feedback."""
    return _handler_step(
        report=report,
        handler=handler,
        allowed=OPEN_STATUSES,
        kind=EventKind.RESOLVED,
        note=_require_note(note),
        request=request,
        changes={"status": ReportStatus.RESOLVED, "resolved_at": timezone.now()},
    )


@transaction.atomic
def return_report(
    *, report: Report, handler: User, note: str, request: HttpRequest | None = None
) -> Report:
    """Not this department's: back to the county administrator to choose another."""
    return _handler_step(
        report=report,
        handler=handler,
        allowed=OPEN_STATUSES,
        kind=EventKind.RETURNED,
        note=_require_note(note),
        request=request,
        changes={"status": ReportStatus.SUBMITTED, "department": None},
    )


@transaction.atomic
def assign_report(
    *,
    report: Report,
    admin: User,
    department: Department,
    request: HttpRequest | None = None,
) -> Report:
    """A county administrator sends an open report to ``department``, with a new time limit."""
    if not can_assign(admin, report):
        raise errors.ReportNotFoundError()
    if not list_assignable_departments(report).filter(pk=department.pk).exists():
        raise errors.DepartmentNotInCountyError()
    report = _locked(report, *OPEN_STATUSES)
    report.status = ReportStatus.SUBMITTED
    report.department = department
    # The department's time limit starts when it gets the report.
    report.due_at = timezone.now() + time_limit(report.category)
    report.save(update_fields=["status", "department", "due_at"])
    _log(report, EventKind.ASSIGNED, admin, department=department, request=request)
    return report


def feedback_is_open(report: Report) -> bool:
    """Whether the reporter may still say if they are satisfied."""
    if report.status != ReportStatus.RESOLVED or report.resolved_at is None:
        return False
    window = dt.timedelta(days=settings.REPORT_FEEDBACK_DAYS)
    if timezone.now() > report.resolved_at + window:
        return False
    return not report.events.filter(
        kind=EventKind.SATISFIED, at__gte=report.resolved_at
    ).exists()


@transaction.atomic
def give_feedback(
    *,
    report: Report,
    reporter: User,
    feedback: Feedback,
    note: str = "",
) -> Report:
    """The reporter is satisfied, or not: then the report goes back to its department,
    or to the county if that department no longer receives reports."""
    if report.reporter_id != reporter.pk:
        raise errors.ReportNotFoundError()
    report = _locked(report, ReportStatus.RESOLVED)
    if not feedback_is_open(report):
        raise errors.FeedbackClosedError(days=settings.REPORT_FEEDBACK_DAYS)
    now = timezone.now()
    if feedback == Feedback.SATISFIED:
        ReportEvent.objects.create(
            report=report, at=now, kind=EventKind.SATISFIED, note=note.strip()
        )
        _audit_by_reporter(report, AuditAction.UPDATE, ["feedback"])
        return report
    note = _require_note(note)
    department = report.department
    still_receives = department is not None and department.is_active
    report.status = ReportStatus.ACCEPTED if still_receives else ReportStatus.SUBMITTED
    report.department = department if still_receives else None
    report.resolved_at = None
    report.due_at = now + time_limit(report.category)
    report.save(update_fields=["status", "department", "resolved_at", "due_at"])
    ReportEvent.objects.create(
        report=report,
        at=now,
        kind=EventKind.REOPENED,
        department=report.department,
        note=note,
    )
    if not still_receives:
        ReportEvent.objects.create(report=report, at=now, kind=EventKind.UNROUTED)
    _audit_by_reporter(report, AuditAction.UPDATE, ["status", "department"])
    return report
