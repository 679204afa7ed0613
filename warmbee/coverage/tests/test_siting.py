from itertools import combinations

import numpy as np
import pytest
import scipy.sparse
from scipy.optimize import OptimizeResult

from warmbee.coverage.engine import siting
from warmbee.coverage.engine.errors import InvalidInputError
from warmbee.coverage.engine.siting import (
    SitingProblem,
    SolveStatus,
    max_covering_lp_bound,
    set_covering_lp_bound,
    solve_max_covering_milp,
    solve_set_covering,
)
from warmbee.coverage.engine.travel import ReachSets

# Sites A, B, C (columns) over six demand points of weight 1: greedy takes A first.
SWAP_CASE = np.array(
    [[1, 1, 0], [1, 1, 0], [1, 0, 1], [1, 0, 1], [0, 1, 0], [0, 0, 1]], dtype=bool
)


def _brute_force_max_covering(problem, k):
    return max(
        problem.covered_weight(list(sites))
        for size in range(min(k, problem.site_count) + 1)
        for sites in combinations(range(problem.site_count), size)
    )


def _brute_force_set_covering(problem):
    rows = problem.eligible_rows()
    for size in range(problem.site_count + 1):
        for sites in combinations(range(problem.site_count), size):
            if np.all(problem.coverage[rows][:, list(sites)].sum(axis=1) > 0):
                return size
    raise AssertionError("unreachable")


def _random_problem(seed):
    rng = np.random.default_rng(seed)
    coverage = rng.random((14, 7)) < 0.3
    weight = rng.integers(0, 10, 14)
    already = rng.random(14) < 0.2
    return SitingProblem.from_coverage(coverage, weight, already_covered=already)


def test_max_covering_finds_the_pair_greedy_misses():
    problem = SitingProblem.from_coverage(SWAP_CASE, np.ones(6))

    solution = solve_max_covering_milp(problem, 2)

    assert solution.sites.tolist() == [1, 2]
    assert (solution.objective, solution.bound, solution.gap) == (6.0, 6.0, 0.0)
    assert solution.status is SolveStatus.OPTIMAL
    assert solution.is_proven_optimal


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("k", [1, 2, 3])
def test_max_covering_equals_brute_force(seed, k):
    problem = _random_problem(seed)

    solution = solve_max_covering_milp(problem, k)

    assert solution.status is SolveStatus.OPTIMAL
    assert len(solution.sites) <= k
    assert solution.objective == _brute_force_max_covering(problem, k)
    assert max_covering_lp_bound(problem, k) >= solution.objective - 1e-9


@pytest.mark.parametrize("seed", range(12))
def test_set_covering_equals_brute_force(seed):
    problem = _random_problem(seed)

    solution = solve_set_covering(problem)

    assert solution.status is SolveStatus.OPTIMAL
    assert solution.objective == _brute_force_set_covering(problem)
    assert problem.covered_weight(solution.sites) == problem.covered_weight(
        range(problem.site_count)
    )
    assert set_covering_lp_bound(problem) <= solution.objective


def test_new_sites_get_no_credit_for_demand_already_covered():
    problem = SitingProblem.from_coverage(
        SWAP_CASE, np.ones(6), already_covered=[True, True, True, True, False, False]
    )

    solution = solve_max_covering_milp(problem, 1)

    assert solution.objective == 1.0
    assert solution.sites.tolist() in ([1], [2])


def test_set_covering_reports_demand_no_site_can_cover():
    coverage = np.array([[1, 0], [0, 1], [0, 0]], dtype=bool)
    problem = SitingProblem.from_coverage(coverage, [1.0, 2.0, 4.0])

    solution = solve_set_covering(problem)

    assert solution.sites.tolist() == [0, 1]
    assert solution.uncoverable_weight == 4.0


def test_nothing_to_cover_needs_no_site():
    problem = SitingProblem.from_coverage(np.zeros((3, 2), dtype=bool), [1.0, 1.0, 1.0])

    assert solve_max_covering_milp(problem, 2).sites.tolist() == []
    assert solve_set_covering(problem).objective == 0.0


def test_a_solver_stopped_by_its_time_limit_is_never_called_optimal():
    problem = SitingProblem.from_coverage(
        np.random.default_rng(0).random((400, 120)) < 0.05,
        np.random.default_rng(1).integers(1, 10, 400),
    )

    solution = solve_max_covering_milp(problem, 10, time_limit_s=1e-3)

    assert solution.status in (SolveStatus.TIME_LIMIT, SolveStatus.NO_SOLUTION)
    assert not solution.is_proven_optimal


def test_a_time_limited_answer_reports_the_solvers_bound_and_gap():
    result = OptimizeResult(
        status=siting.MILP_LIMIT_REACHED,
        x=np.array([1.0, 0.0, 0.0]),
        mip_dual_bound=-8.0,
    )
    problem = SitingProblem.from_coverage(SWAP_CASE, np.ones(6))

    solution = siting._from_milp(
        result,
        sites_of=lambda x: np.flatnonzero(x > 0.5),
        objective_of=problem.covered_weight,
        bound_of=lambda dual_bound: -dual_bound,
        started=0.0,
    )

    assert solution.status is SolveStatus.TIME_LIMIT
    assert (solution.objective, solution.bound, solution.gap) == (4.0, 8.0, 0.5)


def test_builds_the_problem_from_travel_times():
    times = np.array([[100.0, np.inf], [900.0, 901.0]])

    problem = SitingProblem.from_travel_times(times, [1.0, 1.0], threshold_s=900.0)

    assert problem.coverage.toarray().tolist() == [[True, False], [True, False]]


def test_builds_the_problem_from_reach_sets_with_access_times():
    # Site 0 reaches nodes 0 (0 s) and 1 (800 s); site 1 reaches node 2 (0 s).
    reach = ReachSets(
        indptr=np.array([0, 2, 3]),
        node=np.array([0, 1, 2]),
        travel_time_s=np.array([0.0, 800.0, 0.0]),
        node_count=3,
    )

    problem = SitingProblem.from_reach_sets(
        reach,
        demand_node=[1, 1, 2, -1, 0],
        demand_weight=[1, 1, 1, 1, 1],
        demand_access_time_s=[100.0, 101.0, 0.0, 0.0, 0.0],
        threshold_s=900.0,
    )

    assert problem.coverage.toarray().astype(int).tolist() == [
        [1, 0],
        [0, 0],
        [0, 1],
        [0, 0],
        [1, 0],
    ]


def test_refuses_mismatched_demand():
    with pytest.raises(InvalidInputError):
        SitingProblem.from_coverage(SWAP_CASE, np.ones(5))
    with pytest.raises(InvalidInputError):
        SitingProblem.from_coverage(SWAP_CASE, -np.ones(6))
    with pytest.raises(InvalidInputError):
        solve_max_covering_milp(SitingProblem.from_coverage(SWAP_CASE, np.ones(6)), -1)


def test_accepts_a_sparse_coverage_matrix():
    problem = SitingProblem.from_coverage(scipy.sparse.csr_array(SWAP_CASE), np.ones(6))

    assert solve_max_covering_milp(problem, 2).objective == 6.0


def _answer(objective, bound, status, method):
    return siting.SitingSolution(
        np.arange(2, dtype=np.int64),
        objective,
        bound,
        siting.relative_gap(objective, bound),
        status,
        method,
        1.0,
    )


def test_the_better_answer_is_kept_with_the_tighter_bound():
    stopped = _answer(50.0, 120.0, SolveStatus.TIME_LIMIT, "milp")
    heuristic = _answer(95.0, 100.0, SolveStatus.HEURISTIC, "greedy_swap")

    best = siting.best_max_covering_answer(heuristic, stopped)

    assert (best.objective, best.bound) == (95.0, 100.0)
    assert best.gap == pytest.approx(0.05)
    assert (best.status, best.method) == (SolveStatus.HEURISTIC, "greedy_swap")
    assert best.solve_time_s == 2.0


def test_an_answer_meeting_the_other_answers_bound_is_proven_optimal():
    stopped = _answer(90.0, 100.0, SolveStatus.TIME_LIMIT, "milp")
    heuristic = _answer(100.0, 104.0, SolveStatus.HEURISTIC, "greedy_swap")

    best = siting.best_max_covering_answer(heuristic, stopped)

    assert (best.objective, best.bound, best.gap) == (100.0, 100.0, 0.0)
    assert (best.status, best.method) == (SolveStatus.OPTIMAL, "greedy_swap")


def test_a_stopped_solver_keeps_its_own_label_when_it_is_better():
    stopped = _answer(99.0, 101.0, SolveStatus.TIME_LIMIT, "milp")
    heuristic = _answer(97.0, 100.0, SolveStatus.HEURISTIC, "greedy_swap")

    best = siting.best_max_covering_answer(heuristic, stopped)

    assert (best.objective, best.bound, best.status) == (
        99.0,
        100.0,
        SolveStatus.TIME_LIMIT,
    )


def test_equal_answers_prefer_the_proven_one_and_no_solution_is_ignored():
    exact = _answer(100.0, 100.0, SolveStatus.OPTIMAL, "milp")
    heuristic = _answer(100.0, 100.0, SolveStatus.HEURISTIC, "greedy_swap")
    nothing = _answer(np.nan, np.nan, SolveStatus.NO_SOLUTION, "milp")

    assert siting.best_max_covering_answer(heuristic, exact).method == "milp"
    best = siting.best_max_covering_answer(heuristic, nothing)
    assert (best.method, best.objective, best.bound) == ("greedy_swap", 100.0, 100.0)
    assert best.status is SolveStatus.OPTIMAL  # its own bound proves it
