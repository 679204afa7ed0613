"""The compiled searches (engine/kernels.py) against scipy, and the exact model reductions."""

import numpy as np
import pytest
import scipy.sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from warmbee.coverage.engine import kernels, travel
from warmbee.coverage.engine.network import (
    ALL_MODES_BITS,
    ROAD_CLASS_CODE,
    RoadNetwork,
    TravelMode,
    default_speed_profile,
)
from warmbee.coverage.engine.siting import (
    SitingProblem,
    max_covering_lp_bound,
    max_covering_model,
    merge_identical_rows,
    solve_max_covering_milp,
)
from warmbee.coverage.engine.travel import nearest_station, reach_sets

WALK = default_speed_profile(TravelMode.WALK)


def random_network(seed: int, nodes: int = 300, edges: int = 900) -> RoadNetwork:
    """A random directed network: one-way and two-way segments, some very short."""
    rng = np.random.default_rng(seed)
    tail = rng.integers(0, nodes, edges)
    head = rng.integers(0, nodes, edges)
    length = rng.uniform(0.0, 400.0, edges)
    length[rng.random(edges) < 0.05] = 0.0  # zero-length segments: the 1 ms minimum
    return RoadNetwork.from_edges(
        lat_deg=rng.uniform(37.9, 38.0, nodes),
        lon_deg=rng.uniform(112.5, 112.6, nodes),
        tail=tail,
        head=head,
        length_m=length,
        road_class=np.full(edges, ROAD_CLASS_CODE["residential"], dtype=np.uint8),
        mode_access=np.full(edges, ALL_MODES_BITS, dtype=np.uint8),
    )


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("limit_s", [60.0, 300.0, np.inf])
def test_compiled_nearest_station_equals_scipy_on_random_graphs(seed, limit_s):
    graph = random_network(seed).mode_graph(WALK)
    stations = np.random.default_rng(seed).integers(0, graph.node_count, 7)

    compiled = nearest_station(graph, stations, limit_s=limit_s, method="compiled")
    reference = nearest_station(graph, stations, limit_s=limit_s, method="scipy")

    assert np.array_equal(compiled.travel_time_s, reference.travel_time_s)
    assert np.array_equal(compiled.station, reference.station)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("limit_s", [60.0, 300.0, np.inf])
def test_compiled_reach_sets_equal_scipy_dense_on_random_graphs(seed, limit_s):
    graph = random_network(seed).mode_graph(WALK)
    sites = np.random.default_rng(seed + 100).integers(0, graph.node_count, 40)

    compiled = reach_sets(graph, sites, limit_s=limit_s, method="compiled")
    dense = reach_sets(graph, sites, limit_s=limit_s, method="dense")

    assert np.array_equal(compiled.indptr, dense.indptr)
    assert np.array_equal(compiled.node, dense.node)
    assert np.array_equal(compiled.travel_time_s, dense.travel_time_s)


def test_compiled_searches_retry_when_their_buffers_fill(monkeypatch):
    graph = random_network(7, nodes=400, edges=1600).mode_graph(WALK)
    sites = np.arange(0, 400, 3)
    expected = reach_sets(graph, sites, limit_s=600.0, method="dense")
    monkeypatch.setattr(travel, "COMPILED_OUTPUT_PAIRS", 1)
    calls = []
    original = kernels.reach_into

    def small_queue(*args):
        arguments = list(args)
        arguments[9] = min(arguments[9], 4)  # entry_capacity
        calls.append(1)
        return original(*arguments) if len(calls) == 1 else original(*args)

    monkeypatch.setattr(kernels, "reach_into", small_queue)

    reach = reach_sets(graph, sites, limit_s=600.0, method="compiled")

    assert len(calls) > 2  # a full queue, then full outputs
    assert np.array_equal(reach.indptr, expected.indptr)
    assert np.array_equal(reach.node, expected.node)
    assert np.array_equal(reach.travel_time_s, expected.travel_time_s)


def test_kernel_reports_a_full_queue_and_leaves_distances_unset():
    graph = random_network(3).mode_graph(WALK)
    indptr, indices, weight = travel._reverse_arrays(graph)
    width, n_buckets = kernels.bucket_layout(weight)
    distance = np.full(graph.node_count, np.inf)
    count = np.zeros(5, dtype=np.int64)

    done, pairs, status = kernels.reach_into(
        indptr,
        indices,
        weight,
        np.arange(5, dtype=np.int64),
        np.inf,
        width,
        n_buckets,
        distance,
        np.empty(graph.node_count, dtype=np.int64),
        1,
        count,
        np.empty(graph.node_count * 5, dtype=np.int64),
        np.empty(graph.node_count * 5),
    )

    assert (done, pairs, status) == (0, 0, kernels.ENTRIES_FULL)
    assert np.isinf(distance).all()


def test_bucket_layout_is_a_power_of_two_spanning_the_longest_edge():
    weight = np.array([0.001, 0.001, 5.0, 20.0, 300.0])

    width, n_buckets = kernels.bucket_layout(weight)

    assert n_buckets & (n_buckets - 1) == 0
    assert (n_buckets - 2) * width >= 300.0
    assert n_buckets <= 2 * (kernels.MAX_BUCKETS + 3)


@pytest.mark.parametrize("mode", [TravelMode.WALK, TravelMode.CAR])
def test_compiled_searches_equal_scipy_on_helsinki(helsinki_network, mode):
    graph = helsinki_network.mode_graph(default_speed_profile(mode))
    rng = np.random.default_rng(11)
    stations = rng.choice(graph.node_count, 20, replace=False)
    sites = rng.choice(graph.node_count, 60, replace=False)

    compiled = nearest_station(graph, stations, limit_s=900.0, method="compiled")
    reference = nearest_station(graph, stations, limit_s=900.0, method="scipy")
    reach = reach_sets(graph, sites, limit_s=600.0, method="compiled")
    dense = reach_sets(graph, sites, limit_s=600.0, method="dense")

    assert np.array_equal(compiled.travel_time_s, reference.travel_time_s)
    # Only a node exactly as far from two stations may name another one of them.
    differ = compiled.station != reference.station
    assert differ.sum() <= 0.001 * graph.node_count
    assert np.array_equal(reach.indptr, dense.indptr)
    assert np.array_equal(reach.node, dense.node)
    assert np.array_equal(reach.travel_time_s, dense.travel_time_s)


def test_merge_identical_rows_groups_exactly_the_equal_rows():
    matrix = scipy.sparse.csr_array(
        np.array(
            [[1, 0, 1], [0, 1, 0], [1, 0, 1], [0, 0, 0], [0, 1, 0], [1, 1, 1]],
            dtype=bool,
        )
    )

    merged, group = merge_identical_rows(matrix)

    assert group.tolist() == [0, 1, 0, 2, 1, 3]
    assert merged.toarray().astype(int).tolist() == [
        [1, 0, 1],
        [0, 1, 0],
        [0, 0, 0],
        [1, 1, 1],
    ]


def _plain_lp_value(problem: SitingProblem, k: int) -> float:
    """The LP relaxation without merged rows, solved by the simplex."""
    rows = problem.eligible_rows()
    cover = problem.coverage[rows].astype(np.float64)
    n_sites, n_rows = problem.site_count, rows.size
    c = np.concatenate((np.zeros(n_sites), -problem.demand_weight[rows]))
    link = scipy.sparse.hstack((-cover, scipy.sparse.eye_array(n_rows)))
    budget = scipy.sparse.hstack(
        (np.ones((1, n_sites)), scipy.sparse.csr_array((1, n_rows)))
    )
    matrix = scipy.sparse.vstack((link, budget)).tocsr()
    upper = np.concatenate((np.zeros(n_rows), [float(k)]))
    result = milp(
        c, bounds=Bounds(0.0, 1.0), constraints=LinearConstraint(matrix, -np.inf, upper)
    )
    return float(-result.fun)


@pytest.mark.parametrize("seed", range(4))
def test_lp_bound_through_the_interior_point_equals_the_plain_lp(seed, monkeypatch):
    from warmbee.coverage.engine import siting

    rng = np.random.default_rng(seed)
    coverage = rng.random((300, 40)) < 0.08
    coverage[:100] = coverage[rng.integers(0, 100, 100)]  # repeated rows to merge
    problem = SitingProblem.from_coverage(coverage, rng.integers(1, 9, 300))
    plain = _plain_lp_value(problem, 4)
    monkeypatch.setattr(siting, "INTERIOR_POINT_FROM_NONZEROS", 0)

    bound = max_covering_lp_bound(problem, 4)
    exact = solve_max_covering_milp(problem, 4)

    assert bound == pytest.approx(plain, rel=1e-6)
    assert bound >= exact.objective - 1e-9
    assert max_covering_model(problem, 4)[1].shape[0] < 300 + 1
