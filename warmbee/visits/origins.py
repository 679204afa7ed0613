"""Check-in origins: roughly where a consenting worker searched before checking in.

The phone keeps the position the finder located (rounded to about 100 m) and sends it
with the next check-in. Only a worker with the standing location consent has it noted,
and only as an H3 cell, the month and the county (``CheckInOrigin``); the position
itself is discarded here. Nothing links the note to the worker, the visit or the
station. Notes expire after ``CHECKIN_ORIGIN_RETENTION_MONTHS``.
"""

import datetime as dt
import enum
from dataclasses import dataclass

import h3
from django.conf import settings
from django.utils import timezone

from warmbee.accounts.models import Role, User
from warmbee.core.geo import haversine_m
from warmbee.stations.models import Station
from warmbee.visits.models import CheckInOrigin
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
    ALREADY_COUNTED = "already_counted"


def first_of_month(moment: dt.datetime) -> dt.date:
    """Return the first day of ``moment``'s month in the local time zone."""
    return timezone.localtime(moment).date().replace(day=1)


def record_origin(
    *,
    origin: ReportedOrigin,
    visitor: User | None,
    station: Station,
    visited_at: dt.datetime,
) -> OriginStatus:
    """Note the origin of a check-in just created, if its worker consents and it fits.

    Called in the transaction that created the visit, so a resent check-in (which
    creates nothing) never notes its origin twice.
    """
    if not (
        visitor is not None
        and visitor.role == Role.WORKER
        and has_consent(visitor, NoticeKind.LOCATION)
    ):
        return OriginStatus.NO_CONSENT
    if not 0 <= origin.minutes_before <= settings.CHECKIN_ORIGIN_MAX_AGE_MIN:
        return OriginStatus.TOO_OLD
    distance_m = haversine_m(
        origin.lat_deg, origin.lon_deg, station.lat_deg, station.lon_deg
    )
    if distance_m > settings.CHECKIN_ORIGIN_MAX_DISTANCE_KM * 1000:
        return OriginStatus.TOO_FAR
    county = station.community.county()
    if county is None:  # a station's community always lies in a county
        raise ValueError(f"station {station.pk} has no county")
    CheckInOrigin.objects.create(
        county=county,
        h3_cell=h3.latlng_to_cell(
            origin.lat_deg, origin.lon_deg, settings.CHECKIN_ORIGIN_H3_RESOLUTION
        ),
        month=first_of_month(visited_at),
    )
    return OriginStatus.RECORDED


def expiry_month(now: dt.datetime | None = None) -> dt.date:
    """Return the oldest month still kept: notes of earlier months are deleted."""
    this_month = first_of_month(now or timezone.now())
    months = this_month.year * 12 + this_month.month - 1
    months -= settings.CHECKIN_ORIGIN_RETENTION_MONTHS
    return dt.date(months // 12, months % 12 + 1, 1)


def delete_expired_origins(now: dt.datetime | None = None) -> int:
    """Delete the notes older than the retention period; return how many."""
    deleted, _by_model = CheckInOrigin.objects.filter(
        month__lt=expiry_month(now)
    ).delete()
    return deleted
