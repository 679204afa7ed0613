"""The whole coverage pipeline on a county-sized extract, timed in a process of its own.

``write_county_extract`` writes a perturbed street grid of about 100,000 nodes over about
2,000 km² (Yangqu County's size) as an ``.osm.pbf`` (``synthetic.write_grid_extract``,
osmium's SimpleWriter): streets run along the grid rows and columns as ways, broken where
a segment is missing, every tenth row and column a secondary road. ``python -m
bench.coverage_pipeline FILE`` then imports it, computes the coverage of 50 stations and
recommends 10 new sites among the 2,000 candidates with the engine steps
``planning.compute_plan`` takes, and prints the stage times as JSON. ``coverage_engine``
runs it pinned to one core (``taskset -c 0`` where available, and one thread for
OpenMP, BLAS and numba).
"""

import json
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from warmbee.coverage.engine.network import RoadNetwork

SIDE = 317  # 317 x 317 = 100,489 grid nodes before missing streets and components
SPACING_M = 140.0  # 44 km across: about 2,000 km²
STATIONS = 50
NEW_SITES = 10
# The product's default COVERAGE_SOLVER_TIME_LIMIT_S.
SOLVER_TIME_LIMIT_S = 30.0
CANDIDATES = 2_000
MINUTES = 15
SEED = 20260310


def write_county_extract(path: Path) -> int:
    """Write the synthetic county extract to ``path``; return its number of nodes."""
    from warmbee.coverage.engine.synthetic import write_grid_extract

    return write_grid_extract(
        path,
        rows=SIDE,
        columns=SIDE,
        spacing_m=SPACING_M,
        rng=np.random.default_rng(SEED),
        origin_lat_deg=37.75,
        origin_lon_deg=112.35,
    )


def run_pipeline(path: Path) -> dict[str, float]:
    """Import, coverage and a k = 10 recommendation; return stage times and figures.

    The steps of ``planning.compute_plan`` on a network (demand on the roads, coverage of
    the stations, reach sets of the candidates, siting), with 2,000 candidate nodes drawn
    at random: the product's H3 candidates come to 553 cells on this extract. The
    recommendation is the product's: the heuristic, its Lagrangian bound and HiGHS on the
    sites the bound leaves open (``max_covering.solve_max_covering_in_steps``).
    """
    from warmbee.coverage.engine.demand import network_coverage
    from warmbee.coverage.engine.max_covering import solve_max_covering_in_steps
    from warmbee.coverage.engine.network import TravelMode, default_speed_profile
    from warmbee.coverage.engine.osm_import import import_osm_network
    from warmbee.coverage.engine.siting import SitingProblem
    from warmbee.coverage.engine.snapping import NodeSnapper
    from warmbee.coverage.engine.travel import reach_sets

    threshold_s = MINUTES * 60.0
    times: dict[str, float] = {}
    started = last = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal last
        now = time.perf_counter()
        times[f"{name}_s"] = now - last
        last = now

    network = import_osm_network(path)
    lap("import")
    snapper = NodeSnapper(network.lat_deg, network.lon_deg)
    graph = network.mode_graph(default_speed_profile(TravelMode.EBIKE))
    demand_weight = _road_km_per_node(network)
    rng = np.random.default_rng(SEED)
    stations = rng.choice(network.node_count, STATIONS, replace=False)
    coverage = network_coverage(
        graph,
        snapper,
        station_lat_deg=network.lat_deg[stations],
        station_lon_deg=network.lon_deg[stations],
        demand_lat_deg=network.lat_deg,
        demand_lon_deg=network.lon_deg,
        demand_weight=demand_weight,
        threshold_s=threshold_s,
    )
    lap("coverage")
    candidates = rng.choice(network.node_count, CANDIDATES, replace=False)
    reach = reach_sets(graph, candidates, limit_s=threshold_s, snapper=snapper)
    problem = SitingProblem.from_reach_sets(
        reach,
        np.arange(network.node_count, dtype=np.int64),
        demand_weight,
        threshold_s=threshold_s,
        already_covered=coverage.covered,
    )
    lap("reach_sets")
    answers = solve_max_covering_in_steps(
        problem, NEW_SITES, time_limit_s=SOLVER_TIME_LIMIT_S
    )
    solution = answers.best
    lap("recommendation")
    return {
        "nodes": float(network.node_count),
        "edges": float(network.edge_count),
        "candidates": float(CANDIDATES),
        "coverage_pairs": float(problem.coverage.nnz),
        "covered_share": coverage.covered_share,
        "added_weight": solution.objective,
        "bound": solution.bound,
        "gap_to_bound": solution.gap,
        "proven_optimal": float(solution.is_proven_optimal),
        "solver_candidates": float(answers.solver_site_count),
        **times,
        "total_s": time.perf_counter() - started,
    }


def _road_km_per_node(network: "RoadNetwork") -> "np.ndarray[Any, Any]":
    """Demand "uniform" as the product spreads it: half of each road at each end node."""
    tails = network.tails()
    heads = network.indices.astype(np.int64)
    low, high = np.minimum(tails, heads), np.maximum(tails, heads)
    _, first = np.unique(low * network.node_count + high, return_index=True)
    half_km = network.length_m[first].astype(np.float64) / 2000.0
    return np.bincount(low[first], half_km, minlength=network.node_count) + np.bincount(
        high[first], half_km, minlength=network.node_count
    )


if __name__ == "__main__":
    print(json.dumps(run_pipeline(Path(sys.argv[1]))))
