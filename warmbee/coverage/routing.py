"""Network travel times from one place to stations, and a station's reach area (reads only).

The Django side of the engine for the finder and the station page: finds the active
road network around a position (bounding boxes cached briefly), snaps the origin and the
stations (stations' nodes cached per network file) and runs one bounded single-source
search. Never writes; the engine stays free of Django.

Times include the two short legs off the network: from the origin to its nearest node
and from the station's node to the station, at the mode's own speed (as the planner
counts a demand point's snapping leg). With both legs in, every network time is at least
the straight-line distance over the mode's top speed, which is what lets the finder
prove that a station outside its search disk cannot beat the ones it found.

A station farther than the snap limit from every node is *off* the network (it does not
cover the place), which is not the same as *unreachable* on it (cut off by one-way
streets, or beyond the search's limit): the answers keep the two apart.
"""

import hashlib
import math
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import h3
import numpy as np
from django.core.cache import cache
from numpy.typing import NDArray
from scipy.sparse.csgraph import dijkstra

from warmbee.core.errors import DomainError
from warmbee.coverage.engine.network import ModeGraph, TravelMode
from warmbee.coverage.engine.snapping import DEFAULT_MAX_SNAP_DISTANCE_M
from warmbee.coverage.engine.travel import reach_sets
from warmbee.coverage.exports import cells_geometry
from warmbee.coverage.models import RoadNetwork
from warmbee.coverage.planning import MAP_CELL_RESOLUTION, LoadedNetwork
from warmbee.coverage.selectors import load_engine_network

# One search answers every station within an hour; farther ones are "not reachable".
ROUTING_LIMIT_S = 3600.0
MAX_SNAP_DISTANCE_M = DEFAULT_MAX_SNAP_DISTANCE_M
# Active networks' bounding boxes are read at most this often per cache: a new import
# is used by the finder within this many seconds.
NETWORK_BOUNDS_CACHE_KEY = "coverage:routing:active-network-bounds"
NETWORK_BOUNDS_CACHE_S = 30
AREA_CACHE_S = 24 * 3600
AREA_MINUTES_RANGE = (1, 60)
METRES_PER_DEGREE = 111_195.0
LOWER_BOUND_SHARE = 1 - 1e-4


@dataclass(frozen=True)
class NetworkLabel:
    """Which network answered, as pages and the API name it."""

    id: int
    name: str
    is_generated: bool
    file_name: str


@dataclass(frozen=True)
class _NetworkBounds:
    label: NetworkLabel
    min_lat_deg: float
    min_lon_deg: float
    max_lat_deg: float
    max_lon_deg: float

    def contains(self, lat_deg: float, lon_deg: float) -> bool:
        """Return whether the position is inside the box widened by the snap limit."""
        margin_lat = MAX_SNAP_DISTANCE_M / METRES_PER_DEGREE
        margin_lon = margin_lat / max(math.cos(math.radians(lat_deg)), 0.1)
        return (
            self.min_lat_deg - margin_lat <= lat_deg <= self.max_lat_deg + margin_lat
            and self.min_lon_deg - margin_lon
            <= lon_deg
            <= self.max_lon_deg + margin_lon
        )


class FallbackReason(StrEnum):
    NO_NETWORK = "no_network"
    OFF_NETWORK = "off_network"
    NETWORK_UNAVAILABLE = "network_unavailable"


@dataclass(frozen=True)
class NetworkFallback:
    """Why network times are not available here; straight-line estimates are used.

    ``network`` and ``snap_distance_m`` are set for ``off_network`` (how far the nearest
    road node is).
    """

    reason: FallbackReason
    network: NetworkLabel | None = None
    snap_distance_m: float | None = None


def _list_network_bounds() -> tuple[_NetworkBounds, ...]:
    bounds = cache.get(NETWORK_BOUNDS_CACHE_KEY)
    if bounds is None:
        rows = RoadNetwork.objects.filter(is_active=True).values_list(
            "id",
            "name",
            "is_generated",
            "file_name",
            "min_lat_deg",
            "min_lon_deg",
            "max_lat_deg",
            "max_lon_deg",
        )
        bounds = tuple(
            _NetworkBounds(NetworkLabel(pk, name, generated, file_name), *box)
            for pk, name, generated, file_name, *box in rows.order_by("pk")
        )
        cache.set(NETWORK_BOUNDS_CACHE_KEY, bounds, NETWORK_BOUNDS_CACHE_S)
    return tuple(bounds)


def forget_network_bounds() -> None:
    """Make the next search read the active networks again (after an import, in tests)."""
    cache.delete(NETWORK_BOUNDS_CACHE_KEY)


def find_networks_at(lat_deg: float, lon_deg: float) -> list[NetworkLabel]:
    """Return the active networks whose bounding box (plus the snap limit) holds the position."""
    return [
        bounds.label
        for bounds in _list_network_bounds()
        if bounds.contains(lat_deg, lon_deg)
    ]


def _load(label: NetworkLabel) -> LoadedNetwork | None:
    try:
        return load_engine_network(RoadNetwork(pk=label.id, file_name=label.file_name))
    except DomainError:
        return None


# ------------------------------------------------------------- station snapping cache

# Per loaded network (kept alive here so its id is not reused): station id ->
# (lat_deg, lon_deg, node, snap distance in metres).
_StationNodes = dict[int, tuple[float, float, int, float]]
_STATION_CACHE_SIZE = 4
_station_cache: "OrderedDict[int, tuple[LoadedNetwork, _StationNodes]]" = OrderedDict()
_station_lock = threading.Lock()


def _station_nodes(
    loaded: LoadedNetwork, stations: Sequence[tuple[int, float, float]]
) -> _StationNodes:
    """Return the nodes of ``stations`` (id, lat, lon), snapping only new or moved ones."""
    with _station_lock:
        entry = _station_cache.get(id(loaded))
        if entry is None or entry[0] is not loaded:
            entry = (loaded, {})
            _station_cache[id(loaded)] = entry
            while len(_station_cache) > _STATION_CACHE_SIZE:
                _station_cache.popitem(last=False)
        _station_cache.move_to_end(id(loaded))
        known = entry[1]
    missing = [
        (pk, lat, lon)
        for pk, lat, lon in stations
        if (cached := known.get(pk)) is None or cached[:2] != (lat, lon)
    ]
    if missing:
        snap = loaded.snapper.snap(
            [lat for _pk, lat, _lon in missing],
            [lon for _pk, _lat, lon in missing],
            max_distance_m=MAX_SNAP_DISTANCE_M,
        )
        for index, (pk, lat, lon) in enumerate(missing):
            known[pk] = (lat, lon, int(snap.node[index]), float(snap.distance_m[index]))
    return known


def clear_routing_caches() -> None:
    with _station_lock:
        _station_cache.clear()
    forget_network_bounds()


# ---------------------------------------------------------------- one origin, many stations


class NetworkOrigin:
    """A position snapped to a network, with one bounded search from it (run on first use).

    ``travel_times`` gives each station's time in seconds from the origin *to* the
    station (one-way streets bind e-bikes), legs off the network included; ``inf`` when
    it is not reachable within ``limit_s``, ``None`` when it is off the network.
    """

    def __init__(
        self,
        *,
        label: NetworkLabel,
        loaded: LoadedNetwork,
        graph: ModeGraph,
        node: int,
        snap_distance_m: float,
        limit_s: float,
    ) -> None:
        self.network = label
        self.mode = graph.mode
        self.snap_distance_m = snap_distance_m
        self.limit_s = limit_s
        self.max_speed_m_s = graph.max_speed_m_s
        self._loaded = loaded
        self._graph = graph
        self._node = node
        self._leg_speed_m_s = graph.access_speed_m_s
        self._origin_leg_s = snap_distance_m / graph.access_speed_m_s
        self._time_s: NDArray[np.float64] | None = None
        self._predecessor: NDArray[np.int32] | None = None
        self._nodes: _StationNodes = {}

    @property
    def speed_kmh(self) -> float:
        """Return the mode's speed off the main roads' classes (its default speed)."""
        return self._leg_speed_m_s * 3.6

    def lower_bound_s(self, straight_line_m: float) -> float:
        """Return a time no network time to a place this far in a straight line is below.

        Edge lengths are stored as float32, so a straight road can sum to a hair less
        than the great-circle distance: the bound gives up one part in 10,000 for that.
        """
        return straight_line_m * LOWER_BOUND_SHARE / self.max_speed_m_s

    def _search(self) -> NDArray[np.float64]:
        if self._time_s is None:
            time_s, predecessor = dijkstra(
                self._graph.forward,
                directed=True,
                indices=np.asarray([self._node], dtype=np.int64),
                limit=max(0.0, self.limit_s - self._origin_leg_s),
                return_predecessors=True,
            )
            self._time_s = np.asarray(time_s[0], dtype=np.float64)
            self._predecessor = np.asarray(predecessor[0], dtype=np.int32)
        return self._time_s

    def travel_times(
        self, stations: Sequence[tuple[int, float, float]]
    ) -> dict[int, float | None]:
        """Return {station id: seconds} for (id, lat, lon) stations.

        ``inf`` for a station on the network that is not reachable within ``limit_s``;
        ``None`` for one off the network (farther than the snap limit from every node),
        for which the network has no time at all.
        """
        if not stations:
            return {}
        self._nodes = _station_nodes(self._loaded, stations)
        node_time_s = self._search()
        times: dict[int, float | None] = {}
        for pk, _lat, _lon in stations:
            _, _, node, snap_m = self._nodes[pk]
            if snap_m > MAX_SNAP_DISTANCE_M:
                times[pk] = None
                continue
            time_s = (
                self._origin_leg_s
                + float(node_time_s[node])
                + snap_m / self._leg_speed_m_s
            )
            times[pk] = time_s if time_s <= self.limit_s else math.inf
        return times

    def distance_m(self, station_id: int) -> float:
        """Return the length of the fastest way to a station given to ``travel_times``.

        Legs off the network included; ``inf`` if it is not reachable.
        """
        _, _, node, snap_m = self._nodes[station_id]
        time_s = self._search()
        if not math.isfinite(float(time_s[node])):
            return math.inf
        assert self._predecessor is not None  # noqa: S101  # set by _search
        path = [node]
        while path[-1] != self._node:
            path.append(int(self._predecessor[path[-1]]))
        network = self._loaded.network
        road_m = 0.0
        for head, tail in zip(path[:-1], path[1:], strict=True):
            first, last = int(network.indptr[tail]), int(network.indptr[tail + 1])
            offset = int(np.searchsorted(network.indices[first:last], head))
            road_m += float(network.length_m[first + offset])
        return self.snap_distance_m + road_m + snap_m


def open_network_origin(
    lat_deg: float, lon_deg: float, mode: str, *, limit_s: float = ROUTING_LIMIT_S
) -> NetworkOrigin | NetworkFallback:
    """Return the position snapped to the road network around it, or why there is none.

    With several active networks around (neighbouring counties), the one with the nearest
    node wins. An origin farther than the snap limit from every node is ``off_network``.
    """
    labels = find_networks_at(lat_deg, lon_deg)
    if not labels:
        return NetworkFallback(FallbackReason.NO_NETWORK)
    best: tuple[float, NetworkLabel, LoadedNetwork, int] | None = None
    for label in labels:
        loaded = _load(label)
        if loaded is None or loaded.snapper.node_count == 0:
            continue
        snap = loaded.snapper.snap(lat_deg, lon_deg)
        distance_m = float(snap.distance_m[0])
        if best is None or distance_m < best[0]:
            best = (distance_m, label, loaded, int(snap.node[0]))
    if best is None:
        return NetworkFallback(FallbackReason.NETWORK_UNAVAILABLE, labels[0])
    distance_m, label, loaded, node = best
    if distance_m > MAX_SNAP_DISTANCE_M:
        return NetworkFallback(FallbackReason.OFF_NETWORK, label, distance_m)
    return NetworkOrigin(
        label=label,
        loaded=loaded,
        graph=loaded.graph(TravelMode(mode)),
        node=node,
        snap_distance_m=distance_m,
        limit_s=limit_s,
    )


@dataclass(frozen=True)
class StationNetworkTime:
    """One station's way from the origin; ``is_reachable`` false beyond the limit or off
    the network (then both figures are ``inf``); ``is_on_network`` tells the two apart."""

    station_id: int
    travel_time_s: float
    distance_m: float
    is_on_network: bool = True

    @property
    def is_reachable(self) -> bool:
        return math.isfinite(self.travel_time_s)


@dataclass(frozen=True)
class NetworkTimes:
    network: NetworkLabel
    mode: str
    origin_snap_distance_m: float
    limit_s: float
    stations: tuple[StationNetworkTime, ...]


def network_travel_times(
    lat_deg: float,
    lon_deg: float,
    mode: str,
    stations: Sequence[tuple[int, float, float]],
    *,
    limit_s: float = ROUTING_LIMIT_S,
) -> NetworkTimes | NetworkFallback:
    """Return travel times from a position to (id, lat, lon) stations, in their order.

    One bounded Dijkstra from the origin's node over the mode's forward graph; stations
    not reachable within ``limit_s``, or off the network, are reported as such, never
    dropped.
    """
    origin = open_network_origin(lat_deg, lon_deg, mode, limit_s=limit_s)
    if isinstance(origin, NetworkFallback):
        return origin
    times = origin.travel_times(stations)
    return NetworkTimes(
        network=origin.network,
        mode=str(origin.mode),
        origin_snap_distance_m=origin.snap_distance_m,
        limit_s=limit_s,
        stations=tuple(
            _station_network_time(origin, pk, times[pk]) for pk, _lat, _lon in stations
        ),
    )


def _station_network_time(
    origin: NetworkOrigin, station_id: int, time_s: float | None
) -> StationNetworkTime:
    if time_s is None:
        return StationNetworkTime(station_id, math.inf, math.inf, is_on_network=False)
    if not math.isfinite(time_s):
        return StationNetworkTime(station_id, math.inf, math.inf)
    return StationNetworkTime(station_id, time_s, origin.distance_m(station_id))


# ------------------------------------------------------------------- a station's area


@dataclass(frozen=True)
class StationArea:
    """The places from which a station is reached within ``minutes`` on the network.

    ``cells`` are the H3 resolution-9 cells of the nodes reached (legs off the network
    counted as in the finder); ``geometry`` their union (GeoJSON, lon/lat), None if empty.
    """

    network: NetworkLabel
    station_id: int
    mode: str
    minutes: int
    snap_distance_m: float
    node_count: int
    cells: tuple[str, ...]
    geometry: dict[str, Any] | None


def _area_cache_key(
    labels: Sequence[NetworkLabel],
    station: tuple[int, float, float],
    mode: str,
    minutes: int,
) -> str:
    """Key an area by every network around the station: which one wins depends on all.

    The file names are hashed, so the key stays short however many networks there are.
    """
    pk, lat_deg, lon_deg = station
    files = ",".join(sorted(label.file_name for label in labels))
    networks = hashlib.sha256(files.encode()).hexdigest()[:24]
    return (
        f"coverage:routing:area:{networks}:{pk}:{lat_deg:.7f}:{lon_deg:.7f}"
        f":{mode}:{minutes}"
    )


def _cells(lat_deg: Iterable[float], lon_deg: Iterable[float]) -> tuple[str, ...]:
    return tuple(
        sorted(
            {
                str(h3.latlng_to_cell(lat, lon, MAP_CELL_RESOLUTION))
                for lat, lon in zip(lat_deg, lon_deg, strict=True)
            }
        )
    )


def station_area(
    station_id: int, lat_deg: float, lon_deg: float, mode: str, minutes: int
) -> StationArea | NetworkFallback:
    """Return the station's ``minutes`` area by ``mode``, or why there is none.

    Cached per (the network files around the station, station and its position, mode,
    minutes), so a network imported or replaced nearby is never hidden by an old area.
    """
    labels = find_networks_at(lat_deg, lon_deg)
    station = (station_id, lat_deg, lon_deg)
    cache_key = _area_cache_key(labels, station, mode, minutes)
    cached = cache.get(cache_key) if labels else None
    if isinstance(cached, StationArea):
        return cached
    best: tuple[float, NetworkLabel, LoadedNetwork, int] | None = None
    for label in labels:
        loaded = _load(label)
        if loaded is None or loaded.snapper.node_count == 0:
            continue
        _, _, node, distance_m = _station_nodes(loaded, [station])[station_id]
        if best is None or distance_m < best[0]:
            best = (distance_m, label, loaded, node)
    if best is None:
        reason = (
            FallbackReason.NETWORK_UNAVAILABLE if labels else FallbackReason.NO_NETWORK
        )
        return NetworkFallback(reason, labels[0] if labels else None)
    distance_m, label, loaded, node = best
    if distance_m > MAX_SNAP_DISTANCE_M:
        return NetworkFallback(FallbackReason.OFF_NETWORK, label, distance_m)
    graph = loaded.graph(TravelMode(mode))
    limit_s = minutes * 60.0 - distance_m / graph.access_speed_m_s
    if limit_s >= 0:
        reached = reach_sets(graph, [node], limit_s=limit_s).node
    else:
        reached = np.zeros(0, dtype=np.int64)
    cells = _cells(graph.lat_deg[reached], graph.lon_deg[reached])
    area = StationArea(
        network=label,
        station_id=station_id,
        mode=mode,
        minutes=minutes,
        snap_distance_m=distance_m,
        node_count=int(reached.size),
        cells=cells,
        geometry=cells_geometry(cells) if cells else None,
    )
    cache.set(cache_key, area, AREA_CACHE_S)
    return area
