"""Writes to stations: create and place them, amenity status, closures, corrections.

Every write appends one audit entry per changed record, in the same transaction, with the
station's county (see ``core.audit.record_audit``).
"""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.http import HttpRequest
from django.utils import timezone

from warmbee.accounts.models import User
from warmbee.core import geo
from warmbee.core import opening_hours as hours
from warmbee.core.audit import record_audit
from warmbee.core.models import AuditAction
from warmbee.stations import errors
from warmbee.stations.choices import AmenityStatus, FlagStatus
from warmbee.stations.models import Amenity, AmenityFlag, Station, StationAmenity
from warmbee.stations.permissions import can_manage_station

# Kept by Django or derived, not changed by anyone: left out of audited field lists.
UNAUDITED_STATION_FIELDS = frozenset({"id", "created_at", "updated_at"})


def check_opening_hours(value: str) -> str:
    try:
        return hours.check_expression(value)
    except hours.InvalidOpeningHoursError as error:
        raise errors.InvalidOpeningHoursError(value=value) from error


def check_position(lat_deg: float, lon_deg: float) -> None:
    if not geo.is_in_china(lat_deg, lon_deg):
        raise errors.PositionOutsideChinaError()


def place_station(station: Station) -> None:
    """Validate the position and hours of an unsaved station and set its H3 cells."""
    check_position(station.lat_deg, station.lon_deg)
    station.opening_hours = check_opening_hours(station.opening_hours)
    station.h3_cell = geo.station_cell(station.lat_deg, station.lon_deg)
    station.h3_search_cell = geo.search_cell(station.lat_deg, station.lon_deg)


def audit_station_change(
    *,
    actor: User | None,
    action: AuditAction,
    station: Station,
    target: Model | None = None,
    fields: list[str],
    reason: str = "",
    request: HttpRequest | None = None,
) -> None:
    """Record a change to ``station`` or one of its records in the station's county."""
    record_audit(
        actor=actor,
        action=action,
        target=target if target is not None else station,
        fields=fields,
        reason=reason,
        request=request,
        county=station.community.county(),
    )


def _station_values(station: Station) -> dict[str, Any]:
    return {
        field.name: getattr(station, field.attname)
        for field in Station._meta.concrete_fields
        if field.name not in UNAUDITED_STATION_FIELDS
    }


def _changed_station_fields(station: Station, is_new: bool) -> list[str]:
    """Return the fields a save of ``station`` sets (new) or changes (existing)."""
    values = _station_values(station)
    stored = None
    if not is_new:
        stored = Station.objects.filter(pk=station.pk).first()
    if stored is None:
        return [name for name, value in values.items() if value not in (None, "")]
    before = _station_values(stored)
    return [name for name, value in values.items() if before[name] != value]


@transaction.atomic
def save_station(
    station: Station,
    *,
    actor: User | None = None,
    request: HttpRequest | None = None,
) -> Station:
    """Validate and save a new or changed station; a new one gets every amenity as unknown.

    ``actor`` None is the system (an import script, demo data). Raises ValidationError
    (field errors) or a DomainError.
    """
    # Not ``pk is None``: an imported row may carry the id of a station not yet saved.
    is_new = station._state.adding
    place_station(station)
    station.full_clean()
    changed = _changed_station_fields(station, is_new)
    station.save()
    if is_new:
        ensure_station_amenities(station)
    audit_station_change(
        actor=actor,
        action=AuditAction.CREATE if is_new else AuditAction.UPDATE,
        station=station,
        fields=changed,
        request=request,
    )
    return station


def ensure_station_amenities(station: Station) -> list[StationAmenity]:
    """Give ``station`` an amenity row (status unknown) for every catalogue entry it lacks.

    Returns the rows created; existing rows are left as they are.
    """
    present = StationAmenity.objects.filter(station=station).values("amenity_id")
    return StationAmenity.objects.bulk_create(
        StationAmenity(station=station, amenity=amenity)
        for amenity in Amenity.objects.exclude(pk__in=present)
    )


def create_station(
    *, actor: User | None = None, request: HttpRequest | None = None, **fields: Any
) -> Station:
    return save_station(Station(**fields), actor=actor, request=request)


def _ensure_manager(actor: User, station: Station) -> None:
    if not can_manage_station(actor, station):
        raise errors.NotStationStaffError()


@transaction.atomic
def set_amenity_status(
    *,
    actor: User,
    station: Station,
    amenity_code: str,
    status: str,
    request: HttpRequest | None = None,
) -> StationAmenity:
    """Record what the staff member saw: the status, who verified it and when."""
    _ensure_manager(actor, station)
    if status not in AmenityStatus.values:
        raise ValidationError({"status": status})
    try:
        amenity = Amenity.objects.get(code=amenity_code)
    except Amenity.DoesNotExist as error:
        raise errors.UnknownAmenityError(codes=amenity_code) from error
    station_amenity, created = StationAmenity.objects.select_for_update().get_or_create(
        station=station, amenity=amenity
    )
    station_amenity.status = status
    station_amenity.verified_by = actor
    station_amenity.verified_at = timezone.now()
    changed = ["status", "verified_by", "verified_at"]
    station_amenity.save(update_fields=changed)
    audit_station_change(
        actor=actor,
        action=AuditAction.CREATE if created else AuditAction.UPDATE,
        station=station,
        target=station_amenity,
        fields=changed,
        request=request,
    )
    return station_amenity


@transaction.atomic
def flag_amenity(
    *,
    station: Station,
    amenity_code: str,
    suggested_status: str,
    note: str = "",
    actor: User | None = None,
    request: HttpRequest | None = None,
) -> AmenityFlag:
    """Record a visitor's correction for staff to review; changes no amenity yet.

    Visitors need no account: ``actor`` is the signed-in user if there is one; with
    ``request`` and no actor the audit log records an anonymous visitor and the address.
    """
    try:
        amenity = Amenity.objects.get(code=amenity_code)
    except Amenity.DoesNotExist as error:
        raise errors.UnknownAmenityError(codes=amenity_code) from error
    flag = AmenityFlag(
        station=station,
        amenity=amenity,
        suggested_status=suggested_status,
        note=note.strip(),
    )
    flag.full_clean()
    flag.save()
    audit_station_change(
        actor=actor,
        action=AuditAction.CREATE,
        station=station,
        target=flag,
        fields=[
            "station",
            "amenity",
            "suggested_status",
            *(["note"] if flag.note else []),
        ],
        request=request,
    )
    return flag


@transaction.atomic
def review_amenity_flag(
    *,
    actor: User,
    flag: AmenityFlag,
    accept: bool,
    request: HttpRequest | None = None,
) -> AmenityFlag:
    """Accept (and apply) or dismiss a visitor's correction.

    Audited as a change to the flag; accepting also changes (and audits) the amenity.
    A flag already reviewed is returned unchanged, without an entry.
    """
    _ensure_manager(actor, flag.station)
    flag = AmenityFlag.objects.select_for_update().get(pk=flag.pk)
    if flag.status != FlagStatus.OPEN:
        return flag
    if accept:
        set_amenity_status(
            actor=actor,
            station=flag.station,
            amenity_code=flag.amenity.code,
            status=flag.suggested_status,
            request=request,
        )
    flag.status = FlagStatus.ACCEPTED if accept else FlagStatus.DISMISSED
    flag.reviewed_by = actor
    flag.reviewed_at = timezone.now()
    flag.save(update_fields=["status", "reviewed_by", "reviewed_at", "updated_at"])
    audit_station_change(
        actor=actor,
        action=AuditAction.UPDATE,
        station=flag.station,
        target=flag,
        fields=["status", "reviewed_by", "reviewed_at"],
        request=request,
    )
    return flag


@transaction.atomic
def close_station_temporarily(
    *,
    actor: User,
    station: Station,
    until: dt.datetime,
    reason: str,
    now: dt.datetime | None = None,
    request: HttpRequest | None = None,
) -> Station:
    """Close the station until ``until`` (in the future), showing ``reason`` to visitors.

    The reason is also the audit entry's reason.
    """
    _ensure_manager(actor, station)
    if until <= (now or timezone.now()) or not reason.strip():
        raise errors.InvalidClosureError()
    station.closed_until = until
    station.closure_reason = reason.strip()
    station.full_clean()
    station.save(update_fields=["closed_until", "closure_reason", "updated_at"])
    audit_station_change(
        actor=actor,
        action=AuditAction.UPDATE,
        station=station,
        fields=["closed_until", "closure_reason"],
        reason=station.closure_reason,
        request=request,
    )
    return station


@transaction.atomic
def reopen_station(
    *, actor: User, station: Station, request: HttpRequest | None = None
) -> Station:
    _ensure_manager(actor, station)
    station.closed_until = None
    station.closure_reason = ""
    station.save(update_fields=["closed_until", "closure_reason", "updated_at"])
    audit_station_change(
        actor=actor,
        action=AuditAction.UPDATE,
        station=station,
        fields=["closed_until", "closure_reason"],
        request=request,
    )
    return station
