"""The "nearest open station with X" search: H3 ring prefilter, then rank by travel time.

Until a road network is loaded, travel time is the straight-line distance times a detour
factor over the mode's speed; every answer says which method it used.
"""

import datetime as dt
import math
from dataclasses import dataclass

from django.conf import settings
from django.db.models import QuerySet

from warmbee.core import geo
from warmbee.stations import errors
from warmbee.stations.choices import AmenityStatus, TravelMode
from warmbee.stations.models import Station
from warmbee.stations.selectors import (
    StationState,
    find_unknown_amenity_codes,
    list_stations_with_amenities,
    station_state_at,
)
from warmbee.visits.selectors import count_visits_by_station

RING_STEPS = (1, 2, 4, 8, 16, 32)
MAX_RESULTS = 20
STRAIGHT_LINE = "straight_line_with_detour"


@dataclass(frozen=True)
class FinderQuery:
    lat_deg: float
    lon_deg: float
    mode: TravelMode
    amenity_codes: tuple[str, ...]
    at: dt.datetime
    limit: int = 5
    open_only: bool = True


@dataclass(frozen=True)
class FinderResult:
    station: Station
    distance_m: float
    travel_time_s: float
    arrival_at: dt.datetime
    state_on_arrival: StationState
    matching_amenity_codes: tuple[str, ...]
    recent_visits: int

    @property
    def travel_time_min(self) -> int:
        return max(1, math.ceil(self.travel_time_s / 60))

    @property
    def closes_in_min(self) -> int | None:
        return self.state_on_arrival.minutes_until_close(self.arrival_at)

    @property
    def is_busy(self) -> bool:
        return self.recent_visits >= self.station.capacity


@dataclass(frozen=True)
class FinderAnswer:
    query: FinderQuery
    results: tuple[FinderResult, ...]
    method: str
    detour_factor: float
    speed_kmh: float
    searched_radius_m: float


def speed_kmh(mode: TravelMode) -> float:
    if mode == TravelMode.EBIKE:
        return settings.FINDER_EBIKE_SPEED_KMH
    return settings.FINDER_WALK_SPEED_KMH


def check_query(query: FinderQuery) -> None:
    """Raise a DomainError for a position outside China or an unknown amenity."""
    if not geo.is_in_china(query.lat_deg, query.lon_deg):
        raise errors.PositionOutsideChinaError()
    unknown = find_unknown_amenity_codes(list(query.amenity_codes))
    if unknown:
        raise errors.UnknownAmenityError(codes=", ".join(unknown))


def _candidates(query: FinderQuery, rings: int) -> QuerySet[Station]:
    stations = Station.objects.filter(
        is_active=True,
        h3_search_cell__in=geo.search_disk(query.lat_deg, query.lon_deg, rings),
    )
    for code in query.amenity_codes:
        stations = stations.filter(
            amenities__amenity__code=code, amenities__status=AmenityStatus.YES
        )
    return stations


def _ranked(query: FinderQuery, rings: int) -> list[tuple[float, int]]:
    rows = _candidates(query, rings).values_list("id", "lat_deg", "lon_deg")
    return sorted(
        (geo.haversine_m(query.lat_deg, query.lon_deg, lat, lon), pk)
        for pk, lat, lon in rows
    )


def _travel_time_s(distance_m: float, mode_speed_kmh: float) -> float:
    return distance_m * settings.FINDER_DETOUR_FACTOR / (mode_speed_kmh / 3.6)


def _qualifying(
    query: FinderQuery, ranked: list[tuple[float, int]], mode_speed_kmh: float
) -> list[tuple[float, Station, StationState]]:
    """Return (distance, station, state on arrival) for the stations that qualify, nearest first.

    Stations are loaded in small batches in distance order, so a dense area costs no more
    than the few stations actually looked at.
    """
    chosen = []
    batch_size = max(2 * query.limit, 10)
    for offset in range(0, len(ranked), batch_size):
        batch = ranked[offset : offset + batch_size]
        stations = list_stations_with_amenities(
            Station.objects.filter(pk__in=[pk for _distance, pk in batch])
        )
        by_id = {station.pk: station for station in stations}
        for distance_m, pk in batch:
            arrival = query.at + dt.timedelta(
                seconds=_travel_time_s(distance_m, mode_speed_kmh)
            )
            state = station_state_at(by_id[pk], arrival)
            if state.is_open or not query.open_only:
                chosen.append((distance_m, by_id[pk], state))
            if len(chosen) == query.limit:
                return chosen
    return chosen


def find_nearest_stations(query: FinderQuery) -> FinderAnswer:
    """Return up to ``query.limit`` stations nearest by travel time that qualify.

    Qualifying means every wanted amenity is available and, with ``open_only``, the station
    is open on arrival. Rings of H3 cells widen until the results are provably the nearest
    or the widest ring has been searched.
    """
    check_query(query)
    mode_speed = speed_kmh(query.mode)
    chosen: list[tuple[float, Station, StationState]] = []
    radius_m = 0.0
    for rings in RING_STEPS:
        radius_m = geo.search_disk_radius_m(rings)
        ranked = _ranked(query, rings)
        # Only stations within the covered radius are certain to be the nearest.
        chosen = _qualifying(query, ranked, mode_speed)
        if len(chosen) == query.limit and chosen[-1][0] <= radius_m:
            break
    busy = count_visits_by_station(
        [station.pk for _d, station, _s in chosen],
        since=query.at - dt.timedelta(minutes=settings.FINDER_BUSY_WINDOW_MIN),
        until=query.at,
    )
    wanted = set(query.amenity_codes)
    results = tuple(
        FinderResult(
            station=station,
            distance_m=distance_m,
            travel_time_s=_travel_time_s(distance_m, mode_speed),
            arrival_at=query.at
            + dt.timedelta(seconds=_travel_time_s(distance_m, mode_speed)),
            state_on_arrival=state,
            matching_amenity_codes=tuple(
                row.amenity.code
                for row in station.amenities.all()
                if row.amenity.code in wanted and row.status == AmenityStatus.YES
            ),
            recent_visits=busy.get(station.pk, 0),
        )
        for distance_m, station, state in chosen
    )
    return FinderAnswer(
        query=query,
        results=results,
        method=STRAIGHT_LINE,
        detour_factor=settings.FINDER_DETOUR_FACTOR,
        speed_kmh=mode_speed,
        searched_radius_m=radius_m,
    )
