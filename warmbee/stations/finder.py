"""The "nearest open station with X" search: H3 ring prefilter, then rank by travel time.

Where an active road network covers the searcher (and they are within the snap limit of
a road), travel time is the network's (``coverage.routing``); otherwise the straight-line
distance times a detour factor over the mode's speed. Every answer says which it used,
and why straight line when a network would have been used. With a network, a station off
it (farther than the snap limit from its roads) gets the straight-line estimate and is
ranked with the others by it; every result says which its time is.
"""

import datetime as dt
import math
from dataclasses import dataclass, field
from itertools import islice

import h3
from django.conf import settings
from django.db import connections
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from warmbee.core import geo
from warmbee.core.opening_hours import IntervalsMemo
from warmbee.coverage.exports import generated_network_label
from warmbee.coverage.routing import (
    MAX_SNAP_DISTANCE_M,
    FallbackReason,
    NetworkFallback,
    NetworkLabel,
    NetworkOrigin,
    open_network_origin,
)
from warmbee.stations import errors
from warmbee.stations.choices import TravelMode
from warmbee.stations.finder_sql import FinderSql, StateFields, with_distances_m
from warmbee.stations.models import Station
from warmbee.stations.selectors import (
    StationState,
    find_unknown_amenity_codes,
    list_amenity_codes,
    state_at,
)

RING_STEPS = (1, 2, 4, 8, 16, 32)
MAX_RESULTS = 20
STRAIGHT_LINE = "straight_line_with_detour"
NETWORK = "network"


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
    what was asked for is in ``matching_amenity_codes``. ``travel_time_method`` is how
    this station's time was worked out: ``NETWORK``, or ``STRAIGHT_LINE`` (every result
    of a straight-line answer, and a station off the network in a network answer).
    ``distance_m`` is along the roads with ``NETWORK``, else ``straight_line_m``."""

    station: Station
    distance_m: float
    travel_time_s: float
    arrival_at: dt.datetime
    state_on_arrival: StationState
    matching_amenity_codes: tuple[str, ...]
    recent_visits: int
    travel_time_method: str
    straight_line_m: float = 0.0

    @property
    def is_network(self) -> bool:
        return self.travel_time_method == NETWORK

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
    """What the finder found and how it timed it.

    ``method`` is ``NETWORK`` (then ``network`` names it) or ``STRAIGHT_LINE`` (then
    ``straight_line_reason`` says why: no network here, the searcher is off it, or its
    file cannot be read). With the network, stations off it are timed in a straight line
    (their results say so), and ``unreachable_count`` stations on it, nearer in a
    straight line than the results, could not be reached on it within
    ``network_limit_s`` and are not listed. Nothing slower than ``network_limit_s``,
    however timed, is listed.
    """

    query: FinderQuery
    results: tuple[FinderResult, ...]
    method: str
    detour_factor: float
    speed_kmh: float
    searched_radius_m: float
    network: NetworkLabel | None = None
    straight_line_reason: str = ""
    origin_snap_distance_m: float | None = None
    network_limit_s: float | None = None
    unreachable_count: int = 0

    @property
    def is_network(self) -> bool:
        return self.method == NETWORK

    @property
    def network_limit_min(self) -> int:
        return round((self.network_limit_s or 0) / 60)

    @property
    def has_off_network_results(self) -> bool:
        """Return whether a network answer lists stations timed in a straight line."""
        return self.is_network and any(not r.is_network for r in self.results)


def travel_time_note(answer: FinderAnswer) -> str:
    """Return, in the active language, how the answer's travel times were worked out."""
    if answer.network is not None and answer.is_network:
        values = {"name": answer.network.name, "speed": f"{answer.speed_kmh:g}"}
        if answer.network.is_generated:
            note = _(
                "Travel times on the road network “%(name)s” (%(generated)s) at "
                "%(speed)s km/h, including the way to and from the nearest road."
            ) % {**values, "generated": generated_network_label()}
        else:
            note = (
                _(
                    "Travel times on the road network “%(name)s” at %(speed)s km/h, "
                    "including the way to and from the nearest road."
                )
                % values
            )
        if answer.has_off_network_results:
            note += " " + _(
                "Times to stations more than %(limit)s m from its roads are estimated "
                "from straight-line distance times a detour factor of %(factor)s at "
                "%(speed)s km/h."
            ) % {
                "limit": round(MAX_SNAP_DISTANCE_M),
                "factor": f"{answer.detour_factor:g}",
                "speed": f"{speed_kmh(answer.query.mode):g}",
            }
        if answer.unreachable_count:
            note += " " + ngettext(
                "Not listed: %(count)s station on the road network that is nearer in a "
                "straight line but cannot be reached on it within %(minutes)s minutes.",
                "Not listed: %(count)s stations on the road network that are nearer in "
                "a straight line but cannot be reached on it within %(minutes)s minutes.",
                answer.unreachable_count,
            ) % {"minutes": answer.network_limit_min, "count": answer.unreachable_count}
        return note
    if answer.straight_line_reason == FallbackReason.OFF_NETWORK:
        return _(
            "Travel times are estimated from straight-line distance times a detour "
            "factor, because the nearest road of the road network is %(metres)s m "
            "away (more than %(limit)s m)."
        ) % {
            "metres": round(answer.origin_snap_distance_m or 0),
            "limit": round(MAX_SNAP_DISTANCE_M),
        }
    if answer.straight_line_reason == FallbackReason.NETWORK_UNAVAILABLE:
        return _(
            "Travel times are estimated from straight-line distance times a detour "
            "factor, because the road network cannot be read right now."
        )
    return _(
        "Travel times are estimated from straight-line distance times a detour factor, "
        "because no road network is loaded yet."
    )


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
    sql: FinderSql
    # With a network, candidates are ranked by its travel times instead of distance.
    network: NetworkOrigin | None = None
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
    # Network mode only: positions of the candidates read; their travel times, along
    # the roads or, for those off the network (``off_network``), the straight-line
    # estimate; ``inf`` for those not reachable within the network's limit.
    positions: dict[int, tuple[float, float]] = field(default_factory=dict)
    times_s: dict[int, float] = field(default_factory=dict)
    off_network: set[int] = field(default_factory=set)

    def ranked(self, rings: int) -> list[tuple[float, int]]:
        """Return (distance, id) of the candidates in the disk of ``rings``, nearest first.

        With a network: (travel time, id) of those timed within its limit, along the
        roads or, off the network, in a straight line; fastest first.
        """
        if rings > self.read_rings:
            self._read(self._rings_to_read(rings))
        if rings == self.read_rings:
            ranked = [(distance_m, pk) for distance_m, pk, _cell in self.candidates]
        else:
            disk = set(geo.search_disk(self.query.lat_deg, self.query.lon_deg, rings))
            ranked = [
                (distance_m, pk)
                for distance_m, pk, cell in self.candidates
                if cell in disk
            ]
        if self.network is None:
            return ranked
        return self._by_network_time(ranked)

    def _by_network_time(
        self, ranked: list[tuple[float, int]]
    ) -> list[tuple[float, int]]:
        assert self.network is not None  # noqa: S101  # network mode only
        new_m = {pk: distance_m for distance_m, pk in ranked if pk not in self.times_s}
        network_times = self.network.travel_times(
            [(pk, *self.positions[pk]) for pk in new_m]
        )
        straight_speed_kmh = speed_kmh(self.query.mode)
        for pk, network_time_s in network_times.items():
            if network_time_s is None:
                # Off the network (it does not cover the place): not unreachable.
                self.off_network.add(pk)
                time_s = _travel_time_s(new_m[pk], straight_speed_kmh)
                # Held to the network's limit like every other time of the answer.
                if time_s > self.network.limit_s:
                    time_s = math.inf
            else:
                time_s = network_time_s
            self.times_s[pk] = time_s
        times = self.times_s
        return sorted(
            (times[pk], pk) for _distance_m, pk in ranked if math.isfinite(times[pk])
        )

    def travel_time_s(self, key: float) -> float:
        """Return the travel time of a ranking key (a distance, or a network time)."""
        if self.network is None:
            return _travel_time_s(key, self.mode_speed_kmh)
        return key

    def unreachable_within(self, distance_m: float) -> int:
        """Return how many candidates on the network within ``distance_m`` it cannot
        reach within its limit (those off it are not counted)."""
        times = self.times_s
        return sum(
            1
            for candidate_m, pk, _cell in self.candidates
            if candidate_m <= distance_m
            and pk in times
            and not math.isfinite(times[pk])
            and pk not in self.off_network
        )

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
        rows = self.sql.positions(new_cells)
        if self.network is not None:
            self.positions.update((pk, (lat, lon)) for pk, lat, lon, _cell in rows)
        self.candidates.extend(
            with_distances_m(self.query.lat_deg, self.query.lon_deg, rows)
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
        self, key: float, pk: int, fields: StateFields
    ) -> StationState:
        state = self.states.get(pk)
        if state is None:
            arrival = self.query.at + dt.timedelta(seconds=self.travel_time_s(key))
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
    or the widest ring has been searched. With a road network, a station outside a disk
    of radius r needs at least r over the mode's top speed (roads are never shorter than
    the straight line), or, off the network, the straight-line estimate for r; so the
    rings stop once the last result is faster than the lesser of the two, or once that
    bound passes the network search's limit.
    """
    check_query(query)
    origin = open_network_origin(query.lat_deg, query.lon_deg, query.mode)
    if isinstance(origin, NetworkFallback):
        return _find_by_straight_line(query, origin)
    return _find_by_network(query, origin)


def _find_by_straight_line(
    query: FinderQuery, fallback: NetworkFallback
) -> FinderAnswer:
    mode_speed = speed_kmh(query.mode)
    sql = FinderSql(connections[Station.objects.db], query.amenity_codes)
    search = _Search(query, mode_speed, sql)
    chosen: list[tuple[float, int, StationState]] = []
    radius_m = 0.0
    for rings in RING_STEPS:
        radius_m = geo.search_disk_radius_m(rings)
        # Only stations within the covered radius are certain to be the nearest.
        chosen = search.qualifying(rings)
        if len(chosen) == query.limit and chosen[-1][0] <= radius_m:
            break
    results = _results(
        query,
        sql,
        [
            (
                distance_m,
                distance_m,
                _travel_time_s(distance_m, mode_speed),
                STRAIGHT_LINE,
                pk,
                state,
            )
            for distance_m, pk, state in chosen
        ],
    )
    return FinderAnswer(
        query=query,
        results=results,
        method=STRAIGHT_LINE,
        detour_factor=settings.FINDER_DETOUR_FACTOR,
        speed_kmh=mode_speed,
        searched_radius_m=radius_m,
        network=fallback.network,
        straight_line_reason=str(fallback.reason),
        origin_snap_distance_m=fallback.snap_distance_m,
    )


def _find_by_network(query: FinderQuery, origin: NetworkOrigin) -> FinderAnswer:
    mode_speed = origin.speed_kmh
    straight_speed = speed_kmh(query.mode)
    sql = FinderSql(connections[Station.objects.db], query.amenity_codes)
    search = _Search(query, mode_speed, sql, network=origin)
    chosen: list[tuple[float, int, StationState]] = []
    radius_m = 0.0
    for rings in RING_STEPS:
        radius_m = geo.search_disk_radius_m(rings)
        chosen = search.qualifying(rings)
        # The least time of a station outside the disk, on the network or off it.
        outside_s = min(
            origin.lower_bound_s(radius_m), _travel_time_s(radius_m, straight_speed)
        )
        if len(chosen) == query.limit and chosen[-1][0] <= outside_s:
            break
        if outside_s > origin.limit_s:
            # Nothing outside the disk is timed within the network search's limit.
            break
    straight_m = {pk: distance_m for distance_m, pk, _cell in search.candidates}
    results = _results(
        query,
        sql,
        [
            (straight_m[pk], straight_m[pk], time_s, STRAIGHT_LINE, pk, state)
            if pk in search.off_network
            else (origin.distance_m(pk), straight_m[pk], time_s, NETWORK, pk, state)
            for time_s, pk, state in chosen
        ],
    )
    farthest_m = (
        max(straight_m[pk] for _time_s, pk, _state in chosen)
        if len(chosen) == query.limit
        else origin.limit_s * origin.max_speed_m_s
    )
    return FinderAnswer(
        query=query,
        results=results,
        method=NETWORK,
        detour_factor=settings.FINDER_DETOUR_FACTOR,
        speed_kmh=mode_speed,
        searched_radius_m=radius_m,
        network=origin.network,
        origin_snap_distance_m=origin.snap_distance_m,
        network_limit_s=origin.limit_s,
        unreachable_count=search.unreachable_within(farthest_m),
    )


def _results(
    query: FinderQuery,
    sql: FinderSql,
    chosen: list[tuple[float, float, float, str, int, StationState]],
) -> tuple[FinderResult, ...]:
    """Return the results of (distance, straight line, travel time, method, id, state)
    rows."""
    stations = sql.stations(
        [pk for _distance_m, _straight_m, _time_s, _method, pk, _state in chosen],
        since=query.at - dt.timedelta(minutes=settings.FINDER_BUSY_WINDOW_MIN),
        until=query.at,
    )
    # Every candidate has every wanted amenity available: list them in catalogue order.
    matching = tuple(
        code for code in list_amenity_codes() if code in query.amenity_codes
    )
    return tuple(
        FinderResult(
            station=station,
            distance_m=distance_m,
            travel_time_s=travel_time_s,
            arrival_at=query.at + dt.timedelta(seconds=travel_time_s),
            state_on_arrival=state,
            matching_amenity_codes=matching,
            recent_visits=station.visit_count,  # type: ignore[attr-defined]
            travel_time_method=method,
            straight_line_m=straight_m,
        )
        for distance_m, straight_m, travel_time_s, method, pk, state in chosen
        # A station deleted since it was ranked is left out.
        if (station := stations.get(pk)) is not None
    )
