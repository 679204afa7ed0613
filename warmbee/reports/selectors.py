"""Reads: a reporter's own reports, a department's inbox, history, and the map layer's points."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from warmbee.accounts.models import User
from warmbee.regions.models import Region
from warmbee.reports.choices import OPEN_STATUSES, ReportKind, ReportStatus
from warmbee.reports.errors import ReportNotFoundError
from warmbee.reports.models import Report, ReportEvent, ReportPhoto
from warmbee.reports.permissions import list_reports_in_scope


def list_my_reports(reporter: User) -> QuerySet[Report]:
    return Report.objects.filter(reporter=reporter).select_related("department")


def get_my_report(reporter: User, report_id: int) -> Report:
    report = list_my_reports(reporter).filter(pk=report_id).first()
    if report is None:
        raise ReportNotFoundError()
    return report


def get_report_in_scope(user: User, report_id: int) -> Report:
    report = list_reports_in_scope(user).filter(pk=report_id).first()
    if report is None:
        raise ReportNotFoundError()
    return report


class InboxView:
    OPEN = "open"
    OVERDUE = "overdue"
    UNROUTED = "unrouted"
    RESOLVED = "resolved"
    ALL = (OPEN, OVERDUE, UNROUTED, RESOLVED)


def list_inbox(user: User, view: str) -> QuerySet[Report]:
    """The reports ``user`` handles or oversees, filtered by ``view`` (an ``InboxView``)."""
    reports = list_reports_in_scope(user)
    now = timezone.now()
    if view == InboxView.OVERDUE:
        reports = reports.filter(status__in=OPEN_STATUSES, due_at__lt=now)
    elif view == InboxView.UNROUTED:
        reports = reports.filter(status__in=OPEN_STATUSES, department__isnull=True)
    elif view == InboxView.RESOLVED:
        reports = reports.filter(status=ReportStatus.RESOLVED).order_by("-resolved_at")
    else:
        reports = reports.filter(status__in=OPEN_STATUSES).order_by("due_at")
    return reports


@dataclass(frozen=True)
class InboxCounts:
    open: int
    overdue: int
    unrouted: int


def count_inbox(user: User) -> InboxCounts:
    now = timezone.now()
    is_open = Q(status__in=OPEN_STATUSES)
    figures = list_reports_in_scope(user).aggregate(
        open=Count("pk", filter=is_open),
        overdue=Count("pk", filter=is_open & Q(due_at__lt=now)),
        unrouted=Count("pk", filter=is_open & Q(department__isnull=True)),
    )
    return InboxCounts(**figures)


def list_history(report: Report) -> QuerySet[ReportEvent]:
    return report.events.select_related("department")


def list_photos(report: Report) -> QuerySet[ReportPhoto]:
    return report.photos.all()


def _hazards_placed_by_phone(county: Region, since: dt.datetime) -> QuerySet[Report]:
    # A report placed at a chosen station says where the station is, not the hazard.
    return Report.objects.filter(
        county=county,
        kind=ReportKind.HAZARD,
        created_at__gte=since,
        position_from_station=False,
    )


def list_hazard_positions(
    county: Region, since: dt.datetime
) -> list[tuple[float, float]]:
    """Where hazards were reported in ``county`` since ``since`` (one pair per report
    placed by the phone's position)."""
    return list(
        _hazards_placed_by_phone(county, since).values_list("lat_deg", "lon_deg")
    )


def count_hazard_positions(county: Region, since: dt.datetime) -> int:
    return _hazards_placed_by_phone(county, since).count()


PUBLIC_POSITION_DECIMALS = (
    3  # about 100 m: where the hazard is, not where someone stood
)
PUBLIC_HAZARDS_SHOWN = 200


@dataclass(frozen=True)
class PublicHazard:
    """An open hazard as anyone may see it: no description, photo, time of day or sender."""

    category: str
    category_label: str
    community_label: str
    status: str
    status_label: str
    sent_on: dt.date
    lat_deg: float
    lon_deg: float


def list_public_hazards() -> list[PublicHazard]:
    """Safety hazards still open, newest first, as the public map shows them."""
    reports = (
        Report.objects.filter(kind=ReportKind.HAZARD, status__in=OPEN_STATUSES)
        .select_related("community")
        .order_by("-created_at")[:PUBLIC_HAZARDS_SHOWN]
    )
    return [
        PublicHazard(
            category=report.category,
            category_label=str(report.get_category_display()),
            community_label=report.community.label,
            status=report.status,
            status_label=str(report.get_status_display()),
            sent_on=timezone.localdate(report.created_at),
            lat_deg=round(report.lat_deg, PUBLIC_POSITION_DECIMALS),
            lon_deg=round(report.lon_deg, PUBLIC_POSITION_DECIMALS),
        )
        for report in reports
    ]
