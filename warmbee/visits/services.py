"""Writes of visits: check-ins by QR and walk-ins recorded by staff, each counted once.

Walk-ins are staff changes and are audited (one entry per call, in the station's county,
in the same transaction). A QR check-in is the visitor's own act and is not: the visit
row itself records it.
"""

import datetime as dt
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from warmbee.accounts.models import Role, User
from warmbee.core.models import AuditAction
from warmbee.stations import errors as station_errors
from warmbee.stations.models import Amenity, Station
from warmbee.stations.permissions import can_manage_station
from warmbee.stations.selectors import station_state_at
from warmbee.stations.services import audit_station_change
from warmbee.visits import errors
from warmbee.visits.models import Visit, VisitChannel
from warmbee.visits.origins import OriginStatus, ReportedOrigin, record_origin
from warmbee.workers.choices import NoticeKind
from warmbee.workers.selectors import has_consent

CLOCK_SKEW = dt.timedelta(minutes=5)


@dataclass(frozen=True)
class VisitOutcome:
    visit: Visit
    created: bool
    origin: OriginStatus = OriginStatus.NONE_SENT


def _check_time(visited_at: dt.datetime, now: dt.datetime) -> None:
    if visited_at > now + CLOCK_SKEW:
        raise errors.VisitTimeInFutureError()
    max_delay_h = settings.VISIT_MAX_DELAY_HOURS
    if visited_at < now - dt.timedelta(hours=max_delay_h):
        raise errors.VisitTooOldError(hours=max_delay_h)


def _services(codes: list[str]) -> list[Amenity]:
    amenities = list(Amenity.objects.filter(code__in=set(codes)))
    unknown = sorted(set(codes) - {amenity.code for amenity in amenities})
    if unknown:
        raise station_errors.UnknownAmenityError(codes=", ".join(unknown))
    return amenities


def _existing(client_id: uuid.UUID, station: Station) -> VisitOutcome | None:
    visit = Visit.objects.filter(client_id=client_id).first()
    if visit is None:
        return None
    if visit.station_id != station.pk:
        raise errors.ClientIdReusedError()
    return VisitOutcome(visit, created=False)


def _may_file_visit(visitor: User | None) -> bool:
    """Return whether the visit goes on the visitor's file: a worker who has consented.

    Anyone else, and a worker who withdrew consent, is counted anonymously.
    """
    return (
        visitor is not None
        and visitor.role == Role.WORKER
        and has_consent(visitor, NoticeKind.GENERAL)
    )


@transaction.atomic
def check_in(
    *,
    client_id: uuid.UUID,
    station: Station,
    visited_at: dt.datetime,
    service_codes: list[str],
    visitor: User | None,
    origin: ReportedOrigin | None = None,
    now: dt.datetime | None = None,
) -> VisitOutcome:
    """Record a QR check-in, or return the one already recorded under ``client_id``.

    Refuses a check-in at a station closed at ``visited_at``. Anonymous visitors pass
    ``visitor=None`` and are counted all the same; a signed-in worker's visit goes on
    their file, while staff scanning a poster are counted anonymously. An ``origin``
    the phone sent is counted for planning when the worker consents to it
    (``origins.record_origin``): once, after the new visit commits.
    """
    now = now or timezone.now()
    existing = _existing(client_id, station)
    if existing is not None:
        return _with_origin(existing, OriginStatus.ALREADY_COUNTED, origin)
    _check_time(visited_at, now)
    if not station_state_at(station, visited_at).is_open:
        raise station_errors.StationClosedError(station=station.name)
    outcome = _create(
        client_id=client_id,
        station=station,
        visited_at=visited_at,
        services=_services(service_codes),
        worker=visitor if _may_file_visit(visitor) else None,
        channel=VisitChannel.QR,
        recorded_by=None,
    )
    if not outcome.created:  # a concurrent resend won the race
        return _with_origin(outcome, OriginStatus.ALREADY_COUNTED, origin)
    if origin is None:
        return outcome
    status = record_origin(
        origin=origin, visitor=visitor, station=station, visited_at=visited_at
    )
    return VisitOutcome(outcome.visit, created=True, origin=status)


def _with_origin(
    outcome: VisitOutcome, status: OriginStatus, origin: ReportedOrigin | None
) -> VisitOutcome:
    if origin is None:
        return outcome
    return VisitOutcome(outcome.visit, outcome.created, origin=status)


def _audit_walk_ins(
    actor: User,
    station: Station,
    outcomes: list[VisitOutcome],
    request: HttpRequest | None,
) -> None:
    """Record the visits a call added as one change to the station's visits.

    Resubmissions add no visit and so no entry; the visits themselves name the staff
    member (``recorded_by``) and their time.
    """
    if any(outcome.created for outcome in outcomes):
        audit_station_change(
            actor=actor,
            action=AuditAction.CREATE,
            station=station,
            fields=["visits"],
            request=request,
        )


@transaction.atomic
def record_card_check_in(
    *,
    actor: User,
    client_id: uuid.UUID,
    station: Station,
    worker: User,
    service_codes: list[str],
    now: dt.datetime | None = None,
    request: HttpRequest | None = None,
) -> VisitOutcome:
    """Record, at scan time, the visit of a worker whose personal card staff scanned.

    The visit goes on the worker's file, so it needs their standing consent; the card
    page carries one ``client_id``, so a second tap returns the first visit.
    """
    if not can_manage_station(actor, station):
        raise station_errors.NotStationStaffError()
    existing = _existing(client_id, station)
    if existing is not None:
        if existing.visit.worker_id != worker.pk:
            raise errors.ClientIdReusedError()
        return existing
    if not _may_file_visit(worker):
        raise errors.WorkerNotOnFileError()
    outcome = _create(
        client_id=client_id,
        station=station,
        visited_at=now or timezone.now(),
        services=_services(service_codes),
        worker=worker,
        channel=VisitChannel.CARD,
        recorded_by=actor,
    )
    _audit_walk_ins(actor, station, [outcome], request)
    return outcome


@transaction.atomic
def record_walk_in(
    *,
    actor: User,
    client_id: uuid.UUID,
    station: Station,
    visited_at: dt.datetime,
    service_codes: list[str],
    now: dt.datetime | None = None,
    request: HttpRequest | None = None,
) -> VisitOutcome:
    """Record a visit that staff saw at their station (no opening-hours check)."""
    if not can_manage_station(actor, station):
        raise station_errors.NotStationStaffError()
    outcome = _record_walk_in(
        actor=actor,
        client_id=client_id,
        station=station,
        visited_at=visited_at,
        services=_services(service_codes),
        now=now or timezone.now(),
    )
    _audit_walk_ins(actor, station, [outcome], request)
    return outcome


def _record_walk_in(
    *,
    actor: User,
    client_id: uuid.UUID,
    station: Station,
    visited_at: dt.datetime,
    services: list[Amenity],
    now: dt.datetime,
) -> VisitOutcome:
    existing = _existing(client_id, station)
    if existing is not None:
        return existing
    _check_time(visited_at, now)
    return _create(
        client_id=client_id,
        station=station,
        visited_at=visited_at,
        services=services,
        worker=None,
        channel=VisitChannel.STAFF,
        recorded_by=actor,
    )


@transaction.atomic
def record_walk_ins(
    *,
    actor: User,
    batch_id: uuid.UUID,
    station: Station,
    visitor_count: int,
    service_codes: list[str],
    now: dt.datetime | None = None,
    request: HttpRequest | None = None,
) -> list[VisitOutcome]:
    """Record ``visitor_count`` walk-ins at once; resubmitting the same batch adds nothing.

    Each visit's client id is derived from ``batch_id`` and its position in the batch.
    The batch is one audit entry.
    """
    if not can_manage_station(actor, station):
        raise station_errors.NotStationStaffError()
    now = now or timezone.now()
    services = _services(service_codes)
    outcomes = [
        _record_walk_in(
            actor=actor,
            client_id=uuid.uuid5(batch_id, str(index)),
            station=station,
            visited_at=now,
            services=services,
            now=now,
        )
        for index in range(visitor_count)
    ]
    _audit_walk_ins(actor, station, outcomes, request)
    return outcomes


def _create(
    *,
    client_id: uuid.UUID,
    station: Station,
    visited_at: dt.datetime,
    services: list[Amenity],
    worker: User | None,
    channel: VisitChannel,
    recorded_by: User | None,
) -> VisitOutcome:
    try:
        with transaction.atomic():
            visit = Visit.objects.create(
                client_id=client_id,
                station=station,
                visited_at=visited_at,
                worker=worker,
                channel=channel,
                recorded_by=recorded_by,
            )
            visit.services.set(services)
    except IntegrityError:
        # A concurrent submission with the same id won the race: return its row.
        existing = _existing(client_id, station)
        if existing is None:
            raise
        return existing
    return VisitOutcome(visit, created=True)
