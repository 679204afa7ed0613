"""Check-in origins: roughly where a consenting worker searched before checking in.

The phone keeps the position the finder located (rounded to about 100 m) for an hour
and sends it with the next check-in. Only a worker with the standing location consent
has it counted, and only as one more check-in in a count per H3 cell, month and county
(``CheckInOriginCount``); the position itself is discarded here. The count is made in
its own transaction after the check-in commits, so no row, id or transaction ties it to
the visit. Counts expire after ``CHECKIN_ORIGIN_RETENTION_MONTHS``.
"""

import datetime as dt
import enum
from dataclasses import dataclass
from functools import partial

import h3
from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from warmbee.accounts.models import Role, User
from warmbee.core.geo import haversine_m
from warmbee.stations.models import Station
from warmbee.visits.models import CheckInOriginCount
from warmbee.workers.choices import NoticeKind
from warmbee.workers.selectors import has_consent


@dataclass(frozen=True)
class ReportedOrigin:
    """What the phone sent: where the finder located it, and how long before check-in."""

    lat_deg: float
    lon_deg: float
    minutes_before: int


class OriginStatus(enum.StrEnum):
    """What became of a check-in's origin (language-neutral codes for the API)."""

    NONE_SENT = "none_sent"
    RECORDED = "recorded"
    NO_CONSENT = "no_consent"
    TOO_OLD = "too_old"
    TOO_FAR = "too_far"
    TOO_OFTEN = "too_often"
    ALREADY_COUNTED = "already_counted"


def first_of_month(moment: dt.datetime) -> dt.date:
    """Return the first day of ``moment``'s month in the local time zone."""
    return timezone.localtime(moment).date().replace(day=1)


def _consents(visitor: User | None) -> bool:
    return (
        visitor is not None
        and visitor.role == Role.WORKER
        and has_consent(visitor, NoticeKind.LOCATION)
    )


def _first_in_interval(visitor: User) -> bool:
    """Count at most one origin per worker per interval: made-up positions sent with
    scripted check-ins cannot fill a cell (the counts carry no one to remove later)."""
    interval_s = settings.CHECKIN_ORIGIN_MIN_INTERVAL_MIN * 60
    return bool(cache.add(f"visits:origin-counted:{visitor.pk}", 1, interval_s))


def record_origin(
    *,
    origin: ReportedOrigin,
    visitor: User | None,
    station: Station,
    visited_at: dt.datetime,
) -> OriginStatus:
    """Count the origin of a check-in just created, if its worker consents and it fits.

    Called in the transaction that created the visit: the count is made only once that
    commits (a resent check-in creates nothing, so it counts nothing).
    """
    if not _consents(visitor):
        return OriginStatus.NO_CONSENT
    if not 0 <= origin.minutes_before <= settings.CHECKIN_ORIGIN_MAX_AGE_MIN:
        return OriginStatus.TOO_OLD
    distance_m = haversine_m(
        origin.lat_deg, origin.lon_deg, station.lat_deg, station.lon_deg
    )
    if distance_m > settings.CHECKIN_ORIGIN_MAX_DISTANCE_KM * 1000:
        return OriginStatus.TOO_FAR
    assert visitor is not None  # noqa: S101  # _consents checked it
    if not _first_in_interval(visitor):
        return OriginStatus.TOO_OFTEN
    cell = h3.latlng_to_cell(
        origin.lat_deg, origin.lon_deg, settings.CHECKIN_ORIGIN_H3_RESOLUTION
    )
    count = partial(
        count_origin,
        station_id=station.pk,
        h3_cell=str(cell),
        month=first_of_month(visited_at),
    )
    # Robust: the visit is already committed, and a failed count must not fail it.
    transaction.on_commit(count, robust=True)
    return OriginStatus.RECORDED


def count_origin(*, station_id: int, h3_cell: str, month: dt.date) -> None:
    """Add one check-in to the cell's count for the month, in the station's county."""
    station = Station.objects.select_related("community").get(pk=station_id)
    county = station.community.county()
    if county is None:  # every community lies in a county
        raise ValueError(f"station {station_id} has no county")
    counts = CheckInOriginCount.objects.filter(
        county=county, h3_cell=h3_cell, month=month, is_demo=False
    )
    with transaction.atomic():
        if counts.update(check_ins=F("check_ins") + 1):
            return
        try:
            with transaction.atomic():
                CheckInOriginCount.objects.create(
                    county=county, h3_cell=h3_cell, month=month
                )
        except IntegrityError:
            counts.update(check_ins=F("check_ins") + 1)  # created meanwhile


def expiry_month(now: dt.datetime | None = None) -> dt.date:
    """Return the oldest month still kept: counts of earlier months are deleted."""
    this_month = first_of_month(now or timezone.now())
    months = this_month.year * 12 + this_month.month - 1
    months -= settings.CHECKIN_ORIGIN_RETENTION_MONTHS
    return dt.date(months // 12, months % 12 + 1, 1)


def delete_expired_origins(now: dt.datetime | None = None) -> int:
    """Delete the counts older than the retention period; return how many check-ins."""
    expired = CheckInOriginCount.objects.filter(month__lt=expiry_month(now))
    check_ins = sum(expired.values_list("check_ins", flat=True))
    expired.delete()
    return check_ins
