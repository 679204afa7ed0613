"""Reads of stations: lookups, amenity lists and the open/closed state at a moment."""

import datetime as dt
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from warmbee.core import opening_hours as hours
from warmbee.coverage.routing import (
    MAX_SNAP_DISTANCE_M,
    FallbackReason,
    NetworkLabel,
    StationArea,
    find_networks_at,
    station_area,
)
from warmbee.stations import errors
from warmbee.stations.choices import AmenityStatus, FlagStatus
from warmbee.stations.models import Amenity, AmenityFlag, Station, StationAmenity


@dataclass(frozen=True)
class StationState:
    """Whether a station is open at a moment, and when that changes (aware datetimes)."""

    is_open: bool
    closes_at: dt.datetime | None
    opens_at: dt.datetime | None
    closure_reason: str

    def minutes_until_close(self, moment: dt.datetime) -> int | None:
        if self.closes_at is None:
            return None
        return max(0, int((self.closes_at - moment).total_seconds() // 60))


def _aware(local: dt.datetime | None) -> dt.datetime | None:
    return None if local is None else timezone.make_aware(local)


def station_state_at(station: Station, moment: dt.datetime) -> StationState:
    """Return the station's state at the aware ``moment``, temporary closures included."""
    return state_at(
        station.opening_hours, station.closed_until, station.closure_reason, moment
    )


def state_at(
    opening_hours: str,
    closed_until: dt.datetime | None,
    closure_reason: str,
    moment: dt.datetime,
    memo: hours.IntervalsMemo | None = None,
) -> StationState:
    """Return the state from the fields it depends on (for reads that skip the model).

    ``memo``: see ``opening_hours.state_at``.
    """
    if closed_until is not None and closed_until > moment:
        after = hours.state_at(
            opening_hours, timezone.localtime(closed_until).replace(tzinfo=None), memo
        )
        opens_at = closed_until if after.is_open else _aware(after.opens_at)
        return StationState(False, None, opens_at, closure_reason)
    local = timezone.localtime(moment).replace(tzinfo=None)
    state = hours.state_at(opening_hours, local, memo)
    return StationState(
        state.is_open, _aware(state.closes_at), _aware(state.opens_at), ""
    )


def list_amenities() -> QuerySet[Amenity]:
    return Amenity.objects.order_by("sort_order", "code")


AMENITY_CODES_CACHE_KEY = "stations:amenity-codes"
AMENITY_CODES_CACHE_S = 60


def list_amenity_codes() -> tuple[str, ...]:
    """Return the catalogue's codes in its order; cached briefly, as it rarely changes."""
    codes = cache.get(AMENITY_CODES_CACHE_KEY)
    if codes is None:
        codes = tuple(list_amenities().values_list("code", flat=True))
        cache.set(AMENITY_CODES_CACHE_KEY, codes, AMENITY_CODES_CACHE_S)
    return tuple(codes)


def find_unknown_amenity_codes(codes: list[str]) -> list[str]:
    known = set(list_amenity_codes())
    return [code for code in codes if code not in known]


def _with_amenities(stations: QuerySet[Station]) -> QuerySet[Station]:
    return stations.select_related("community").prefetch_related(
        Prefetch(
            "amenities",
            queryset=StationAmenity.objects.select_related(
                "amenity", "verified_by"
            ).order_by("amenity__sort_order"),
        ),
    )


def get_station(station_id: int) -> Station:
    try:
        stations = _with_amenities(Station.objects.filter(is_active=True))
        return stations.prefetch_related("photos").get(pk=station_id)
    except Station.DoesNotExist as error:
        raise errors.StationNotFoundError() from error


def get_station_by_checkin_code(code: str) -> Station:
    try:
        return Station.objects.select_related("community").get(
            checkin_code=code, is_active=True
        )
    except Station.DoesNotExist as error:
        raise errors.StationNotFoundError() from error


def list_stations_with_amenities(stations: QuerySet[Station]) -> QuerySet[Station]:
    return _with_amenities(stations)


def list_available_amenity_codes(station: Station) -> list[str]:
    return [
        row.amenity.code
        for row in station.amenities.all()
        if row.status == AmenityStatus.YES
    ]


def list_open_amenity_flags(stations: QuerySet[Station]) -> QuerySet[AmenityFlag]:
    return (
        AmenityFlag.objects.filter(station__in=stations, status=FlagStatus.OPEN)
        .select_related("station", "amenity")
        .order_by("-created_at")
    )


def resolve_position(
    lat_deg: float | None, lon_deg: float | None, community_code: str
) -> tuple[float, float]:
    """Return the given position, or the centre of the community's stations."""
    if lat_deg is not None and lon_deg is not None:
        return lat_deg, lon_deg
    positions = list(
        Station.objects.filter(
            community__code=community_code, is_active=True
        ).values_list("lat_deg", "lon_deg")
    )
    if not positions:
        raise errors.StationNotFoundError(_("No station is known in that community."))
    return (
        sum(lat for lat, _lon in positions) / len(positions),
        sum(lon for _lat, lon in positions) / len(positions),
    )


def find_station_network(station: Station) -> NetworkLabel | None:
    """Return the active road network around the station, if any (bounding box only)."""
    networks = find_networks_at(station.lat_deg, station.lon_deg)
    return networks[0] if networks else None


@dataclass(frozen=True)
class StationAreaView:
    station: Station
    area: StationArea


def get_station_area(station_id: int, mode: str, minutes: int) -> StationAreaView:
    """Return the station and the area from which the station is reached within ``minutes`` by ``mode``.

    Raises ``StationNotFoundError``, ``NoRoadNetworkError`` (no network around it),
    ``StationOffNetworkError`` (farther than the snap limit from its roads) or
    ``RoadNetworkUnavailableError`` (its file cannot be read).
    """
    station = Station.objects.filter(pk=station_id, is_active=True).first()
    if station is None:
        raise errors.StationNotFoundError()
    area = station_area(station.pk, station.lat_deg, station.lon_deg, mode, minutes)
    if isinstance(area, StationArea):
        return StationAreaView(station, area)
    if area.reason == FallbackReason.OFF_NETWORK:
        raise errors.StationOffNetworkError(
            metres=round(area.snap_distance_m or 0), limit=round(MAX_SNAP_DISTANCE_M)
        )
    if area.reason == FallbackReason.NETWORK_UNAVAILABLE:
        raise errors.RoadNetworkUnavailableError()
    raise errors.NoRoadNetworkError()
