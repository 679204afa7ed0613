"""Writes to stations: create and place them, amenity status, closures, corrections."""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from warmbee.accounts.models import User
from warmbee.core import geo
from warmbee.core import opening_hours as hours
from warmbee.stations import errors
from warmbee.stations.choices import AmenityStatus, FlagStatus
from warmbee.stations.models import Amenity, AmenityFlag, Station, StationAmenity
from warmbee.stations.permissions import can_manage_station


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


@transaction.atomic
def save_station(station: Station) -> Station:
    """Validate and save a new or changed station; a new one gets every amenity as unknown.

    Raises ValidationError (field errors) or a DomainError.
    """
    # Not ``pk is None``: an imported row may carry the id of a station not yet saved.
    is_new = station._state.adding
    place_station(station)
    station.full_clean()
    station.save()
    if is_new:
        ensure_station_amenities(station)
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


def create_station(**fields: Any) -> Station:
    return save_station(Station(**fields))


def _ensure_manager(actor: User, station: Station) -> None:
    if not can_manage_station(actor, station):
        raise errors.NotStationStaffError()


@transaction.atomic
def set_amenity_status(
    *, actor: User, station: Station, amenity_code: str, status: str
) -> StationAmenity:
    """Record what the staff member saw: the status, who verified it and when."""
    _ensure_manager(actor, station)
    if status not in AmenityStatus.values:
        raise ValidationError({"status": status})
    try:
        amenity = Amenity.objects.get(code=amenity_code)
    except Amenity.DoesNotExist as error:
        raise errors.UnknownAmenityError(codes=amenity_code) from error
    station_amenity, _created = (
        StationAmenity.objects.select_for_update().get_or_create(
            station=station, amenity=amenity
        )
    )
    station_amenity.status = status
    station_amenity.verified_by = actor
    station_amenity.verified_at = timezone.now()
    station_amenity.save(update_fields=["status", "verified_by", "verified_at"])
    return station_amenity


@transaction.atomic
def flag_amenity(
    *, station: Station, amenity_code: str, suggested_status: str, note: str = ""
) -> AmenityFlag:
    """Record a visitor's correction for staff to review; changes no amenity yet."""
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
    return flag


@transaction.atomic
def review_amenity_flag(*, actor: User, flag: AmenityFlag, accept: bool) -> AmenityFlag:
    """Accept (and apply) or dismiss a visitor's correction."""
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
        )
    flag.status = FlagStatus.ACCEPTED if accept else FlagStatus.DISMISSED
    flag.reviewed_by = actor
    flag.reviewed_at = timezone.now()
    flag.save(update_fields=["status", "reviewed_by", "reviewed_at", "updated_at"])
    return flag


@transaction.atomic
def close_station_temporarily(
    *,
    actor: User,
    station: Station,
    until: dt.datetime,
    reason: str,
    now: dt.datetime | None = None,
) -> Station:
    """Close the station until ``until`` (in the future), showing ``reason`` to visitors."""
    _ensure_manager(actor, station)
    if until <= (now or timezone.now()) or not reason.strip():
        raise errors.InvalidClosureError()
    station.closed_until = until
    station.closure_reason = reason.strip()
    station.full_clean()
    station.save(update_fields=["closed_until", "closure_reason", "updated_at"])
    return station


@transaction.atomic
def reopen_station(*, actor: User, station: Station) -> Station:
    _ensure_manager(actor, station)
    station.closed_until = None
    station.closure_reason = ""
    station.save(update_fields=["closed_until", "closure_reason", "updated_at"])
    return station
