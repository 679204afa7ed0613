"""The "nearest open station with X" search: H3 ring prefilter, then rank by travel time.

Until a road network is loaded, travel time is the straight-line distance times a detour
factor over the mode's speed; every answer says which method it used.
"""

import datetime as dt
import math
from dataclasses import dataclass, field
from itertools import islice
from typing import Any, cast

import h3
from django.conf import settings
from django.db import connections, models
from django.db.backends.base.base import BaseDatabaseWrapper

from warmbee.core import geo
from warmbee.core.opening_hours import IntervalsMemo
from warmbee.regions.models import Region
from warmbee.stations import errors
from warmbee.stations.choices import AmenityStatus, TravelMode
from warmbee.stations.models import Amenity, Station, StationAmenity
from warmbee.stations.selectors import (
    StationState,
    find_unknown_amenity_codes,
    list_amenity_codes,
    state_at,
)
from warmbee.visits.selectors import visit_count_sql

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


_CELL_AREA_M2 = float(h3.average_hexagon_area(geo.SEARCH_H3_RESOLUTION, unit="m^2"))
# The first batch of candidates checked is this many times the results wanted; each
# further batch of the same search is twice the one before, up to _MAX_BATCH.
_BATCH_PER_RESULT = 4
_MAX_BATCH = 512

# (opening hours, closed until, closure reason): what a station's state depends on.
StateFields = tuple[str, dt.datetime | None, str]


def _column(
    model: type[models.Model], name: str, connection: BaseDatabaseWrapper
) -> str:
    model_field = model._meta.get_field(name)
    assert isinstance(model_field, models.Field)  # noqa: S101  # a column, not a relation
    quote = connection.ops.quote_name
    return f"{quote(model._meta.db_table)}.{quote(model_field.column)}"


def _placeholders(count: int) -> str:
    return ", ".join(["%s"] * count)


@dataclass(frozen=True)
class _Statements:
    """The finder's SQL, up to its lists of parameters, for one kind of database."""

    positions: str
    state_fields: str
    amenity: str
    stations: str
    regions: str


# By vendor: the SQL depends only on how the database quotes names.
_STATEMENTS: dict[str, _Statements] = {}


def _statements(connection: BaseDatabaseWrapper) -> _Statements:
    statements = _STATEMENTS.get(connection.vendor)
    if statements is not None:
        return statements

    def column(model: type[models.Model], name: str) -> str:
        return _column(model, name, connection)

    def columns(*names: str) -> str:
        return ", ".join(column(Station, name) for name in names)

    quote = connection.ops.quote_name
    station = quote(Station._meta.db_table)
    station_id = column(Station, "id")
    active = f"FROM {station} WHERE {column(Station, 'is_active')} = %s"
    statements = _STATEMENTS[connection.vendor] = _Statements(
        positions=(
            f"SELECT {columns('id', 'lat_deg', 'lon_deg', 'h3_search_cell')} {active}"
            f" AND {column(Station, 'h3_search_cell')} IN "
        ),
        state_fields=(
            f"SELECT {columns('id', 'opening_hours', 'closed_until', 'closure_reason')}"
            f" {active} AND {station_id} IN "
        ),
        amenity=(
            f" AND EXISTS (SELECT 1 FROM {quote(StationAmenity._meta.db_table)}"  # noqa: S608
            f" INNER JOIN {quote(Amenity._meta.db_table)}"
            f" ON {column(Amenity, 'id')} = {column(StationAmenity, 'amenity')}"
            f" WHERE {column(StationAmenity, 'station')} = {station_id}"
            f" AND {column(Amenity, 'code')} = %s"
            f" AND {column(StationAmenity, 'status')} = %s)"
        ),
        # {visits}: the visit count's subquery, which has parameters of its own.
        stations=(
            f"SELECT {station}.*, {{visits}} AS visit_count FROM {station}"  # noqa: S608
            f" WHERE {station_id} IN "
        ),
        regions=(
            f"SELECT * FROM {quote(Region._meta.db_table)}"  # noqa: S608
            f" WHERE {column(Region, 'id')} IN "
        ),
    )
    return statements


class _Sql:
    """The finder's reads, in SQL on the ORM's connection, with the models' names.

    Django takes longer to build a query than SQLite takes to run it, and these run
    several times per search. Only table and column names are put into the SQL; every
    value is a parameter. The same SQL runs on SQLite and PostgreSQL.
    """

    def __init__(
        self, connection: BaseDatabaseWrapper, amenity_codes: tuple[str, ...]
    ) -> None:
        self.connection = connection
        self.amenity_codes = amenity_codes
        self.statements = _statements(connection)
        closed_until = Station._meta.get_field("closed_until")
        closed_until_col = closed_until.get_col(Station._meta.db_table)
        # What the ORM does to a value read from the column (SQLite's are text).
        self.closed_until_converters = [
            *connection.ops.get_db_converters(closed_until_col),
            *closed_until_col.get_db_converters(connection),
        ]

    def _rows(self, sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)
            return list(cursor.fetchall())

    def positions(self, cells: list[str]) -> list[tuple[int, float, float, str]]:
        """Return (id, lat, lon, search cell) of the active stations in ``cells``."""
        sql = f"{self.statements.positions}({_placeholders(len(cells))})"
        return cast(
            list[tuple[int, float, float, str]], self._rows(sql, [True, *cells])
        )

    def qualifying_state_fields(self, ids: list[int]) -> dict[int, StateFields]:
        """Return {id: state fields} of those of ``ids`` that are active stations with
        every wanted amenity available."""
        sql = f"{self.statements.state_fields}({_placeholders(len(ids))})"
        params: list[Any] = [True, *ids]
        for code in self.amenity_codes:
            # A correlated EXISTS on the few stations of the batch, by their ids.
            sql += self.statements.amenity
            params += [code, str(AmenityStatus.YES)]
        found = {}
        for pk, opening_hours, closed_until, reason in self._rows(sql, params):
            for converter in self.closed_until_converters:
                closed_until = converter(closed_until, None, self.connection)
            found[pk] = (opening_hours, closed_until, reason)
        return found

    def stations(
        self, ids: list[int], *, since: dt.datetime, until: dt.datetime
    ) -> dict[int, Station]:
        """Return {id: station} of ``ids`` (those that still exist), each with its
        community and ``visit_count``: its visits with since <= visited_at <= until."""
        if not ids:
            return {}
        visits_sql, visits_params = visit_count_sql(
            _column(Station, "id", self.connection),
            self.connection,
            since=since,
            until=until,
        )
        sql = self.statements.stations.format(visits=visits_sql)
        sql += f"({_placeholders(len(ids))})"
        alias = self.connection.alias
        found = {
            station.pk: station
            for station in Station.objects.raw(sql, [*visits_params, *ids]).using(alias)
        }
        region_ids = sorted({station.community_id for station in found.values()})
        if not region_ids:
            return found
        communities = Region.objects.raw(
            f"{self.statements.regions}({_placeholders(len(region_ids))})", region_ids
        ).using(alias)
        by_id = {community.pk: community for community in communities}
        for station in found.values():
            station.community = by_id[station.community_id]
        return found


def _with_distances_m(
    lat_deg: float, lon_deg: float, rows: list[tuple[int, float, float, str]]
) -> list[tuple[float, int, str]]:
    """Return (distance from the position, id, cell) for (id, lat, lon, cell) rows.

    The distance is ``geo.haversine_m``'s, to the last bit: the same operations in the
    same order, with what depends only on the position worked out once.
    """
    radians, sin, cos = math.radians, math.sin, math.cos
    asin, sqrt = math.asin, math.sqrt
    phi1 = radians(lat_deg)
    cos_phi1 = cos(phi1)
    diameter_m = 2 * geo.EARTH_RADIUS_M
    result = []
    for pk, lat, lon, cell in rows:
        phi2 = radians(lat)
        a = (
            sin((phi2 - phi1) / 2) ** 2
            + cos_phi1 * cos(phi2) * sin(radians(lon - lon_deg) / 2) ** 2
        )
        result.append((diameter_m * asin(sqrt(a)), pk, cell))
    return result


def _travel_time_s(distance_m: float, mode_speed_kmh: float) -> float:
    return distance_m * settings.FINDER_DETOUR_FACTOR / (mode_speed_kmh / 3.6)


@dataclass
class _Search:
    """What one query has learnt so far while its rings widen.

    The positions of the active stations of a ring step's disk are read from the database
    at most once, and where the first disk shows the area to be sparse, the disk of a
    later step is read at once instead of step by step; each step still ranks only the
    stations in its own disk, so the answer is the same as reading step by step. The
    wanted amenities and the opening hours are read only for the stations ranked nearest,
    in batches, as the ranking reaches them; each station's state on arrival is worked
    out once.
    """

    query: FinderQuery
    mode_speed_kmh: float
    sql: _Sql
    read_rings: int = 0
    read_cells: set[str] = field(default_factory=set)
    # (distance, id, search cell), nearest first, of every station read so far.
    candidates: list[tuple[float, int, str]] = field(default_factory=list)
    # By id of each candidate checked: its state fields, or None if it does not qualify
    # (a wanted amenity is not available, or it is no longer active).
    checked: dict[int, StateFields | None] = field(default_factory=dict)
    batch_size: int = 0
    states: dict[int, StationState] = field(default_factory=dict)
    hours_memo: IntervalsMemo = field(default_factory=dict)

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
        results wanted, at most two steps ahead, judging the density of the stations with
        the wanted amenities by what was read and checked.
        """
        if not self.read_rings:
            return rings
        # The share of the stations checked so far that have the wanted amenities.
        share = (
            sum(1 for fields in self.checked.values() if fields) / len(self.checked)
            if self.checked
            else 1.0
        )
        per_m2 = max(len(self.candidates) * share, 1) / (
            len(self.read_cells) * _CELL_AREA_M2
        )
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
        self.candidates.extend(
            _with_distances_m(
                self.query.lat_deg, self.query.lon_deg, self.sql.positions(new_cells)
            )
        )
        self.candidates.sort()

    def _check(self, ranked: list[tuple[float, int]], start: int) -> None:
        """Check the next batch of unchecked candidates of ``ranked`` from ``start``."""
        self.batch_size = min(
            2 * self.batch_size or _BATCH_PER_RESULT * self.query.limit, _MAX_BATCH
        )
        batch = list(
            islice(
                (pk for _d, pk in ranked[start:] if pk not in self.checked),
                self.batch_size,
            )
        )
        found = self.sql.qualifying_state_fields(batch)
        for pk in batch:
            self.checked[pk] = found.get(pk)

    def state_on_arrival(
        self, distance_m: float, pk: int, fields: StateFields
    ) -> StationState:
        state = self.states.get(pk)
        if state is None:
            arrival = self.query.at + dt.timedelta(
                seconds=_travel_time_s(distance_m, self.mode_speed_kmh)
            )
            opening_hours, closed_until, reason = fields
            state = self.states[pk] = state_at(
                opening_hours, closed_until, reason, arrival, self.hours_memo
            )
        return state

    def qualifying(self, rings: int) -> list[tuple[float, int, StationState]]:
        """Return (distance, id, state on arrival) of the stations that qualify in the
        disk of ``rings``, nearest first."""
        chosen = []
        ranked = self.ranked(rings)
        for index, (distance_m, pk) in enumerate(ranked):
            if pk not in self.checked:
                self._check(ranked, index)
            fields = self.checked[pk]
            if fields is None:
                continue
            state = self.state_on_arrival(distance_m, pk, fields)
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
    sql = _Sql(connections[Station.objects.db], query.amenity_codes)
    search = _Search(query, mode_speed, sql)
    chosen: list[tuple[float, int, StationState]] = []
    radius_m = 0.0
    for rings in RING_STEPS:
        radius_m = geo.search_disk_radius_m(rings)
        # Only stations within the covered radius are certain to be the nearest.
        chosen = search.qualifying(rings)
        if len(chosen) == query.limit and chosen[-1][0] <= radius_m:
            break
    stations = sql.stations(
        [pk for _distance_m, pk, _state in chosen],
        since=query.at - dt.timedelta(minutes=settings.FINDER_BUSY_WINDOW_MIN),
        until=query.at,
    )
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
            recent_visits=station.visit_count,  # type: ignore[attr-defined]
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
