from itertools import combinations

import numpy as np
import pytest

from warmbee.coverage.engine import max_covering
from warmbee.coverage.engine.errors import InvalidInputError
from warmbee.coverage.engine.heuristics import search_max_covering
from warmbee.coverage.engine.max_covering import (
    solve_max_covering,
    solve_max_covering_in_steps,
)
from warmbee.coverage.engine.siting import (
    SitingProblem,
    SolveStatus,
    solve_max_covering_milp,
)
from warmbee.coverage.tests.test_heuristics import _medium_problem
from warmbee.coverage.tests.test_siting import SWAP_CASE, _random_problem


def _optimal_choices(problem, k):
    """Every choice of at most k sites covering the most, by brute force."""
    choices = [
        sites
        for size in range(min(k, problem.site_count) + 1)
        for sites in combinations(range(problem.site_count), size)
    ]
    value = {sites: problem.covered_weight(list(sites)) for sites in choices}
    best = max(value.values())
    return best, [sites for sites in choices if value[sites] == best]


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("k", [1, 2, 3])
def test_equals_brute_force_and_is_proven(seed, k):
    problem = _random_problem(seed)
    best, _ = _optimal_choices(problem, k)

    solution = solve_max_covering(problem, k)

    assert solution.status is SolveStatus.OPTIMAL
    assert len(solution.sites) <= k
    assert solution.objective == best
    assert solution.bound == pytest.approx(best)


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("k", [1, 2, 3])
def test_no_optimal_choice_loses_a_site_to_the_reduction(seed, k):
    problem = _random_problem(seed)
    _, optimal = _optimal_choices(problem, k)
    search = search_max_covering(problem, k, lp_bound_from_gap=np.inf)

    kept = set(search.sites_that_can_match().tolist())

    for sites in optimal:
        assert set(sites) <= kept


@pytest.mark.parametrize("seed", range(10))
@pytest.mark.parametrize("k", [3, 6, 10])
def test_equals_the_whole_model_on_street_like_instances(seed, k):
    problem = _medium_problem(seed)
    whole = solve_max_covering_milp(problem, k)

    answers = solve_max_covering_in_steps(problem, k)

    assert answers.best.is_proven_optimal
    assert answers.best.objective == pytest.approx(whole.objective)
    assert answers.best.objective == problem.covered_weight(answers.best.sites)
    assert answers.solver_site_count <= problem.site_count


def test_an_answer_its_bound_proves_needs_no_solver(monkeypatch):
    # k = 3 covers every row: greedy finds it and the bound (the total) proves it.
    problem = SitingProblem.from_coverage(SWAP_CASE, np.ones(6))

    def no_solver(*args, **kwargs):
        raise AssertionError("the solver ran")

    monkeypatch.setattr(max_covering, "solve_max_covering_milp", no_solver)
    answers = solve_max_covering_in_steps(problem, 3)

    assert answers.exact is None
    assert answers.steps == [answers.heuristic]
    assert answers.best.is_proven_optimal
    assert answers.best.objective == 6.0


def test_the_solver_sees_only_the_sites_that_can_match(monkeypatch):
    problem = _medium_problem(2)
    seen = []

    def spy(reduced, k, *, time_limit_s=None):
        seen.append(reduced.site_count)
        return solve_max_covering_milp(reduced, k, time_limit_s=time_limit_s)

    monkeypatch.setattr(max_covering, "solve_max_covering_milp", spy)
    answers = solve_max_covering_in_steps(problem, 6)

    if answers.exact is not None:
        assert seen == [answers.solver_site_count]
        assert answers.solver_site_count < problem.site_count
    assert answers.best.is_proven_optimal


def test_a_stopped_solver_never_gives_less_than_the_heuristic():
    problem = _medium_problem(5)
    patient = solve_max_covering(problem, 6)

    answers = solve_max_covering_in_steps(problem, 6, time_limit_s=1e-5)

    assert answers.best.objective >= answers.heuristic.objective
    assert answers.best.objective <= patient.objective + 1e-9
    assert answers.best.bound >= patient.objective - 1e-9
    if not answers.best.is_proven_optimal:
        assert answers.best.gap > 0


def test_already_covered_demand_earns_nothing():
    problem = SitingProblem.from_coverage(
        SWAP_CASE, np.ones(6), already_covered=[True] * 4 + [False] * 2
    )

    solution = solve_max_covering(problem, 1)

    assert solution.objective == 1.0
    assert solution.is_proven_optimal


def test_refuses_a_negative_number_of_sites():
    problem = SitingProblem.from_coverage(SWAP_CASE, np.ones(6))

    with pytest.raises(InvalidInputError):
        solve_max_covering(problem, -1)
