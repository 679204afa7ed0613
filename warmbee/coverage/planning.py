"""One coverage plan computed from arrays: coverage now, uncovered cells, new sites.

Composes the engine (demand, travel, siting) for a coverage run; reads no database and
returns plain JSON-ready values. Called by ``services.execute_coverage_run``.

Demand is either uniform (road length per node on a network, a grid of area without
one) or a layer of weighted points given by the caller (workers, imported places).
Station areas on the map and the candidate sites of ``cells`` always come from the
uniform points, so a point layer still gets areas and sites anywhere on the roads.
"""

import dataclasses
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
from warmbee.coverage.engine.max_covering import solve_max_covering_in_steps
from warmbee.coverage.engine.network import (
    ModeGraph,
    RoadNetwork,
    TravelMode,
    default_speed_profile,
)
from warmbee.coverage.engine.scenario import apply_station_changes
from warmbee.coverage.engine.siting import SitingProblem, SitingSolution
from warmbee.coverage.engine.snapping import NodeSnapper
from warmbee.coverage.engine.travel import reach_sets
from warmbee.coverage.errors import (
    NoDemandError,
    TooManyCandidatesError,
    TooManySitesError,
)

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
class DemandPoints:
    """Demand as weighted points (n_points,) in WGS-84, and the unit of the weights."""

    lat_deg: NDArray[np.float64]
    lon_deg: NDArray[np.float64]
    weight: NDArray[np.float64]
    unit: str


@dataclass(frozen=True)
class PlanInput:
    """Stations (n_stations,) with their database ids, and the checked parameters.

    ``layer_points`` is the demand when the layer is not uniform. A what-if scenario
    removes the stations ``removed_station_ids`` and adds stations at
    ``added_positions`` ((lat_deg, lon_deg) pairs) before anything is computed.
    """

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
    layer_points: DemandPoints | None = None
    removed_station_ids: tuple[int, ...] = ()
    added_positions: tuple[tuple[float, float], ...] = ()


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


def apply_scenario(plan: PlanInput) -> PlanInput:
    """Return the plan with the scenario's stations: removed ones gone, added ones last.

    Added stations get the ids -1, -2, ... in the order given; removed ids that are not
    among the stations (no longer in service) are ignored.
    """
    if not plan.removed_station_ids and not plan.added_positions:
        return plan
    remove = np.flatnonzero(np.isin(plan.station_id, plan.removed_station_ids))
    stations = apply_station_changes(
        plan.station_lat_deg,
        plan.station_lon_deg,
        add=list(plan.added_positions),
        remove=remove.tolist(),
    )
    added = stations.origin < 0
    station_id = np.where(
        added,
        -np.cumsum(added, dtype=np.int64),
        plan.station_id[np.maximum(stations.origin, 0)] if plan.station_id.size else 0,
    )
    return dataclasses.replace(
        plan,
        station_id=station_id.astype(np.int64),
        station_lat_deg=stations.lat_deg,
        station_lon_deg=stations.lon_deg,
    )


def network_demand(network: RoadNetwork) -> DemandPoints:
    """Spread demand uniformly over the roads: each node gets half of each road at it."""
    tails = network.tails()
    heads = network.indices.astype(np.int64)
    low, high = np.minimum(tails, heads), np.maximum(tails, heads)
    _, first = np.unique(low * network.node_count + high, return_index=True)
    half_m = network.length_m[first].astype(np.float64) / 2.0
    weight = np.bincount(low[first], half_m, minlength=network.node_count)
    weight += np.bincount(high[first], half_m, minlength=network.node_count)
    return DemandPoints(network.lat_deg, network.lon_deg, weight / 1000.0, "road_km")


def grid_demand(plan: PlanInput) -> DemandPoints:
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
    return DemandPoints(
        grid_lat.ravel(), grid_lon.ravel(), np.full(count, area_km2), "area_km2"
    )


def _candidates(demand: DemandPoints, source: str) -> NDArray[np.int64]:
    """Return the demand points (indices) that serve as candidate sites.

    ``cells``: per H3 cell at the finest resolution giving at most ``MAX_CANDIDATES``
    cells, the point nearest the cell's centre. ``demand_points``: every point.
    """
    count = demand.lat_deg.size
    if source == "demand_points":
        if count > MAX_CANDIDATES:
            # Every (site, point) pair costs memory: a county's every node would not fit.
            raise TooManyCandidatesError(count=count, limit=MAX_CANDIDATES)
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
    demand: DemandPoints,
    site_lat_deg: NDArray[np.float64],
    site_lon_deg: NDArray[np.float64],
    plan: PlanInput,
    covered: NDArray[np.bool_],
) -> SitingProblem:
    radius_m = plan.minutes * 60.0 * plan.speed_m_s / plan.detour_factor
    near = NodeSnapper(demand.lat_deg, demand.lon_deg).nodes_within(
        site_lat_deg, site_lon_deg, radius_m=radius_m, sort=False
    )
    pairs = near.tocoo()
    site, point = pairs.row, pairs.col
    within = (
        haversine_m(
            site_lat_deg[site],
            site_lon_deg[site],
            demand.lat_deg[point],
            demand.lon_deg[point],
        )
        <= radius_m
    )
    coverage = scipy.sparse.csr_array(
        (np.ones(int(within.sum()), dtype=bool), (point[within], site[within])),
        shape=(demand.lat_deg.size, site_lat_deg.size),
    )
    return SitingProblem.from_coverage(coverage, demand.weight, already_covered=covered)


@dataclass(frozen=True)
class _OnNetwork:
    """Demand points (n_points,) on the network: their node (-1 off it), access time."""

    node: NDArray[np.int64]
    access_time_s: NDArray[np.float64]


def _on_network(
    loaded: LoadedNetwork, graph: ModeGraph, points: DemandPoints, is_nodes: bool
) -> _OnNetwork:
    if is_nodes:  # uniform demand: the points are the network's nodes
        count = points.lat_deg.size
        return _OnNetwork(np.arange(count, dtype=np.int64), np.zeros(count))
    snap = loaded.snapper.snap(points.lat_deg, points.lon_deg)
    return _OnNetwork(
        np.where(snap.on_network, snap.node, -1).astype(np.int64),
        np.where(snap.on_network, snap.distance_m / graph.access_speed_m_s, 0.0),
    )


def _network_problem(
    loaded: LoadedNetwork,
    graph: ModeGraph,
    demand: _OnNetwork,
    weight: NDArray[np.float64],
    site_node: NDArray[np.int64],
    plan: PlanInput,
    covered: NDArray[np.bool_],
) -> SitingProblem:
    threshold_s = plan.minutes * 60.0
    reach = reach_sets(graph, site_node, limit_s=threshold_s, snapper=loaded.snapper)
    return SitingProblem.from_reach_sets(
        reach,
        demand.node,
        weight,
        threshold_s=threshold_s,
        demand_access_time_s=demand.access_time_s,
        already_covered=covered,
    )


def _solve(
    problem: SitingProblem, plan: PlanInput
) -> tuple[SitingSolution, list[SitingSolution]]:
    """Return the better of the fast heuristic and HiGHS's answer, and the steps.

    The heuristic (greedy, swaps, Lagrangian bound) takes a fraction of a second and is
    the answer when its bound proves it; otherwise HiGHS solves the model of the sites
    the bound leaves open within ``solver_time_limit_s`` (``engine.max_covering``). On a
    large county HiGHS may stop there with an incumbent worse than the heuristic's, so a
    planner is never given less than the heuristic finds, and the bound is the tighter
    of the two (equal answers: HiGHS's).
    """
    answers = solve_max_covering_in_steps(
        problem, plan.new_sites, time_limit_s=plan.solver_time_limit_s
    )
    return answers.best, answers.steps


def _answer_row(answer: SitingSolution) -> dict[str, Any]:
    return {
        "method": answer.method,
        "status": str(answer.status),
        "added_weight": round(answer.objective, 6)
        if np.isfinite(answer.objective)
        else None,
        "bound": round(answer.bound, 6) if np.isfinite(answer.bound) else None,
        "solve_time_s": round(answer.solve_time_s, 3),
    }


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
    plan: PlanInput,
    demand: DemandPoints,
    coverage: CoverageResult,
    area: DemandPoints,
    area_coverage: CoverageResult,
) -> list[dict[str, Any]]:
    """Return each station's demand served and its area (the ``area`` points it serves)."""
    served = coverage.covered & (coverage.nearest_station >= 0)
    station_weight = np.bincount(
        coverage.nearest_station[served],
        weights=demand.weight[served],
        minlength=plan.station_id.size,
    )
    area_served = area_coverage.covered & (area_coverage.nearest_station >= 0)
    rows = []
    for index in range(plan.station_id.size):
        mine = np.flatnonzero(area_served & (area_coverage.nearest_station == index))
        cells = sorted(
            {
                h3.latlng_to_cell(area.lat_deg[i], area.lon_deg[i], MAP_CELL_RESOLUTION)
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
                # 1, 2, ... for a station a what-if adds; None for a real one.
                "added_number": -int(plan.station_id[index])
                if plan.station_id[index] < 0
                else None,
            }
        )
    return rows


def _coverage(
    plan: PlanInput,
    loaded: LoadedNetwork | None,
    graph: ModeGraph | None,
    points: DemandPoints,
) -> CoverageResult:
    if loaded is not None and graph is not None:
        return network_coverage(
            graph,
            loaded.snapper,
            station_lat_deg=plan.station_lat_deg,
            station_lon_deg=plan.station_lon_deg,
            demand_lat_deg=points.lat_deg,
            demand_lon_deg=points.lon_deg,
            demand_weight=points.weight,
            threshold_s=plan.minutes * 60.0,
        )
    return straight_line_coverage(
        station_lat_deg=plan.station_lat_deg,
        station_lon_deg=plan.station_lon_deg,
        demand_lat_deg=points.lat_deg,
        demand_lon_deg=points.lon_deg,
        demand_weight=points.weight,
        speed_m_s=plan.speed_m_s,
        detour_factor=plan.detour_factor,
        threshold_s=plan.minutes * 60.0,
    )


def _recommend(
    plan: PlanInput,
    loaded: LoadedNetwork | None,
    graph: ModeGraph | None,
    demand: DemandPoints,
    uniform: DemandPoints | None,
    coverage: CoverageResult,
    progress: Progress,
) -> dict[str, Any]:
    """Choose ``plan.new_sites`` sites; candidates come from the uniform points for
    ``cells`` (when there are any) and from the demand points for ``demand_points``.
    """
    site_points = (
        uniform if plan.candidate_source == "cells" and uniform is not None else demand
    )
    sites = _candidates(site_points, plan.candidate_source)
    if loaded is not None and graph is not None:
        on_network = _on_network(loaded, graph, demand, demand is uniform)
        site_on = _on_network(loaded, graph, site_points, site_points is uniform)
        site_node = site_on.node[sites]
        site_node = np.unique(site_node[site_node >= 0])  # one candidate per node
        if plan.new_sites > site_node.size:
            raise TooManySitesError(k=plan.new_sites, candidates=int(site_node.size))
        site_lat = loaded.network.lat_deg[site_node].astype(np.float64)
        site_lon = loaded.network.lon_deg[site_node].astype(np.float64)
        problem = _network_problem(
            loaded, graph, on_network, demand.weight, site_node, plan, coverage.covered
        )
    else:
        if plan.new_sites > sites.size:
            raise TooManySitesError(k=plan.new_sites, candidates=int(sites.size))
        site_lat = site_points.lat_deg[sites]
        site_lon = site_points.lon_deg[sites]
        problem = _straight_line_problem(
            demand, site_lat, site_lon, plan, coverage.covered
        )
    candidate_count = int(site_lat.size)
    progress("siting", 70)
    solution, answers = _solve(problem, plan)
    total = coverage.total_weight
    return {
        "new_sites": plan.new_sites,
        "candidate_count": candidate_count,
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
        "sites": [
            {
                "lat_deg": float(site_lat[site]),
                "lon_deg": float(site_lon[site]),
                "added_weight": round(added, 6),
            }
            for site, added in _added_weight_in_order(problem, solution.sites)
        ],
        # Both answers computed (heuristic, then HiGHS); the fields above are the
        # better of them with the tighter bound.
        "answers": [_answer_row(answer) for answer in answers],
    }


def compute_plan(
    plan: PlanInput, loaded: LoadedNetwork | None, progress: Progress
) -> dict[str, Any]:
    """Return coverage now, uncovered demand by cell and the ``new_sites`` best sites.

    Layer points off the network count as not covered and are reported
    (``demand.off_network_points``). A what-if scenario changes the stations first;
    uniform demand without a network stays the grid around the stations in service,
    so a scenario's figures compare with a plan of the same settings. Raises ``NoDemandError`` when uniform demand has
    neither a network nor a station to spread over, and ``TooManySitesError`` when more
    sites are asked for than there are candidates.
    """
    started = time.perf_counter()
    progress("coverage", 20)
    graph = loaded.graph(plan.mode) if loaded is not None else None
    uniform: DemandPoints | None = None
    if loaded is not None:
        uniform = network_demand(loaded.network)
    elif plan.layer_points is None or plan.station_lat_deg.size > 0:
        uniform = grid_demand(plan)
    in_service = plan
    plan = apply_scenario(plan)
    demand = plan.layer_points if plan.layer_points is not None else uniform
    assert demand is not None  # noqa: S101  # grid_demand raises rather than give none
    coverage = _coverage(plan, loaded, graph, demand)
    area, area_coverage = demand, coverage
    if uniform is not None and demand is not uniform:
        area, area_coverage = uniform, _coverage(plan, loaded, graph, uniform)
    cells = uncovered_demand_by_cell(
        demand.lat_deg,
        demand.lon_deg,
        demand.weight,
        coverage.covered,
        resolution=MAP_CELL_RESOLUTION,
    )
    off_network = coverage.off_network
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
            "off_network_points": int(off_network.sum()),
            "off_network_weight": round(float(demand.weight[off_network].sum()), 6),
        },
        "stations": _station_rows(plan, demand, coverage, area, area_coverage),
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
        "scenario": None
        if plan is in_service
        else {
            "removed_station_ids": sorted(
                set(in_service.station_id.tolist()) - set(plan.station_id.tolist())
            ),
            "added_positions": [list(position) for position in plan.added_positions],
        },
    }
    if plan.new_sites > 0:
        progress("candidates", 40)
        result["recommendation"] = _recommend(
            plan, loaded, graph, demand, uniform, coverage, progress
        )
    result["elapsed_s"] = round(time.perf_counter() - started, 3)
    return result
