import numpy as np
import pytest

from warmbee.coverage.engine.heuristics import greedy_max_covering, greedy_set_covering
from warmbee.coverage.engine.siting import (
    SitingProblem,
    SolveStatus,
    solve_max_covering,
    solve_set_covering,
)
from warmbee.coverage.tests.test_siting import SWAP_CASE


def test_greedy_alone_takes_the_largest_site_first():
    problem = SitingProblem.from_coverage(SWAP_CASE, np.ones(6))

    solution = greedy_max_covering(problem, 2, local_search=False)

    assert solution.sites.tolist() == [0, 1]
    assert (solution.objective, solution.bound) == (5.0, 6.0)
    assert solution.gap == pytest.approx(1 / 6)
    assert (solution.status, solution.method) == (SolveStatus.HEURISTIC, "greedy")


def test_one_swap_local_search_reaches_the_optimum():
    problem = SitingProblem.from_coverage(SWAP_CASE, np.ones(6))

    solution = greedy_max_covering(problem, 2)

    assert solution.sites.tolist() == [1, 2]
    assert (solution.objective, solution.bound, solution.gap) == (6.0, 6.0, 0.0)
    assert solution.method == "greedy_swap"
    assert not solution.is_proven_optimal


@pytest.mark.parametrize("seed", range(10))
def test_greedy_swap_stays_within_its_bound_of_the_optimum(seed):
    rng = np.random.default_rng(seed)
    problem = SitingProblem.from_coverage(
        rng.random((60, 15)) < 0.15, rng.integers(1, 10, 60)
    )

    heuristic = greedy_max_covering(problem, 4)
    exact = solve_max_covering(problem, 4)

    assert len(heuristic.sites) <= 4
    assert heuristic.objective == problem.covered_weight(heuristic.sites)
    assert heuristic.objective <= exact.objective
    assert heuristic.bound >= exact.objective - 1e-9
    assert heuristic.gap == pytest.approx(
        (heuristic.bound - heuristic.objective) / heuristic.bound
    )


def test_no_single_swap_improves_the_local_search_answer():
    rng = np.random.default_rng(3)
    problem = SitingProblem.from_coverage(
        rng.random((80, 12)) < 0.2, rng.integers(1, 10, 80)
    )

    sites = greedy_max_covering(problem, 3).sites.tolist()

    value = problem.covered_weight(sites)
    for position in range(3):
        for other in set(range(12)) - set(sites):
            swapped = [*sites[:position], other, *sites[position + 1 :]]
            assert problem.covered_weight(swapped) <= value


@pytest.mark.parametrize("seed", range(10))
def test_greedy_set_covering_covers_all_coverable_demand(seed):
    rng = np.random.default_rng(seed)
    problem = SitingProblem.from_coverage(
        rng.random((40, 12)) < 0.2, rng.integers(0, 5, 40)
    )

    heuristic = greedy_set_covering(problem)
    exact = solve_set_covering(problem)

    assert problem.covered_weight(heuristic.sites) == problem.covered_weight(range(12))
    assert heuristic.objective >= exact.objective
    assert heuristic.bound <= exact.objective
    assert heuristic.uncoverable_weight == exact.uncoverable_weight


def test_greedy_set_covering_drops_sites_made_redundant():
    # Greedy takes site 0 (three rows), then needs 1 and 2, which make 0 redundant.
    coverage = np.array(
        [[1, 1, 0], [1, 0, 1], [1, 0, 1], [0, 1, 0], [0, 0, 1]], dtype=bool
    )

    solution = greedy_set_covering(SitingProblem.from_coverage(coverage, np.ones(5)))

    assert solution.sites.tolist() == [1, 2]
