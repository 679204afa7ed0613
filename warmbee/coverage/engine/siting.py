"""Where to put new stations: maximal covering and set covering, solved exactly by HiGHS.

Models are built straight from the sparse coverage matrix. An answer is called optimal
only when HiGHS itself reports it optimal with no gap allowed; a run stopped by its time
limit reports the solver's bound and gap instead. Heuristics live in ``heuristics``.
"""

import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import StrEnum

import numpy as np
import scipy.sparse
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import (
    Bounds,
    LinearConstraint,
    OptimizeResult,
    OptimizeWarning,
    linprog,
    milp,
)

from warmbee.coverage.engine.errors import CoverageEngineError, InvalidInputError
from warmbee.coverage.engine.travel import ReachSets

MILP_OPTIMAL = 0
MILP_LIMIT_REACHED = 1
# Measured (bench/): the simplex is faster below this many model nonzeros, the
# interior-point method above (2.4 s instead of 9.5 s at 2.3 M).
INTERIOR_POINT_FROM_NONZEROS = 600_000


class SolveStatus(StrEnum):
    OPTIMAL = "optimal"  # proven by the solver, no gap allowed
    TIME_LIMIT = "time_limit"  # best answer found before the limit; not proven
    HEURISTIC = "heuristic"  # greedy and local search, with a bound and gap
    NO_SOLUTION = "no_solution"  # the solver stopped without any answer


@dataclass(frozen=True, eq=False)
class SitingProblem:
    """Which candidate sites cover which demand points.

    ``coverage`` is boolean, shape (n_demand, n_sites); ``demand_weight`` (n_demand,) is
    the demand at each point (people, riders, trips); ``already_covered`` (n_demand,)
    marks demand that existing stations cover, which new sites get no credit for.
    """

    coverage: scipy.sparse.csr_array
    demand_weight: NDArray[np.float64]
    already_covered: NDArray[np.bool_]

    def __post_init__(self) -> None:
        n_demand = self.coverage.shape[0]
        if self.demand_weight.shape != (n_demand,) or self.already_covered.shape != (
            n_demand,
        ):
            raise InvalidInputError(
                reason="demand arrays must have one value per coverage row"
            )
        if not np.all(np.isfinite(self.demand_weight)) or np.any(
            self.demand_weight < 0
        ):
            raise InvalidInputError(
                reason="demand weights must be finite and not negative"
            )

    @classmethod
    def from_coverage(
        cls,
        coverage: ArrayLike | scipy.sparse.csr_array,
        demand_weight: ArrayLike,
        *,
        already_covered: ArrayLike | None = None,
    ) -> "SitingProblem":
        """Build a problem from a boolean (n_demand, n_sites) array or CSR array."""
        if isinstance(coverage, scipy.sparse.csr_array):
            matrix = scipy.sparse.csr_array(coverage.astype(bool))
        else:
            dense = np.asarray(coverage, dtype=bool)
            if dense.ndim != 2:
                raise InvalidInputError(
                    reason="coverage must be a (demand, site) matrix"
                )
            matrix = scipy.sparse.csr_array(dense)
        matrix.eliminate_zeros()
        weight = np.asarray(demand_weight, dtype=np.float64)
        covered = (
            np.zeros(matrix.shape[0], dtype=bool)
            if already_covered is None
            else np.asarray(already_covered, dtype=bool)
        )
        return cls(coverage=matrix, demand_weight=weight, already_covered=covered)

    @classmethod
    def from_travel_times(
        cls,
        travel_time_s: ArrayLike,
        demand_weight: ArrayLike,
        *,
        threshold_s: float,
        already_covered: ArrayLike | None = None,
    ) -> "SitingProblem":
        """Build a problem from dense travel times (n_demand, n_sites), ``inf`` = no path."""
        times = np.asarray(travel_time_s, dtype=np.float64)
        if times.ndim != 2:
            raise InvalidInputError(
                reason="travel times must be a (demand, site) matrix"
            )
        return cls.from_coverage(
            times <= threshold_s, demand_weight, already_covered=already_covered
        )

    @classmethod
    def from_reach_sets(
        cls,
        reach: ReachSets,
        demand_node: ArrayLike,
        demand_weight: ArrayLike,
        *,
        threshold_s: float,
        demand_access_time_s: ArrayLike | None = None,
        already_covered: ArrayLike | None = None,
    ) -> "SitingProblem":
        """Build a problem from the sites' reach sets and the demand points' nodes.

        A site covers a point when the point's access time to its node (off-network leg)
        plus the node's time to the site is at most ``threshold_s``. Points whose node is
        -1 (off the network) are covered by no site.
        """
        nodes = np.asarray(demand_node, dtype=np.int64)
        n_demand = nodes.shape[0]
        access_s = (
            np.zeros(n_demand)
            if demand_access_time_s is None
            else np.asarray(demand_access_time_s, dtype=np.float64)
        )
        if access_s.shape != (n_demand,) or nodes.ndim != 1:
            raise InvalidInputError(reason="demand nodes and access times must match")
        on_network = np.flatnonzero(nodes >= 0)
        by_node = on_network[np.argsort(nodes[on_network], kind="stable")]
        node_indptr = np.zeros(reach.node_count + 1, dtype=np.int64)
        np.cumsum(
            np.bincount(nodes[on_network], minlength=reach.node_count),
            out=node_indptr[1:],
        )
        counts = np.diff(node_indptr)[reach.node]
        ends = np.cumsum(counts)
        start = np.repeat(node_indptr[reach.node] - ends + counts, counts)
        demand = by_node[start + np.arange(ends[-1] if ends.size else 0)]
        site = np.repeat(reach.site(), counts)
        total_s = np.repeat(reach.travel_time_s, counts) + access_s[demand]
        within = total_s <= threshold_s
        coverage = scipy.sparse.csr_array(
            (np.ones(int(within.sum()), dtype=bool), (demand[within], site[within])),
            shape=(n_demand, reach.site_count),
        )
        return cls.from_coverage(
            coverage, demand_weight, already_covered=already_covered
        )

    @property
    def site_count(self) -> int:
        return int(self.coverage.shape[1])

    def eligible_rows(self) -> NDArray[np.int64]:
        """Return the demand rows a new site could gain: uncovered, weighted, coverable."""
        coverable = np.diff(self.coverage.indptr) > 0
        return np.flatnonzero(
            coverable & ~self.already_covered & (self.demand_weight > 0)
        )

    def covered_weight(self, sites: ArrayLike) -> float:
        """Return the not yet covered demand weight that the given sites cover."""
        chosen = np.zeros(self.site_count, dtype=bool)
        chosen[np.asarray(sites, dtype=np.int64)] = True
        hit = (self.coverage @ chosen.astype(np.float64)) > 0
        return float(self.demand_weight[hit & ~self.already_covered].sum())


@dataclass(frozen=True)
class SitingSolution:
    """Chosen sites and how good the answer is known to be.

    ``objective`` is the newly covered weight (maximal covering) or the number of sites
    (set covering); ``bound`` is the best bound known on the optimum (upper for
    maximal covering, lower for set covering) and ``gap`` their relative difference.
    """

    sites: NDArray[np.int64]
    objective: float
    bound: float
    gap: float
    status: SolveStatus
    method: str
    solve_time_s: float
    uncoverable_weight: float = 0.0

    @property
    def is_proven_optimal(self) -> bool:
        return self.status is SolveStatus.OPTIMAL


# An answer whose relative gap to a valid bound is at most this is proven optimal.
PROVEN_GAP = 1e-9


def relative_gap(objective: float, bound: float) -> float:
    """Return |bound - objective| / |bound|, 0 when both are 0."""
    scale = max(abs(bound), abs(objective))
    return 0.0 if scale == 0 else abs(bound - objective) / scale


def best_max_covering_answer(*answers: SitingSolution) -> SitingSolution:
    """Return the answer covering the most, with the tightest bound any answer proves.

    Every answer's bound is an upper bound on the same optimum, so the smallest holds for
    the best answer too. The result is called optimal when the best answer meets that
    bound (a solver's proof, or a heuristic's bound matched); otherwise it keeps the
    status and method of the answer it is (``time_limit`` for a stopped solver,
    ``heuristic`` for greedy and swaps) with its gap to the bound. ``solve_time_s`` is
    the time of all of them.
    """
    if not answers:
        raise InvalidInputError(reason="no answers to compare")
    found = [
        answer
        for answer in answers
        if answer.status is not SolveStatus.NO_SOLUTION
        and np.isfinite(answer.objective)
    ]
    elapsed_s = float(sum(answer.solve_time_s for answer in answers))
    if not found:
        return replace(answers[0], solve_time_s=elapsed_s)
    most = max(answer.objective for answer in found)
    level = most - PROVEN_GAP * max(abs(most), 1.0)  # equal but for rounding
    best = max(
        (answer for answer in found if answer.objective >= level),
        key=lambda answer: (answer.is_proven_optimal, answer.objective),
    )
    bounds = [answer.bound for answer in answers if np.isfinite(answer.bound)]
    bound = max(min(bounds, default=best.bound), best.objective)
    gap = relative_gap(best.objective, bound)
    return replace(
        best,
        bound=bound,
        gap=gap,
        status=SolveStatus.OPTIMAL if gap <= PROVEN_GAP else best.status,
        solve_time_s=elapsed_s,
    )


def merge_identical_rows(
    matrix: scipy.sparse.csr_array,
) -> tuple[scipy.sparse.csr_array, NDArray[np.int64]]:
    """Return the distinct rows of a 0/1 matrix and, per original row, its distinct row.

    Demand points covered by exactly the same sites are one constraint in every model:
    merged (their weights summed) the optimum is the same. Rows are grouped by two random
    64-bit hashes of their column sets and then compared in full, so the grouping is exact;
    should two different rows ever share both hashes, nothing is merged.
    """
    matrix = scipy.sparse.csr_array(matrix, copy=True)
    matrix.sort_indices()
    n_rows = matrix.shape[0]
    if n_rows == 0:
        return matrix, np.zeros(0, np.int64)
    length = np.diff(matrix.indptr).astype(np.int64)
    rng = np.random.default_rng(0x5EED)
    row_of_entry = np.repeat(np.arange(n_rows), length)
    keys = [length.astype(np.uint64)]
    for _ in range(2):
        column_hash = rng.integers(0, 2**63, matrix.shape[1], dtype=np.uint64)
        keys.append(_wrapping_row_sums(column_hash[matrix.indices], matrix.indptr))
    _, first, group = np.unique(
        np.stack(keys, axis=1), axis=0, return_index=True, return_inverse=True
    )
    group = group.ravel().astype(np.int64)
    representative = first[group]
    # Full check: each row's columns equal its representative's, entry by entry.
    start = matrix.indptr[:-1].astype(np.int64)
    offset = np.arange(row_of_entry.size) - np.repeat(start, length)
    same = (
        matrix.indices
        == matrix.indices[np.repeat(start[representative], length) + offset]
    )
    if not same.all():
        return matrix, np.arange(n_rows, dtype=np.int64)
    return scipy.sparse.csr_array(matrix[np.sort(first)]), _renumber(group, first)


def _wrapping_row_sums(
    values: NDArray[np.uint64], indptr: NDArray[np.integer]
) -> NDArray[np.uint64]:
    """Per row, the sum of its entries modulo 2**64 (empty rows: 0)."""
    totals = np.zeros(indptr.size - 1, dtype=np.uint64)
    nonempty = np.flatnonzero(np.diff(indptr) > 0)
    if nonempty.size:
        totals[nonempty] = np.add.reduceat(values, indptr[nonempty].astype(np.int64))
    return totals


def _renumber(group: NDArray[np.int64], first: NDArray[np.int64]) -> NDArray[np.int64]:
    """Map groups numbered in key order to their rank by first row."""
    rank = np.empty(first.size, dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(first.size)
    return rank[group]


def max_covering_model(
    problem: SitingProblem, k: int
) -> tuple[
    NDArray[np.float64], scipy.sparse.csr_array, NDArray[np.float64], NDArray[np.int64]
]:
    """Return (c, A, upper bounds of A rows, rows) of: minimise c @ [x, y] s.t. A @ [x, y] <= ub.

    Variables are x (n_sites, 0/1: site chosen) then y (n_groups, 0..1: group covered),
    one y per group of eligible rows with the same sites (their weights summed);
    y_g <= sum_j a_gj x_j and sum_j x_j <= k. ``rows`` are the eligible rows.
    """
    rows = problem.eligible_rows()
    cover, group = merge_identical_rows(problem.coverage[rows])
    cover = cover.astype(np.float64)
    n_sites, n_rows = problem.site_count, cover.shape[0]
    group_weight = np.bincount(
        group, weights=problem.demand_weight[rows], minlength=n_rows
    )
    c = np.concatenate((np.zeros(n_sites), -group_weight))
    link = scipy.sparse.hstack((-cover, scipy.sparse.eye_array(n_rows)))
    budget = scipy.sparse.csr_array(
        (np.ones(n_sites), (np.zeros(n_sites, dtype=np.int64), np.arange(n_sites))),
        shape=(1, n_sites + n_rows),
    )
    matrix = scipy.sparse.csr_array(scipy.sparse.vstack((link, budget)))
    upper = np.concatenate((np.zeros(n_rows), [float(k)]))
    return np.asarray(c, dtype=np.float64), matrix, upper, rows


def check_site_count(k: int) -> None:
    if k < 0 or k != int(k):
        raise InvalidInputError(
            reason="the number of new sites must be a whole number >= 0"
        )


def _status(result: OptimizeResult) -> SolveStatus:
    if result.x is None:
        return SolveStatus.NO_SOLUTION
    return (
        SolveStatus.OPTIMAL if result.status == MILP_OPTIMAL else SolveStatus.TIME_LIMIT
    )


def _time_limit(time_limit_s: float | None) -> float:
    return np.inf if time_limit_s is None else float(time_limit_s)


def _dual_bound(result: OptimizeResult) -> float | None:
    bound = result.mip_dual_bound
    return None if bound is None else float(bound)


def _lp_value(result: OptimizeResult) -> float:
    if result.fun is None:
        raise CoverageEngineError()  # a covering LP is always feasible and bounded
    return float(result.fun)


def _trivial(uncoverable_weight: float, started: float) -> SitingSolution:
    elapsed_s = time.perf_counter() - started
    return SitingSolution(
        np.zeros(0, np.int64),
        0.0,
        0.0,
        0.0,
        SolveStatus.OPTIMAL,
        "milp",
        elapsed_s,
        uncoverable_weight,
    )


def _from_milp(
    result: OptimizeResult,
    *,
    sites_of: Callable[[NDArray[np.float64]], NDArray[np.int64]],
    objective_of: Callable[[NDArray[np.int64]], float],
    bound_of: Callable[[float], float],
    started: float,
    uncoverable_weight: float = 0.0,
) -> SitingSolution:
    """Read HiGHS's own status: only "optimal" with no gap allowed counts as proven."""
    status = _status(result)
    elapsed_s = time.perf_counter() - started
    dual_bound = _dual_bound(result)
    if status is SolveStatus.NO_SOLUTION:
        bound = np.nan if dual_bound is None else bound_of(dual_bound)
        return SitingSolution(
            np.zeros(0, np.int64),
            np.nan,
            bound,
            np.inf,
            status,
            "milp",
            elapsed_s,
            uncoverable_weight,
        )
    sites = sites_of(np.asarray(result.x, dtype=np.float64))
    objective = objective_of(sites)
    bound = objective
    if status is SolveStatus.TIME_LIMIT and dual_bound is not None:
        bound = bound_of(dual_bound)
    return SitingSolution(
        sites,
        objective,
        bound,
        relative_gap(objective, bound),
        status,
        "milp",
        elapsed_s,
        uncoverable_weight,
    )


def solve_max_covering_milp(
    problem: SitingProblem, k: int, *, time_limit_s: float | None = None
) -> SitingSolution:
    """Choose at most ``k`` sites covering the most not yet covered demand, with HiGHS
    on the whole model (``max_covering.solve_max_covering`` solves a reduced one)."""
    check_site_count(k)
    started = time.perf_counter()
    c, matrix, upper, _ = max_covering_model(problem, k)
    n_sites = problem.site_count
    if c.size == n_sites or k == 0:
        return _trivial(0.0, started)
    integrality = np.zeros(c.size, dtype=np.int64)
    integrality[:n_sites] = 1
    result = milp(
        c,
        integrality=integrality,
        bounds=Bounds(0.0, 1.0),
        constraints=LinearConstraint(matrix, -np.inf, upper),
        options={"mip_rel_gap": 0.0, "time_limit": _time_limit(time_limit_s)},
    )
    return _from_milp(
        result,
        sites_of=lambda x: np.flatnonzero(x[:n_sites] > 0.5).astype(np.int64),
        objective_of=problem.covered_weight,
        bound_of=lambda dual_bound: -dual_bound,
        started=started,
    )


def max_covering_lp_bound(problem: SitingProblem, k: int) -> float:
    """Return an upper bound no choice of ``k`` sites can beat: the LP relaxation's value.

    HiGHS's interior-point method (no crossover) gives the LP's dual prices ``lam`` of the
    covering rows; the bound is then evaluated exactly as the Lagrangian value
    ``sum(max(0, w - lam)) + (sum of the k largest column sums of lam)``, which bounds
    every choice of k sites for *any* ``lam >= 0``, so the answer stays a proof however
    loose the solver's tolerances. With exact prices it is the LP optimum. Small models
    (fewer than ``INTERIOR_POINT_FROM_NONZEROS`` nonzeros) go to the simplex solver,
    which is faster there.
    """
    check_site_count(k)
    c, matrix, upper, _ = max_covering_model(problem, k)
    n_sites = problem.site_count
    if c.size == n_sites or k == 0:
        return 0.0
    n_groups = c.size - n_sites
    constraint = LinearConstraint(matrix, -np.inf, upper)
    if matrix.nnz < INTERIOR_POINT_FROM_NONZEROS:
        return -_lp_value(milp(c, bounds=Bounds(0.0, 1.0), constraints=constraint))
    with warnings.catch_warnings():
        # scipy does not list HiGHS's run_crossover option and warns; HiGHS takes it.
        warnings.simplefilter("ignore", OptimizeWarning)
        result = linprog(  # type: ignore[call-overload]  # run_crossover: not in the stubs
            c,
            A_ub=matrix,
            b_ub=upper,
            bounds=(0.0, 1.0),
            method="highs-ipm",
            options={"run_crossover": "off"},
        )
    if result.status != MILP_OPTIMAL or result.ineqlin is None:
        return -_lp_value(milp(c, bounds=Bounds(0.0, 1.0), constraints=constraint))
    weight = -c[n_sites:]
    price = np.clip(-np.asarray(result.ineqlin.marginals[:n_groups]), 0.0, weight)
    cover = matrix[:n_groups, :n_sites]
    site_value = np.asarray(-(cover.T @ price), dtype=np.float64)
    best_sites = np.sort(site_value)[-min(k, n_sites) :]
    return float(np.maximum(weight - price, 0.0).sum() + best_sites.sum())


def set_covering_rows(problem: SitingProblem) -> tuple[scipy.sparse.csr_array, float]:
    """Return the distinct rows to cover (n_rows, n_sites) and the weight no site can cover."""
    open_rows = ~problem.already_covered & (problem.demand_weight > 0)
    coverable = np.diff(problem.coverage.indptr) > 0
    uncoverable = float(problem.demand_weight[open_rows & ~coverable].sum())
    rows, _ = merge_identical_rows(
        problem.coverage[np.flatnonzero(open_rows & coverable)]
    )
    return scipy.sparse.csr_array(rows.astype(np.float64)), uncoverable


def solve_set_covering(
    problem: SitingProblem, *, time_limit_s: float | None = None
) -> SitingSolution:
    """Choose the fewest sites that cover all demand any site can cover, with HiGHS.

    Demand no candidate covers is left out and reported as ``uncoverable_weight``.
    """
    started = time.perf_counter()
    rows, uncoverable = set_covering_rows(problem)
    if rows.shape[0] == 0:
        return _trivial(uncoverable, started)
    result = milp(
        np.ones(problem.site_count),
        integrality=np.ones(problem.site_count, dtype=np.int64),
        bounds=Bounds(0.0, 1.0),
        constraints=LinearConstraint(rows, 1.0, np.inf),
        options={"mip_rel_gap": 0.0, "time_limit": _time_limit(time_limit_s)},
    )
    return _from_milp(
        result,
        sites_of=lambda x: np.flatnonzero(x > 0.5).astype(np.int64),
        objective_of=lambda sites: float(sites.size),
        bound_of=lambda dual_bound: float(np.ceil(dual_bound - 1e-6)),
        started=started,
        uncoverable_weight=uncoverable,
    )


def set_covering_lp_bound(problem: SitingProblem) -> float:
    """Return the LP-relaxation optimum rounded up: no fewer sites can cover all."""
    rows, _ = set_covering_rows(problem)
    if rows.shape[0] == 0:
        return 0.0
    constraint = LinearConstraint(rows, 1.0, np.inf)
    result = milp(
        np.ones(problem.site_count), bounds=Bounds(0.0, 1.0), constraints=constraint
    )
    return float(np.ceil(_lp_value(result) - 1e-6))
