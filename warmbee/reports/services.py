"""Sending reports and moving them along: every change writes the report, its history
(``ReportEvent``) and the audit log in one transaction."""

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


def _count_against_hourly_limit(reporter: User) -> None:
    limit = settings.REPORT_LIMIT_PER_HOUR
    key = f"reports:sent:{reporter.pk}"
    cache.add(key, 0, timeout=3600)
    if cache.incr(key) > limit:
        raise errors.ReportRateLimitedError(limit=limit)


def _existing(client_id: uuid.UUID, reporter: User) -> Report | None:
    report = Report.objects.filter(client_id=client_id).first()
    if report is not None and report.reporter_id != reporter.pk:
        raise errors.ReportClientIdReusedError()
    return report


def submit_report(
    *,
    reporter: User,
    new: NewReport,
    photos: Sequence[UploadedFile] = (),
    request: HttpRequest | None = None,
) -> Report:
    """Record ``new`` and send it to its department; the same ``client_id`` twice gives one report.

    Checks come first and change nothing: the photos (type, size, count; re-encoded
    without metadata), the place (near a station), the hourly limit.
    """
    existing = _existing(new.client_id, reporter)
    if existing is not None:
        return existing
    if len(photos) > MAX_PHOTOS:
        raise errors.TooManyPhotosError(limit=MAX_PHOTOS)
    clean_photos = [sanitize_image(photo) for photo in photos]
    area = locate_report(new.lat_deg, new.lon_deg)
    _count_against_hourly_limit(reporter)
    department = route_report(new.category, area)
    now = timezone.now()
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
                ReportPhoto.objects.create(report=report, image=clean)
            ReportEvent.objects.create(
                report=report, at=now, kind=EventKind.SUBMITTED, actor=reporter
            )
            ReportEvent.objects.create(
                report=report,
                at=now,
                kind=EventKind.ROUTED if department else EventKind.UNROUTED,
                department=department,
            )
            record_audit(
                actor=reporter,
                action=AuditAction.CREATE,
                target=report,
                request=request,
                county=area.county,
            )
    except IntegrityError:
        # The same form sent twice at once: the first one made the report.
        existing = _existing(new.client_id, reporter)
        if existing is None:
            raise
        return existing
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
        reason=str(kind.label),
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


@transaction.atomic
def accept_report(
    *, report: Report, handler: User, note: str = "", request: HttpRequest | None = None
) -> Report:
    """The department takes the report on (受理)."""
    report = _locked(report, ReportStatus.SUBMITTED)
    _require_handler(handler, report)
    report.status = ReportStatus.ACCEPTED
    report.save(update_fields=["status"])
    _log(
        report,
        EventKind.ACCEPTED,
        handler,
        note=note.strip(),
        department=report.department,
        request=request,
    )
    return report


@transaction.atomic
def add_progress_note(
    *, report: Report, handler: User, note: str, request: HttpRequest | None = None
) -> Report:
    note = _require_note(note)
    report = _locked(report, ReportStatus.ACCEPTED)
    _require_handler(handler, report)
    _log(
        report,
        EventKind.NOTE,
        handler,
        note=note,
        department=report.department,
        request=request,
    )
    return report


@transaction.atomic
def resolve_report(
    *, report: Report, handler: User, note: str, request: HttpRequest | None = None
) -> Report:
    """The department says what was done (办结); the reporter can then give feedback."""
    note = _require_note(note)
    report = _locked(report, ReportStatus.SUBMITTED, ReportStatus.ACCEPTED)
    _require_handler(handler, report)
    report.status = ReportStatus.RESOLVED
    report.resolved_at = timezone.now()
    report.save(update_fields=["status", "resolved_at"])
    _log(
        report,
        EventKind.RESOLVED,
        handler,
        note=note,
        department=report.department,
        request=request,
    )
    return report


@transaction.atomic
def return_report(
    *, report: Report, handler: User, note: str, request: HttpRequest | None = None
) -> Report:
    """Not this department's: back to the county administrator to choose another."""
    note = _require_note(note)
    report = _locked(report, ReportStatus.SUBMITTED, ReportStatus.ACCEPTED)
    _require_handler(handler, report)
    department = report.department
    report.status = ReportStatus.SUBMITTED
    report.department = None
    report.save(update_fields=["status", "department"])
    _log(
        report,
        EventKind.RETURNED,
        handler,
        note=note,
        department=department,
        request=request,
    )
    return report


@transaction.atomic
def assign_report(
    *,
    report: Report,
    admin: User,
    department: Department,
    request: HttpRequest | None = None,
) -> Report:
    """A county administrator sends an open report to ``department``."""
    if not can_assign(admin, report):
        raise errors.ReportNotFoundError()
    if not list_assignable_departments(report).filter(pk=department.pk).exists():
        raise errors.DepartmentNotInCountyError()
    report = _locked(report, ReportStatus.SUBMITTED, ReportStatus.ACCEPTED)
    report.status = ReportStatus.SUBMITTED
    report.department = department
    report.save(update_fields=["status", "department"])
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
    request: HttpRequest | None = None,
) -> Report:
    """The reporter is satisfied, or not: then the report goes back to its department."""
    if report.reporter_id != reporter.pk:
        raise errors.ReportNotFoundError()
    report = _locked(report, ReportStatus.RESOLVED)
    if not feedback_is_open(report):
        raise errors.FeedbackClosedError(days=settings.REPORT_FEEDBACK_DAYS)
    if feedback == Feedback.SATISFIED:
        _log(report, EventKind.SATISFIED, reporter, note=note.strip(), request=request)
        return report
    note = _require_note(note)
    report.status = (
        ReportStatus.ACCEPTED if report.department_id else ReportStatus.SUBMITTED
    )
    report.resolved_at = None
    report.due_at = timezone.now() + time_limit(report.category)
    report.save(update_fields=["status", "resolved_at", "due_at"])
    _log(
        report,
        EventKind.REOPENED,
        reporter,
        note=note,
        department=report.department,
        request=request,
    )
    return report
