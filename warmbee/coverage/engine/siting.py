"""Where to put new stations: maximal covering and set covering, solved exactly by HiGHS.

Models are built straight from the sparse coverage matrix. An answer is called optimal
only when HiGHS itself reports it optimal with no gap allowed; a run stopped by its time
limit reports the solver's bound and gap instead. Heuristics live in ``heuristics``.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import scipy.sparse
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import Bounds, LinearConstraint, OptimizeResult, milp

from warmbee.coverage.engine.errors import CoverageEngineError, InvalidInputError
from warmbee.coverage.engine.travel import ReachSets

MILP_OPTIMAL = 0
MILP_LIMIT_REACHED = 1


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


def relative_gap(objective: float, bound: float) -> float:
    """Return |bound - objective| / |bound|, 0 when both are 0."""
    scale = max(abs(bound), abs(objective))
    return 0.0 if scale == 0 else abs(bound - objective) / scale


def max_covering_model(
    problem: SitingProblem, k: int
) -> tuple[
    NDArray[np.float64], scipy.sparse.csr_array, NDArray[np.float64], NDArray[np.int64]
]:
    """Return (c, A, upper bounds of A rows, rows) of: minimise c @ [x, y] s.t. A @ [x, y] <= ub.

    Variables are x (n_sites, 0/1: site chosen) then y (n_rows, 0..1: row covered);
    y_i <= sum_j a_ij x_j and sum_j x_j <= k.
    """
    rows = problem.eligible_rows()
    cover = problem.coverage[rows].astype(np.float64)
    n_sites, n_rows = problem.site_count, rows.size
    c = np.concatenate((np.zeros(n_sites), -problem.demand_weight[rows]))
    link = scipy.sparse.hstack((-cover, scipy.sparse.eye_array(n_rows)))
    budget = scipy.sparse.csr_array(
        (np.ones(n_sites), (np.zeros(n_sites, dtype=np.int64), np.arange(n_sites))),
        shape=(1, n_sites + n_rows),
    )
    matrix = scipy.sparse.csr_array(scipy.sparse.vstack((link, budget)))
    upper = np.concatenate((np.zeros(n_rows), [float(k)]))
    return c, matrix, upper, rows


def _check_k(k: int) -> None:
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


def solve_max_covering(
    problem: SitingProblem, k: int, *, time_limit_s: float | None = None
) -> SitingSolution:
    """Choose at most ``k`` sites covering the most not yet covered demand, with HiGHS."""
    _check_k(k)
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
    """Return the LP-relaxation optimum: no choice of ``k`` sites covers more."""
    _check_k(k)
    c, matrix, upper, _ = max_covering_model(problem, k)
    if c.size == problem.site_count or k == 0:
        return 0.0
    constraint = LinearConstraint(matrix, -np.inf, upper)
    return -_lp_value(milp(c, bounds=Bounds(0.0, 1.0), constraints=constraint))


def set_covering_rows(problem: SitingProblem) -> tuple[scipy.sparse.csr_array, float]:
    """Return the rows to cover (n_rows, n_sites) and the weight no site can cover."""
    open_rows = ~problem.already_covered & (problem.demand_weight > 0)
    coverable = np.diff(problem.coverage.indptr) > 0
    uncoverable = float(problem.demand_weight[open_rows & ~coverable].sum())
    rows = problem.coverage[np.flatnonzero(open_rows & coverable)]
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
