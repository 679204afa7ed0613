from itertools import combinations

import numpy as np
import pytest

from warmbee.coverage.engine import heuristics, siting_kernels
from warmbee.coverage.engine.heuristics import greedy_max_covering, greedy_set_covering
from warmbee.coverage.engine.siting import (
    SitingProblem,
    SolveStatus,
    relative_gap,
    solve_max_covering_milp,
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
    exact = solve_max_covering_milp(problem, 4)

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


def _brute_force_max_covering(problem, k):
    return max(
        problem.covered_weight(list(sites))
        for size in range(min(k, problem.site_count) + 1)
        for sites in combinations(range(problem.site_count), size)
    )


def _tiny_problem(seed):
    rng = np.random.default_rng(seed)
    coverage = rng.random((16, 8)) < 0.3
    weight = rng.random(16) * 10
    already = rng.random(16) < 0.15
    return SitingProblem.from_coverage(coverage, weight, already_covered=already)


@pytest.mark.parametrize("seed", range(30))
@pytest.mark.parametrize("k", [1, 2, 3, 4])
def test_the_what_if_answer_is_within_one_percent_of_brute_force(seed, k):
    problem = _tiny_problem(seed)

    solution = greedy_max_covering(problem, k)

    optimum = _brute_force_max_covering(problem, k)
    assert len(set(solution.sites.tolist())) == len(solution.sites) <= k
    assert solution.objective == problem.covered_weight(solution.sites)
    assert solution.objective >= 0.99 * optimum
    assert solution.bound >= optimum - 1e-9
    assert solution.gap == pytest.approx(
        relative_gap(solution.objective, solution.bound)
    )


def _medium_problem(seed):
    # Sites near each other cover overlapping runs of demand, as on a street network.
    rng = np.random.default_rng(seed)
    n_demand, n_sites = 150, 40
    demand_at = rng.random(n_demand)
    site_at = rng.random(n_sites)
    radius = rng.uniform(0.03, 0.08, n_sites)
    coverage = np.abs(demand_at[:, None] - site_at[None, :]) <= radius[None, :]
    coverage &= rng.random((n_demand, n_sites)) < 0.9
    return SitingProblem.from_coverage(
        coverage, rng.integers(1, 20, n_demand), already_covered=rng.random(150) < 0.1
    )


@pytest.mark.parametrize("seed", range(15))
@pytest.mark.parametrize("k", [3, 6, 10])
def test_the_bound_is_never_below_the_proven_optimum(seed, k):
    problem = _medium_problem(seed)

    heuristic = greedy_max_covering(problem, k)
    exact = solve_max_covering_milp(problem, k)

    assert exact.is_proven_optimal
    assert heuristic.objective <= exact.objective
    assert heuristic.bound >= exact.objective - 1e-9 * exact.objective
    assert heuristic.objective >= 0.99 * exact.objective


@pytest.mark.parametrize("seed", range(10))
def test_the_lagrangian_value_bounds_the_optimum_for_any_prices(seed):
    rng = np.random.default_rng(seed)
    problem = _medium_problem(seed)
    merged = heuristics._merge_eligible_rows(problem)
    exact = solve_max_covering_milp(problem, 5)

    for _ in range(5):
        price = merged.weight * rng.random(merged.weight.size) ** 3
        value = siting_kernels.lagrangian_value(
            merged.site_ptr, merged.site_rows, merged.weight, price, 5
        )
        assert value >= exact.objective - 1e-9 * exact.objective


@pytest.mark.parametrize("seed", range(10))
def test_merged_rows_keep_every_sites_covered_weight(seed):
    rng = np.random.default_rng(seed)
    problem = _medium_problem(seed)

    merged = heuristics._merge_eligible_rows(problem)

    assert merged.weight.size <= problem.eligible_rows().size
    assert merged.weight.sum() == pytest.approx(
        problem.demand_weight[problem.eligible_rows()].sum()
    )
    for _ in range(10):
        sites = np.sort(rng.choice(problem.site_count, 4, replace=False))
        assert merged.covered(sites) == pytest.approx(problem.covered_weight(sites))


# Greedy and one-swap stop at 17 here (found by a search of random instances); the
# optimum, sites 0 and 3, covers 20.
SWAP_TRAP = np.array(
    [
        [0, 0, 0, 1, 0],
        [1, 0, 1, 0, 0],
        [1, 0, 1, 0, 0],
        [0, 1, 1, 1, 0],
        [0, 1, 0, 1, 0],
        [0, 0, 0, 0, 0],
        [1, 1, 0, 0, 1],
        [0, 0, 0, 0, 0],
        [1, 0, 1, 1, 0],
    ],
    dtype=bool,
)
SWAP_TRAP_WEIGHT = np.array([3.0, 1.0, 3.0, 4.0, 1.0, 1.0, 3.0, 3.0, 5.0])


def test_the_lagrangian_iterates_lead_out_of_a_swap_local_optimum():
    problem = SitingProblem.from_coverage(SWAP_TRAP, SWAP_TRAP_WEIGHT)
    merged = heuristics._merge_eligible_rows(problem)
    greedy = siting_kernels.greedy_sites(
        merged.site_ptr,
        merged.site_rows,
        merged.row_ptr,
        merged.row_sites,
        merged.weight,
        2,
    )
    local_optimum = heuristics._swapped(merged, greedy, 1e-9)

    solution = greedy_max_covering(problem, 2)

    assert problem.covered_weight(local_optimum) == 17.0
    assert solution.sites.tolist() == [0, 3]
    assert (solution.objective, solution.bound, solution.gap) == (20.0, 20.0, 0.0)


def test_no_sites_asked_or_nothing_to_cover_gives_an_empty_answer():
    problem = SitingProblem.from_coverage(SWAP_CASE, np.ones(6))
    covered = SitingProblem.from_coverage(
        SWAP_CASE, np.ones(6), already_covered=np.ones(6, dtype=bool)
    )

    for solution in (greedy_max_covering(problem, 0), greedy_max_covering(covered, 2)):
        assert (solution.objective, solution.bound, solution.gap) == (0.0, 0.0, 0.0)
        assert solution.sites.size == 0


def test_more_sites_than_candidates_takes_all_that_help():
    problem = SitingProblem.from_coverage(SWAP_CASE, np.ones(6))

    solution = greedy_max_covering(problem, 5)

    assert solution.objective == solution.bound == 6.0
    assert len(solution.sites) <= 3


def test_swap_search_kernel_ends_where_no_single_swap_helps():
    rng = np.random.default_rng(11)
    problem = _medium_problem(11)
    merged = heuristics._merge_eligible_rows(problem)
    chosen = rng.choice(problem.site_count, 6, replace=False).astype(np.int64)

    siting_kernels.swap_search(
        merged.site_ptr,
        merged.site_rows,
        merged.row_ptr,
        merged.row_sites,
        merged.weight,
        chosen,
        1_000,
        1e-9,
    )

    value = merged.covered(chosen)
    for position in range(6):
        for other in set(range(problem.site_count)) - set(chosen.tolist()):
            swapped = chosen.copy()
            swapped[position] = other
            assert merged.covered(swapped) <= value + 1e-9
