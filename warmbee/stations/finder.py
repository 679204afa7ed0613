"""The "nearest open station with X" search: H3 ring prefilter, then rank by travel time.

Until a road network is loaded, travel time is the straight-line distance times a detour
factor over the mode's speed; every answer says which method it used.
"""

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet

from warmbee.core import geo
from warmbee.stations import errors
from warmbee.stations.choices import AmenityStatus, TravelMode
from warmbee.stations.models import Station, StationAmenity
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


# The fields a station's state on arrival depends on, read with its position.
_STATE_FIELDS = ("opening_hours", "closed_until", "closure_reason")


def _candidates(query: FinderQuery, cells: list[str]) -> QuerySet[Station]:
    stations = Station.objects.filter(is_active=True, h3_search_cell__in=cells)
    for code in query.amenity_codes:
        # A correlated EXISTS keeps the H3 index as the starting point; with a join,
        # SQLite starts from the amenity and reads every station in the country that has it.
        stations = stations.filter(
            Exists(
                StationAmenity.objects.filter(
                    station=OuterRef("pk"),
                    amenity__code=code,
                    status=AmenityStatus.YES,
                )
            )
        )
    # Ranked in Python: the model's default ordering would only add a sort.
    return stations.order_by()


@dataclass
class _Search:
    """What one query has learnt so far while its rings widen.

    Each ring step reads only the cells it adds, and each station's state on arrival is
    worked out once, so widening costs no more than the new stations it brings in.
    """

    query: FinderQuery
    mode_speed_kmh: float
    searched_cells: set[str] = field(default_factory=set)
    ranked: list[tuple[float, int]] = field(default_factory=list)
    state_fields: dict[int, dict[str, Any]] = field(default_factory=dict)
    states: dict[int, StationState] = field(default_factory=dict)

    def widen(self, rings: int) -> None:
        disk = geo.search_disk(self.query.lat_deg, self.query.lon_deg, rings)
        new_cells = [cell for cell in disk if cell not in self.searched_cells]
        self.searched_cells.update(new_cells)
        if not new_cells:
            return
        rows = _candidates(self.query, new_cells).values_list(
            "id", "lat_deg", "lon_deg", *_STATE_FIELDS
        )
        for pk, lat, lon, *fields in rows:
            distance_m = geo.haversine_m(
                self.query.lat_deg, self.query.lon_deg, lat, lon
            )
            self.ranked.append((distance_m, pk))
            self.state_fields[pk] = dict(zip(_STATE_FIELDS, fields, strict=True))
        self.ranked.sort()

    def state_on_arrival(self, distance_m: float, pk: int) -> StationState:
        state = self.states.get(pk)
        if state is None:
            arrival = self.query.at + dt.timedelta(
                seconds=_travel_time_s(distance_m, self.mode_speed_kmh)
            )
            # An unsaved instance carrying only what the state depends on: the full
            # station is loaded later, for the few that are chosen.
            station = Station(pk=pk, **self.state_fields[pk])
            state = self.states[pk] = station_state_at(station, arrival)
        return state

    def qualifying(self) -> list[tuple[float, int, StationState]]:
        """Return (distance, id, state on arrival) of the stations that qualify, nearest first."""
        chosen = []
        for distance_m, pk in self.ranked:
            state = self.state_on_arrival(distance_m, pk)
            if state.is_open or not self.query.open_only:
                chosen.append((distance_m, pk, state))
            if len(chosen) == self.query.limit:
                return chosen
        return chosen


def _travel_time_s(distance_m: float, mode_speed_kmh: float) -> float:
    return distance_m * settings.FINDER_DETOUR_FACTOR / (mode_speed_kmh / 3.6)


def find_nearest_stations(query: FinderQuery) -> FinderAnswer:
    """Return up to ``query.limit`` stations nearest by travel time that qualify.

    Qualifying means every wanted amenity is available and, with ``open_only``, the station
    is open on arrival. Rings of H3 cells widen until the results are provably the nearest
    or the widest ring has been searched.
    """
    check_query(query)
    mode_speed = speed_kmh(query.mode)
    search = _Search(query, mode_speed)
    chosen: list[tuple[float, int, StationState]] = []
    radius_m = 0.0
    for rings in RING_STEPS:
        radius_m = geo.search_disk_radius_m(rings)
        search.widen(rings)
        # Only stations within the covered radius are certain to be the nearest.
        chosen = search.qualifying()
        if len(chosen) == query.limit and chosen[-1][0] <= radius_m:
            break
    chosen_ids = [pk for _distance_m, pk, _state in chosen]
    by_id = {
        station.pk: station
        for station in list_stations_with_amenities(
            Station.objects.filter(pk__in=chosen_ids)
        )
    }
    busy = count_visits_by_station(
        chosen_ids,
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
        for distance_m, pk, state in chosen
        # A station deleted since it was ranked is left out.
        if (station := by_id.get(pk)) is not None
    )
    return FinderAnswer(
        query=query,
        results=results,
        method=STRAIGHT_LINE,
        detour_factor=settings.FINDER_DETOUR_FACTOR,
        speed_kmh=mode_speed,
        searched_radius_m=radius_m,
    )
