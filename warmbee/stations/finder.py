"""The "nearest open station with X" search: H3 ring prefilter, then rank by travel time.

Until a road network is loaded, travel time is the straight-line distance times a detour
factor over the mode's speed; every answer says which method it used.
"""

import datetime as dt
import math
from dataclasses import dataclass, field

import h3
from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet

from warmbee.core import geo
from warmbee.stations import errors
from warmbee.stations.choices import AmenityStatus, TravelMode
from warmbee.stations.models import Station, StationAmenity
from warmbee.stations.selectors import (
    StationState,
    find_unknown_amenity_codes,
    list_amenity_codes,
    state_at,
)
from warmbee.visits.selectors import annotate_visit_counts

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
    """One station found. ``station`` comes with its community, not its amenity rows:
    what was asked for is in ``matching_amenity_codes``."""

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
    if not 1 <= query.limit <= MAX_RESULTS:
        raise ValueError(f"limit must be 1..{MAX_RESULTS}, not {query.limit}")
    unknown = find_unknown_amenity_codes(list(query.amenity_codes))
    if unknown:
        raise errors.UnknownAmenityError(codes=", ".join(unknown))


# The fields a station's state on arrival depends on, read with its position.
# In the order selectors.state_at takes them.
_STATE_FIELDS = ("opening_hours", "closed_until", "closure_reason")
_CELL_AREA_M2 = float(h3.average_hexagon_area(geo.SEARCH_H3_RESOLUTION, unit="m^2"))


def _candidates(query: FinderQuery) -> QuerySet[Station]:
    """Return the active stations with every wanted amenity available, in any cell."""
    stations = Station.objects.filter(is_active=True)
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


def _travel_time_s(distance_m: float, mode_speed_kmh: float) -> float:
    return distance_m * settings.FINDER_DETOUR_FACTOR / (mode_speed_kmh / 3.6)


@dataclass
class _Search:
    """What one query has learnt so far while its rings widen.

    The stations of a ring step's disk are read from the database at most once, and
    where the first disk shows the area to be sparse, the disk of a later step is read
    at once instead of step by step; each step still ranks only the stations in its own
    disk, so the answer is the same as reading step by step. Each station's state on
    arrival is worked out once.
    """

    query: FinderQuery
    mode_speed_kmh: float
    # Built once: Django takes longer to build this query than SQLite to run it.
    stations: QuerySet[Station]
    read_rings: int = 0
    read_cells: set[str] = field(default_factory=set)
    # (distance, id, search cell), nearest first, of every station read so far.
    candidates: list[tuple[float, int, str]] = field(default_factory=list)
    # (opening hours, closed until, closure reason) by station id.
    state_fields: dict[int, tuple[str, dt.datetime | None, str]] = field(
        default_factory=dict
    )
    states: dict[int, StationState] = field(default_factory=dict)

    def ranked(self, rings: int) -> list[tuple[float, int]]:
        """Return (distance, id) of the candidates in the disk of ``rings``, nearest first."""
        if rings > self.read_rings:
            self._read(self._rings_to_read(rings))
        if rings == self.read_rings:
            return [(distance_m, pk) for distance_m, pk, _cell in self.candidates]
        disk = set(geo.search_disk(self.query.lat_deg, self.query.lon_deg, rings))
        return [
            (distance_m, pk) for distance_m, pk, cell in self.candidates if cell in disk
        ]

    def _rings_to_read(self, rings: int) -> int:
        """Return the ring step to read up to: ``rings``, or a later one if sparse.

        Reads ahead to the first step whose covered radius is expected to hold twice the
        results wanted, at most two steps ahead, judging the density by what was read.
        """
        if not self.read_rings:
            return rings
        per_m2 = max(len(self.candidates), 1) / (len(self.read_cells) * _CELL_AREA_M2)
        later = [step for step in RING_STEPS if step >= rings][:3]
        for step in later:
            radius_m = geo.search_disk_radius_m(step)
            if per_m2 * math.pi * radius_m**2 >= 2 * self.query.limit:
                return step
        return later[-1]

    def _read(self, rings: int) -> None:
        disk = geo.search_disk(self.query.lat_deg, self.query.lon_deg, rings)
        new_cells = [cell for cell in disk if cell not in self.read_cells]
        self.read_cells.update(new_cells)
        self.read_rings = rings
        rows = self.stations.filter(h3_search_cell__in=new_cells).values_list(
            "id", "lat_deg", "lon_deg", "h3_search_cell", *_STATE_FIELDS
        )
        for pk, lat, lon, cell, opening_hours, closed_until, reason in rows:
            distance_m = geo.haversine_m(
                self.query.lat_deg, self.query.lon_deg, lat, lon
            )
            self.candidates.append((distance_m, pk, cell))
            self.state_fields[pk] = (opening_hours, closed_until, reason)
        self.candidates.sort()

    def state_on_arrival(self, distance_m: float, pk: int) -> StationState:
        state = self.states.get(pk)
        if state is None:
            arrival = self.query.at + dt.timedelta(
                seconds=_travel_time_s(distance_m, self.mode_speed_kmh)
            )
            opening_hours, closed_until, reason = self.state_fields[pk]
            state = self.states[pk] = state_at(
                opening_hours, closed_until, reason, arrival
            )
        return state

    def qualifying(self, rings: int) -> list[tuple[float, int, StationState]]:
        """Return (distance, id, state on arrival) of the stations that qualify in the
        disk of ``rings``, nearest first."""
        chosen = []
        for distance_m, pk in self.ranked(rings):
            state = self.state_on_arrival(distance_m, pk)
            if state.is_open or not self.query.open_only:
                chosen.append((distance_m, pk, state))
            if len(chosen) == self.query.limit:
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
    search = _Search(query, mode_speed, _candidates(query))
    chosen: list[tuple[float, int, StationState]] = []
    radius_m = 0.0
    for rings in RING_STEPS:
        radius_m = geo.search_disk_radius_m(rings)
        # Only stations within the covered radius are certain to be the nearest.
        chosen = search.qualifying(rings)
        if len(chosen) == query.limit and chosen[-1][0] <= radius_m:
            break
    chosen_ids = [pk for _distance_m, pk, _state in chosen]
    stations = annotate_visit_counts(
        Station.objects.select_related("community").filter(pk__in=chosen_ids),
        since=query.at - dt.timedelta(minutes=settings.FINDER_BUSY_WINDOW_MIN),
        until=query.at,
    ).in_bulk()
    # Every candidate has every wanted amenity available: list them in catalogue order.
    matching = tuple(
        code for code in list_amenity_codes() if code in query.amenity_codes
    )
    results = tuple(
        FinderResult(
            station=station,
            distance_m=distance_m,
            travel_time_s=_travel_time_s(distance_m, mode_speed),
            arrival_at=query.at
            + dt.timedelta(seconds=_travel_time_s(distance_m, mode_speed)),
            state_on_arrival=state,
            matching_amenity_codes=matching,
            recent_visits=station.visit_count,
        )
        for distance_m, pk, state in chosen
        # A station deleted since it was ranked is left out.
        if (station := stations.get(pk)) is not None
    )
    return FinderAnswer(
        query=query,
        results=results,
        method=STRAIGHT_LINE,
        detour_factor=settings.FINDER_DETOUR_FACTOR,
        speed_kmh=mode_speed,
        searched_radius_m=radius_m,
    )
