"""One coverage plan computed from arrays: coverage now, uncovered cells, new sites.

Composes the engine (demand, travel, siting) for a coverage run; reads no database and
returns plain JSON-ready values. Called by ``services.execute_coverage_run``.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import h3
import numpy as np
import scipy.sparse
from numpy.typing import NDArray

from warmbee.coverage.engine.demand import (
    CoverageResult,
    network_coverage,
    straight_line_coverage,
    uncovered_demand_by_cell,
)
from warmbee.coverage.engine.geometry import haversine_m
from warmbee.coverage.engine.heuristics import greedy_max_covering
from warmbee.coverage.engine.network import (
    ModeGraph,
    RoadNetwork,
    TravelMode,
    default_speed_profile,
)
from warmbee.coverage.engine.siting import (
    SitingProblem,
    SitingSolution,
    SolveStatus,
    solve_max_covering,
)
from warmbee.coverage.engine.snapping import NodeSnapper
from warmbee.coverage.engine.travel import reach_sets
from warmbee.coverage.errors import NoDemandError, TooManySitesError

MAX_CANDIDATES = 2_000
CANDIDATE_RESOLUTIONS = (9, 8, 7, 6)
MAP_CELL_RESOLUTION = 9
MAX_UNCOVERED_CELLS = 500
# Without a network, demand is a grid over the stations' surroundings at this spacing,
# coarser when that would make more than MAX_GRID_POINTS points.
GRID_SPACING_M = 200.0
MAX_GRID_POINTS = 40_000
METRES_PER_DEGREE = 111_195.0

Progress = Callable[[str, int], None]


@dataclass(frozen=True)
class PlanInput:
    """Stations (n_stations,) with their database ids, and the checked parameters."""

    station_id: NDArray[np.int64]
    station_lat_deg: NDArray[np.float64]
    station_lon_deg: NDArray[np.float64]
    mode: TravelMode
    minutes: float
    new_sites: int
    candidate_source: str
    demand_layer: str
    speed_m_s: float
    detour_factor: float
    solver_time_limit_s: float


@dataclass(frozen=True)
class LoadedNetwork:
    """A road network ready for searches: the arrays, their kd-tree, graphs per mode.

    A mode's graph is built on first use and kept.
    """

    network: RoadNetwork
    snapper: NodeSnapper
    graphs: dict[TravelMode, ModeGraph] = field(default_factory=dict)

    def graph(self, mode: TravelMode) -> ModeGraph:
        graph = self.graphs.get(mode)
        if graph is None:
            graph = self.network.mode_graph(default_speed_profile(mode))
            self.graphs[mode] = graph
        return graph


@dataclass(frozen=True)
class _Demand:
    lat_deg: NDArray[np.float64]
    lon_deg: NDArray[np.float64]
    weight: NDArray[np.float64]
    unit: str


def network_demand(network: RoadNetwork) -> _Demand:
    """Spread demand uniformly over the roads: each node gets half of each road at it."""
    tails = network.tails()
    heads = network.indices.astype(np.int64)
    low, high = np.minimum(tails, heads), np.maximum(tails, heads)
    _, first = np.unique(low * network.node_count + high, return_index=True)
    half_m = network.length_m[first].astype(np.float64) / 2.0
    weight = np.bincount(low[first], half_m, minlength=network.node_count)
    weight += np.bincount(high[first], half_m, minlength=network.node_count)
    return _Demand(network.lat_deg, network.lon_deg, weight / 1000.0, "road_km")


def grid_demand(plan: PlanInput) -> _Demand:
    """Spread demand over a grid around the stations, as far as twice the reach."""
    if plan.station_lat_deg.size == 0:
        raise NoDemandError()
    reach_m = plan.minutes * 60.0 * plan.speed_m_s / plan.detour_factor
    margin_lat = 2 * reach_m / METRES_PER_DEGREE
    mid_lat = float(np.mean(plan.station_lat_deg))
    margin_lon = margin_lat / max(np.cos(np.radians(mid_lat)), 0.1)
    south = float(plan.station_lat_deg.min()) - margin_lat
    north = float(plan.station_lat_deg.max()) + margin_lat
    west = float(plan.station_lon_deg.min()) - margin_lon
    east = float(plan.station_lon_deg.max()) + margin_lon
    height_m = (north - south) * METRES_PER_DEGREE
    width_m = (east - west) * METRES_PER_DEGREE * np.cos(np.radians(mid_lat))
    spacing_m = max(
        GRID_SPACING_M, float(np.sqrt(height_m * width_m / MAX_GRID_POINTS))
    )
    lats = np.arange(south, north, spacing_m / METRES_PER_DEGREE)
    lons = np.arange(
        west, east, spacing_m / (METRES_PER_DEGREE * np.cos(np.radians(mid_lat)))
    )
    grid_lat, grid_lon = np.meshgrid(lats, lons, indexing="ij")
    area_km2 = (spacing_m / 1000.0) ** 2
    count = grid_lat.size
    return _Demand(
        grid_lat.ravel(), grid_lon.ravel(), np.full(count, area_km2), "area_km2"
    )


def _candidates(demand: _Demand, source: str) -> NDArray[np.int64]:
    """Return the demand points (indices) that serve as candidate sites.

    ``cells``: per H3 cell at the finest resolution giving at most ``MAX_CANDIDATES``
    cells, the point nearest the cell's centre. ``demand_points``: every point.
    """
    count = demand.lat_deg.size
    if source == "demand_points":
        return np.arange(count, dtype=np.int64)
    for resolution in CANDIDATE_RESOLUTIONS:
        cells = np.asarray(
            [
                h3.latlng_to_cell(lat, lon, resolution)
                for lat, lon in zip(
                    demand.lat_deg.tolist(), demand.lon_deg.tolist(), strict=True
                )
            ]
        )
        unique_cells, inverse = np.unique(cells, return_inverse=True)
        if (
            unique_cells.size <= MAX_CANDIDATES
            or resolution == CANDIDATE_RESOLUTIONS[-1]
        ):
            break
    centres = np.asarray([h3.cell_to_latlng(cell) for cell in unique_cells.tolist()])
    distance_m = haversine_m(
        demand.lat_deg, demand.lon_deg, centres[inverse, 0], centres[inverse, 1]
    )
    order = np.lexsort((distance_m, inverse))
    first = np.ones(order.size, dtype=bool)
    first[1:] = inverse[order][1:] != inverse[order][:-1]
    return np.sort(order[first]).astype(np.int64)


def _straight_line_problem(
    demand: _Demand,
    sites: NDArray[np.int64],
    plan: PlanInput,
    covered: NDArray[np.bool_],
) -> SitingProblem:
    radius_m = plan.minutes * 60.0 * plan.speed_m_s / plan.detour_factor
    near = NodeSnapper(demand.lat_deg, demand.lon_deg).nodes_within(
        demand.lat_deg[sites], demand.lon_deg[sites], radius_m=radius_m, sort=False
    )
    pairs = near.tocoo()
    site, point = pairs.row, pairs.col
    within = (
        haversine_m(
            demand.lat_deg[sites[site]],
            demand.lon_deg[sites[site]],
            demand.lat_deg[point],
            demand.lon_deg[point],
        )
        <= radius_m
    )
    coverage = scipy.sparse.csr_array(
        (np.ones(int(within.sum()), dtype=bool), (point[within], site[within])),
        shape=(demand.lat_deg.size, sites.size),
    )
    return SitingProblem.from_coverage(coverage, demand.weight, already_covered=covered)


def _network_problem(
    loaded: LoadedNetwork,
    graph: ModeGraph,
    demand: _Demand,
    sites: NDArray[np.int64],
    plan: PlanInput,
    covered: NDArray[np.bool_],
) -> SitingProblem:
    # Demand points are the network's nodes: a candidate at point i sits on node i.
    threshold_s = plan.minutes * 60.0
    reach = reach_sets(graph, sites, limit_s=threshold_s, snapper=loaded.snapper)
    return SitingProblem.from_reach_sets(
        reach,
        np.arange(demand.lat_deg.size, dtype=np.int64),
        demand.weight,
        threshold_s=threshold_s,
        already_covered=covered,
    )


def _solve(problem: SitingProblem, plan: PlanInput) -> SitingSolution:
    solution = solve_max_covering(
        problem, plan.new_sites, time_limit_s=plan.solver_time_limit_s
    )
    if solution.status is SolveStatus.NO_SOLUTION:
        return greedy_max_covering(problem, plan.new_sites)
    return solution


def _added_weight_in_order(
    problem: SitingProblem, sites: NDArray[np.int64]
) -> list[tuple[int, float]]:
    """Order the chosen sites by what each adds after the ones before it."""
    columns = scipy.sparse.csc_array(problem.coverage[:, sites].astype(np.float64))
    open_weight = problem.demand_weight * ~problem.already_covered
    remaining = list(range(sites.size))
    ordered: list[tuple[int, float]] = []
    while remaining:
        gains = np.asarray(columns.T @ open_weight, dtype=np.float64)
        best = max(remaining, key=lambda position: (gains[position], -position))
        ordered.append((int(sites[best]), float(gains[best])))
        hit = columns[:, [best]].toarray().ravel() > 0
        open_weight = open_weight * ~hit
        remaining.remove(best)
    return ordered


def _station_rows(
    plan: PlanInput, demand: _Demand, coverage: CoverageResult
) -> list[dict[str, Any]]:
    served = coverage.covered & (coverage.nearest_station >= 0)
    station_weight = np.bincount(
        coverage.nearest_station[served],
        weights=demand.weight[served],
        minlength=plan.station_id.size,
    )
    rows = []
    for index in range(plan.station_id.size):
        mine = np.flatnonzero(served & (coverage.nearest_station == index))
        cells = sorted(
            {
                h3.latlng_to_cell(
                    demand.lat_deg[i], demand.lon_deg[i], MAP_CELL_RESOLUTION
                )
                for i in mine.tolist()
            }
        )
        rows.append(
            {
                "id": int(plan.station_id[index]),
                "lat_deg": float(plan.station_lat_deg[index]),
                "lon_deg": float(plan.station_lon_deg[index]),
                "on_network": bool(coverage.station_on_network[index]),
                "covered_weight": round(float(station_weight[index]), 6),
                "cells": cells,
            }
        )
    return rows


def compute_plan(
    plan: PlanInput, loaded: LoadedNetwork | None, progress: Progress
) -> dict[str, Any]:
    """Return coverage now, uncovered demand by cell and the ``new_sites`` best sites.

    Raises ``NoDemandError`` when there is neither a network nor a station, and
    ``TooManySitesError`` when more sites are asked for than there are candidates.
    """
    started = time.perf_counter()
    threshold_s = plan.minutes * 60.0
    progress("coverage", 20)
    graph = None
    if loaded is not None:
        graph = loaded.graph(plan.mode)
        demand = network_demand(loaded.network)
        coverage = network_coverage(
            graph,
            loaded.snapper,
            station_lat_deg=plan.station_lat_deg,
            station_lon_deg=plan.station_lon_deg,
            demand_lat_deg=demand.lat_deg,
            demand_lon_deg=demand.lon_deg,
            demand_weight=demand.weight,
            threshold_s=threshold_s,
        )
    else:
        demand = grid_demand(plan)
        coverage = straight_line_coverage(
            station_lat_deg=plan.station_lat_deg,
            station_lon_deg=plan.station_lon_deg,
            demand_lat_deg=demand.lat_deg,
            demand_lon_deg=demand.lon_deg,
            demand_weight=demand.weight,
            speed_m_s=plan.speed_m_s,
            detour_factor=plan.detour_factor,
            threshold_s=threshold_s,
        )
    cells = uncovered_demand_by_cell(
        demand.lat_deg,
        demand.lon_deg,
        demand.weight,
        coverage.covered,
        resolution=MAP_CELL_RESOLUTION,
    )
    result: dict[str, Any] = {
        "method": coverage.method,
        "mode": str(plan.mode),
        "minutes": plan.minutes,
        "detour_factor": plan.detour_factor if loaded is None else None,
        "demand": {
            "layer": plan.demand_layer,
            "unit": demand.unit,
            "points": int(demand.lat_deg.size),
            "total_weight": round(coverage.total_weight, 6),
            "covered_weight": round(coverage.covered_weight, 6),
            "covered_share": round(coverage.covered_share, 6),
        },
        "stations": _station_rows(plan, demand, coverage),
        "uncovered_cells": [
            {"cell": cell, "weight": round(float(weight), 6)}
            for cell, weight in zip(
                cells.cell[:MAX_UNCOVERED_CELLS],
                cells.weight[:MAX_UNCOVERED_CELLS].tolist(),
                strict=True,
            )
        ],
        "uncovered_cell_count": len(cells.cell),
        "recommendation": None,
    }
    if plan.new_sites > 0:
        progress("candidates", 40)
        sites = _candidates(demand, plan.candidate_source)
        if plan.new_sites > sites.size:
            raise TooManySitesError(k=plan.new_sites, candidates=int(sites.size))
        if loaded is not None and graph is not None:
            problem = _network_problem(
                loaded, graph, demand, sites, plan, coverage.covered
            )
        else:
            problem = _straight_line_problem(demand, sites, plan, coverage.covered)
        progress("siting", 70)
        solution = _solve(problem, plan)
        chosen = [
            {
                "lat_deg": float(demand.lat_deg[sites[site]]),
                "lon_deg": float(demand.lon_deg[sites[site]]),
                "added_weight": round(added, 6),
            }
            for site, added in _added_weight_in_order(problem, solution.sites)
        ]
        total = coverage.total_weight
        result["recommendation"] = {
            "new_sites": plan.new_sites,
            "candidate_count": int(sites.size),
            "status": str(solution.status),
            "method": solution.method,
            "added_weight": round(solution.objective, 6),
            "bound": round(solution.bound, 6),
            "gap": round(solution.gap, 6),
            "covered_share_after": round(
                (coverage.covered_weight + solution.objective) / total, 6
            )
            if total > 0
            else 0.0,
            "sites": chosen,
        }
    result["elapsed_s"] = round(time.perf_counter() - started, 3)
    return result
