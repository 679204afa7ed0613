"""Coverage of demand: each demand point's time to its nearest station, the share covered,
and the uncovered demand by H3 cell. Over a road network, or by straight line times a
detour factor when there is none, and the result says which (``method``).
"""

from dataclasses import dataclass
from typing import Literal

import h3
import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.spatial import cKDTree

from warmbee.coverage.engine.errors import InvalidInputError
from warmbee.coverage.engine.geometry import chord_to_arc_m, ecef_m
from warmbee.coverage.engine.network import ModeGraph
from warmbee.coverage.engine.snapping import (
    DEFAULT_MAX_SNAP_DISTANCE_M,
    NodeSnapper,
    check_positions,
)
from warmbee.coverage.engine.travel import nearest_station

CoverageMethod = Literal["network", "straight_line"]
SERVICE_CIRCLE_S = 15 * 60.0
# Road distance over straight-line distance in towns; planning literature gives 1.2-1.4,
# and the higher end keeps the estimate on the cautious side.
DEFAULT_DETOUR_FACTOR = 1.4
UNCOVERED_CELL_RESOLUTION = 9


@dataclass(frozen=True)
class CoverageResult:
    """Per demand point (n_demand,): time to the nearest station and whether covered.

    ``travel_time_s`` is ``inf`` and ``nearest_station`` -1 where no station is within
    the search limit or the point is off the network. ``station_on_network`` (n_stations,)
    is false for stations too far from any road to be used (network method only).
    """

    method: CoverageMethod
    threshold_s: float
    travel_time_s: NDArray[np.float64]
    nearest_station: NDArray[np.int64]
    covered: NDArray[np.bool_]
    off_network: NDArray[np.bool_]
    demand_weight: NDArray[np.float64]
    station_on_network: NDArray[np.bool_]

    @property
    def covered_weight(self) -> float:
        return float(self.demand_weight[self.covered].sum())

    @property
    def total_weight(self) -> float:
        return float(self.demand_weight.sum())

    @property
    def covered_share(self) -> float:
        """Return the covered share of demand weight, 0..1 (0 when there is no demand)."""
        total = self.total_weight
        return self.covered_weight / total if total > 0 else 0.0


def _check_weight(weight: ArrayLike, count: int) -> NDArray[np.float64]:
    array = np.asarray(weight, dtype=np.float64)
    if array.shape != (count,) or not np.all(np.isfinite(array)) or np.any(array < 0):
        raise InvalidInputError(
            reason="demand weights must be one finite value >= 0 per point"
        )
    return array


def network_coverage(
    graph: ModeGraph,
    snapper: NodeSnapper,
    *,
    station_lat_deg: ArrayLike,
    station_lon_deg: ArrayLike,
    demand_lat_deg: ArrayLike,
    demand_lon_deg: ArrayLike,
    demand_weight: ArrayLike,
    threshold_s: float = SERVICE_CIRCLE_S,
    limit_s: float | None = None,
    max_snap_distance_m: float = DEFAULT_MAX_SNAP_DISTANCE_M,
) -> CoverageResult:
    """Return every demand point's travel time over the network to its nearest station.

    A point's time is its straight walk or ride to its nearest node at the mode's
    default speed plus the network time from there; the search stops at ``limit_s``
    (default: the threshold). Points and stations farther than ``max_snap_distance_m``
    from every node are off the network.
    """
    demand_lat, demand_lon = check_positions(demand_lat_deg, demand_lon_deg)
    weight = _check_weight(demand_weight, demand_lat.shape[0])
    station_lat, station_lon = check_positions(station_lat_deg, station_lon_deg)
    station_snap = snapper.snap(
        station_lat, station_lon, max_distance_m=max_snap_distance_m
    )
    usable = np.flatnonzero(station_snap.on_network)
    nearest = nearest_station(
        graph,
        station_snap.node[usable],
        limit_s=threshold_s if limit_s is None else limit_s,
    )
    snap = snapper.snap(demand_lat, demand_lon, max_distance_m=max_snap_distance_m)
    node = np.where(snap.on_network, snap.node, 0)
    network_s = np.where(snap.on_network, nearest.travel_time_s[node], np.inf)
    travel_time_s = network_s + snap.distance_m / graph.access_speed_m_s
    station_index = np.where(snap.on_network, nearest.station[node], -1)
    reached = station_index >= 0
    station = np.full(demand_lat.shape[0], -1, dtype=np.int64)
    station[reached] = usable[station_index[reached]]
    travel_time_s[~reached] = np.inf
    return CoverageResult(
        method="network",
        threshold_s=threshold_s,
        travel_time_s=travel_time_s,
        nearest_station=station,
        covered=travel_time_s <= threshold_s,
        off_network=~snap.on_network,
        demand_weight=weight,
        station_on_network=station_snap.on_network,
    )


def straight_line_coverage(
    *,
    station_lat_deg: ArrayLike,
    station_lon_deg: ArrayLike,
    demand_lat_deg: ArrayLike,
    demand_lon_deg: ArrayLike,
    demand_weight: ArrayLike,
    speed_m_s: float,
    detour_factor: float = DEFAULT_DETOUR_FACTOR,
    threshold_s: float = SERVICE_CIRCLE_S,
) -> CoverageResult:
    """Estimate travel times without a road network: distance x detour factor / speed."""
    if not (speed_m_s > 0 and detour_factor >= 1):
        raise InvalidInputError(
            reason="speed must be positive and the detour factor >= 1"
        )
    demand_lat, demand_lon = check_positions(demand_lat_deg, demand_lon_deg)
    weight = _check_weight(demand_weight, demand_lat.shape[0])
    station_lat, station_lon = check_positions(station_lat_deg, station_lon_deg)
    count = demand_lat.shape[0]
    if station_lat.size == 0:
        travel_time_s = np.full(count, np.inf)
        station = np.full(count, -1, dtype=np.int64)
    else:
        chord_m, nearest = cKDTree(ecef_m(station_lat, station_lon)).query(
            ecef_m(demand_lat, demand_lon)
        )
        distance_m = chord_to_arc_m(np.asarray(chord_m, dtype=np.float64))
        travel_time_s = distance_m * detour_factor / speed_m_s
        station = np.asarray(nearest, dtype=np.int64)
    return CoverageResult(
        method="straight_line",
        threshold_s=threshold_s,
        travel_time_s=travel_time_s,
        nearest_station=station,
        covered=travel_time_s <= threshold_s,
        off_network=np.zeros(count, dtype=bool),
        demand_weight=weight,
        station_on_network=np.ones(station_lat.shape[0], dtype=bool),
    )


@dataclass(frozen=True)
class CellDemand:
    """Uncovered demand per H3 cell, heaviest first: ``cell`` and ``weight`` (n_cells,)."""

    cell: tuple[str, ...]
    weight: NDArray[np.float64]


def uncovered_demand_by_cell(
    lat_deg: ArrayLike,
    lon_deg: ArrayLike,
    demand_weight: ArrayLike,
    covered: ArrayLike,
    *,
    resolution: int = UNCOVERED_CELL_RESOLUTION,
) -> CellDemand:
    """Sum the weight of uncovered demand points per H3 cell (ties by cell id)."""
    lat, lon = check_positions(lat_deg, lon_deg)
    weight = _check_weight(demand_weight, lat.shape[0])
    is_covered = np.asarray(covered, dtype=bool)
    if is_covered.shape != lat.shape:
        raise InvalidInputError(reason="one covered flag per demand point is needed")
    open_points = np.flatnonzero(~is_covered & (weight > 0))
    cells = [str(h3.latlng_to_cell(lat[i], lon[i], resolution)) for i in open_points]
    unique_cells, inverse = np.unique(np.asarray(cells, dtype=str), return_inverse=True)
    totals = np.bincount(
        inverse, weights=weight[open_points], minlength=unique_cells.size
    ).astype(np.float64)
    order = np.lexsort((unique_cells, -totals))
    return CellDemand(
        cell=tuple(str(unique_cells[i]) for i in order), weight=totals[order]
    )
