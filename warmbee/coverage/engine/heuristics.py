"""Fast siting answers with a proven bound: greedy, one-swap local search, Lagrangian bound.

Each answer reports an upper bound on the optimum and the relative gap to it, so a
planner can see how far from the optimum it can at most be.

Maximal covering (``greedy_max_covering``) works on the eligible rows merged into
distinct rows (``siting.merge_identical_rows``' grouping, weights summed) with compiled
passes (``siting_kernels``):

1. greedy, then the best single swap while one helps;
2. a bound from prices on the rows (the Lagrangian relaxation of "a row counts only if a
   chosen site covers it"): ``sum(w - price) + (the k largest site sums of price)``
   bounds every choice of k sites for any ``0 <= price <= w``. The start prices follow
   the answer of step 1 (complementary slackness: full weight on rows it leaves
   uncovered, none on rows it covers twice, and a share per chosen site, the best shares
   found by a small LP); then projected subgradient steps lower the bound;
3. every subgradient iterate's k best sites are an answer too: the best goes through
   the swap search again (this is what reaches the optimum when step 1 stops short);
4. only when the bound still leaves a gap above ``LP_BOUND_FROM_GAP`` is the LP
   relaxation solved as well (HiGHS), and the smaller bound kept.
"""

import time
from dataclasses import dataclass

import numpy as np
import scipy.sparse
from numpy.typing import NDArray
from scipy.optimize import Bounds, LinearConstraint, milp

from warmbee.coverage.engine import siting_kernels
from warmbee.coverage.engine.siting import (
    SitingProblem,
    SitingSolution,
    SolveStatus,
    max_covering_lp_bound,
    relative_gap,
    set_covering_lp_bound,
)

MAX_SWAP_ROUNDS = 1_000
# The subgradient stops once its bound proves the answer within this (relative) gap ...
BOUND_STOP_GAP = 0.005
# ... or after this many iterations, halving its step after PATIENCE without progress.
MAX_BOUND_ITERATIONS = 300
BOUND_ROUND_ITERATIONS = 50
BOUND_PATIENCE = 20
# Step size: this times Polyak's; each step's direction keeps this much of the last one's
# (a deflected subgradient: measured on the bench instances, it needs about a third of
# the iterations of the plain one for the same bound).
BOUND_STEP_SCALE = 1.0
BOUND_DEFLECTION = 0.8
# With a gap above this left, the LP relaxation is solved too (slower, at least as tight).
LP_BOUND_FROM_GAP = 0.01
ROW_HASH_SEED = 0x5EED


def _columns(matrix: scipy.sparse.csc_array, site: int) -> NDArray[np.int32]:
    return matrix.indices[matrix.indptr[site] : matrix.indptr[site + 1]]


class _Cover:
    """How many chosen sites cover each eligible row, kept up to date on every change."""

    def __init__(self, problem: SitingProblem) -> None:
        rows = problem.eligible_rows()
        matrix = problem.coverage[rows].astype(np.float64)
        self.weight = problem.demand_weight[rows]
        self.by_site = scipy.sparse.csc_array(matrix)
        self.by_site_t = scipy.sparse.csr_array(matrix.T)
        self.count = np.zeros(rows.size, dtype=np.int64)

    def add(self, site: int) -> None:
        self.count[_columns(self.by_site, site)] += 1

    def remove(self, site: int) -> None:
        self.count[_columns(self.by_site, site)] -= 1

    def gain_if_added(self, row_weight: NDArray[np.float64]) -> NDArray[np.float64]:
        """Return per site (n_sites,) the ``row_weight`` it covers."""
        return np.asarray(self.by_site_t @ row_weight, dtype=np.float64)


@dataclass(frozen=True)
class _Merged:
    """The eligible rows merged into distinct rows (n_rows,), stored by site and by row."""

    weight: NDArray[np.float64]
    site_ptr: NDArray[np.int64]
    site_rows: NDArray[np.int32]
    row_ptr: NDArray[np.int64]
    row_sites: NDArray[np.int32]

    @property
    def site_count(self) -> int:
        return int(self.site_ptr.size - 1)

    def covered(self, sites: NDArray[np.int64]) -> float:
        mark = np.zeros(self.weight.size, dtype=np.bool_)
        return float(
            siting_kernels.covered_weight(
                self.site_ptr, self.site_rows, self.weight, sites, mark
            )
        )


def _merge_eligible_rows(problem: SitingProblem) -> _Merged:
    """Group eligible rows with the same sites (two random 64-bit hashes per row, then
    checked in full; should the check fail, nothing is merged)."""
    coverage = problem.coverage
    indptr = coverage.indptr.astype(np.int32, copy=False)
    indices = coverage.indices.astype(np.int32, copy=False)
    rows = problem.eligible_rows()
    rng = np.random.default_rng(ROW_HASH_SEED)
    column_hash = rng.integers(0, 2**63, (2, coverage.shape[1]), dtype=np.uint64)
    hashes = np.empty((2, coverage.shape[0]), dtype=np.uint64)
    siting_kernels.row_hashes(indptr, indices, column_hash, hashes)
    keys = np.stack(
        (np.diff(indptr)[rows].astype(np.uint64), hashes[0, rows], hashes[1, rows])
    )
    order = np.lexsort(keys)
    sorted_keys = keys[:, order]
    starts = np.ones(order.size, dtype=bool)
    starts[1:] = np.any(sorted_keys[:, 1:] != sorted_keys[:, :-1], axis=0)
    group_sorted = np.cumsum(starts) - 1
    first = order[starts]  # a representative (position in rows) per group
    group = np.empty(order.size, dtype=np.int64)
    group[order] = group_sorted
    if not siting_kernels.rows_match(
        indptr, indices, rows, rows[first[group]], coverage.shape[1]
    ):
        first = np.arange(rows.size)
        group = np.arange(rows.size)
    weight = np.asarray(
        np.bincount(group, weights=problem.demand_weight[rows], minlength=first.size),
        dtype=np.float64,
    )
    merged = scipy.sparse.csr_array(coverage[rows[first]])
    by_site = scipy.sparse.csc_array(merged)
    return _Merged(
        weight=weight,
        site_ptr=by_site.indptr.astype(np.int64),
        site_rows=by_site.indices.astype(np.int32),
        row_ptr=merged.indptr.astype(np.int64),
        row_sites=merged.indices.astype(np.int32),
    )


def _family_prices(
    merged: _Merged, chosen: NDArray[np.int64], k: int
) -> NDArray[np.float64]:
    """Start prices from an answer: full weight on the rows it leaves uncovered, none on
    rows it covers twice or more, and ``share[p] * weight`` on the rows only its p-th site
    covers, with the shares that give the lowest bound (a small LP over k shares)."""
    count, owner = siting_kernels.cover_counts(
        merged.site_ptr, merged.site_rows, merged.weight.size, chosen
    )
    size = chosen.size
    share = np.full(size, 0.5)
    if size:
        uncovered, single = siting_kernels.price_family_terms(
            merged.site_ptr, merged.site_rows, merged.weight, count, owner, size
        )
        share = _best_shares(uncovered, single, merged.weight, count, owner, size, k)
    price = np.where(count == 0, merged.weight, 0.0)
    only = count == 1
    price[only] = share[owner[only]] * merged.weight[only]
    return price


def _best_shares(
    uncovered: NDArray[np.float64],
    single: NDArray[np.float64],
    weight: NDArray[np.float64],
    count: NDArray[np.int64],
    owner: NDArray[np.int64],
    size: int,
    k: int,
) -> NDArray[np.float64]:
    """Minimise ``sum(own * (1 - share)) + topk(uncovered + single @ share)`` over
    shares in [0, 1]: variables (share (size,), level, excess (n_sites,))."""
    n_sites = uncovered.size
    own = np.bincount(owner[count == 1], weights=weight[count == 1], minlength=size)
    cost = np.concatenate((-own, [float(min(k, n_sites))], np.ones(n_sites)))
    matrix = scipy.sparse.hstack(
        (
            scipy.sparse.csr_array(single),
            scipy.sparse.csr_array(-np.ones((n_sites, 1))),
            -scipy.sparse.eye_array(n_sites),
        ),
        format="csr",
    )
    upper = np.full(cost.size, np.inf)
    upper[:size] = 1.0
    result = milp(
        cost,
        bounds=Bounds(0.0, upper),
        constraints=LinearConstraint(matrix, -np.inf, -uncovered),
    )
    if result.x is None:
        return np.full(size, 0.5)
    return np.clip(np.asarray(result.x[:size], dtype=np.float64), 0.0, 1.0)


def _swapped(
    merged: _Merged, sites: NDArray[np.int64], tolerance: float
) -> NDArray[np.int64]:
    improved = np.array(sites, dtype=np.int64)
    siting_kernels.swap_search(
        merged.site_ptr,
        merged.site_rows,
        merged.row_ptr,
        merged.row_sites,
        merged.weight,
        improved,
        MAX_SWAP_ROUNDS,
        tolerance,
    )
    return improved


def _bound_of(merged: _Merged, price: NDArray[np.float64], k: int) -> float:
    return float(
        siting_kernels.lagrangian_value(
            merged.site_ptr, merged.site_rows, merged.weight, price, k
        )
    )


@dataclass(frozen=True)
class _Descent:
    bound: float
    sites: NDArray[np.int64]
    value: float


def _descend(
    merged: _Merged,
    price: NDArray[np.float64],
    k: int,
    chosen: NDArray[np.int64],
    value: float,
    local_search: bool,
) -> _Descent:
    """Subgradient steps in rounds of ``BOUND_ROUND_ITERATIONS``; after each round its
    best iterate's sites go through the swap search (with ``local_search``), and a better
    answer raises the target the steps aim at."""
    tolerance = 1e-9 * (float(merged.weight.sum()) + 1.0)
    iterate_sites = np.empty(k, dtype=np.int64)
    direction = np.zeros(merged.weight.size)
    bound, scale, done = np.inf, BOUND_STEP_SCALE, 0
    while done < MAX_BOUND_ITERATIONS:
        requested = min(BOUND_ROUND_ITERATIONS, MAX_BOUND_ITERATIONS - done)
        round_bound, iterate_value, iterations, scale = (
            siting_kernels.lagrangian_descent(
                merged.site_ptr,
                merged.site_rows,
                merged.weight,
                k,
                price,
                direction,
                value,
                requested,
                BOUND_STOP_GAP,
                BOUND_PATIENCE,
                scale,
                BOUND_DEFLECTION,
                iterate_sites,
            )
        )
        done += iterations
        bound = min(bound, round_bound)
        finishing = (
            bound - value <= BOUND_STOP_GAP * bound
            or iterations < requested
            or done >= MAX_BOUND_ITERATIONS
        )
        if local_search and iterate_value >= 0:
            other = _swapped(merged, np.sort(iterate_sites), tolerance)
            other_value = merged.covered(other)
            if other_value > value + tolerance:
                chosen, value = other, other_value
        if finishing or bound - value <= BOUND_STOP_GAP * bound:
            break  # proven close enough, or the steps stopped by themselves
    return _Descent(bound=bound, sites=chosen, value=value)


@dataclass(frozen=True)
class MaxCoveringSearch:
    """A heuristic answer to maximal covering with the prices behind its bound.

    ``price`` (n_rows,) prices the merged rows of ``merged`` (``0 <= price <= weight``);
    its Lagrangian value bounds every choice of ``k`` sites (module docstring).
    """

    answer: SitingSolution
    merged: _Merged
    price: NDArray[np.float64]
    k: int

    def sites_that_can_match(self) -> NDArray[np.int64]:
        """Return the sites (sorted) that some choice covering at least as much as
        ``answer`` could contain; every optimal choice uses only these.

        Lagrangian reduced-cost test: with ``v`` the sites' price sums and ``L`` the
        bound, a choice holding site ``j`` covers at most ``L - v_k + v_j`` when ``j``
        is not among the k best (``v_k`` the k-th largest), so a site with
        ``v_j < v_k - (L - answer)`` cannot be in a choice as good as the answer. The
        test is applied with a small tolerance in favour of keeping a site.
        """
        merged, k = self.merged, self.k
        if k == 0 or k >= merged.site_count:
            return np.arange(merged.site_count, dtype=np.int64)
        value = np.zeros(merged.site_count)
        nonempty = np.flatnonzero(np.diff(merged.site_ptr) > 0)
        if nonempty.size:
            value[nonempty] = np.add.reduceat(
                self.price[merged.site_rows], merged.site_ptr[nonempty]
            )
        bound = _bound_of(merged, self.price, k)
        kth_best = float(np.partition(value, value.size - k)[value.size - k])
        tolerance = 1e-9 * (float(merged.weight.sum()) + 1.0)
        margin = bound - self.answer.objective
        return np.flatnonzero(value >= kth_best - margin - tolerance).astype(np.int64)


def greedy_max_covering(
    problem: SitingProblem, k: int, *, local_search: bool = True
) -> SitingSolution:
    """Choose ``k`` sites greedily, then swap single sites while that covers more.

    With ``local_search`` the Lagrangian iterates' sites are searched from as well and
    the better answer kept. The bound is the Lagrangian bound (module docstring), with
    the LP relaxation's when that alone leaves more than ``LP_BOUND_FROM_GAP``.
    """
    return search_max_covering(problem, k, local_search=local_search).answer


def search_max_covering(
    problem: SitingProblem,
    k: int,
    *,
    local_search: bool = True,
    lp_bound_from_gap: float = LP_BOUND_FROM_GAP,
) -> MaxCoveringSearch:
    """``greedy_max_covering``'s answer with its prices (``MaxCoveringSearch``).

    The LP relaxation is solved for a tighter bound only when the Lagrangian one leaves a
    gap above ``lp_bound_from_gap`` (``inf``: never).
    """
    started = time.perf_counter()
    merged = _merge_eligible_rows(problem)
    total = float(merged.weight.sum())
    tolerance = 1e-9 * (total + 1.0)
    k_used = min(k, merged.site_count)
    chosen = siting_kernels.greedy_sites(
        merged.site_ptr,
        merged.site_rows,
        merged.row_ptr,
        merged.row_sites,
        merged.weight,
        k_used,
    )
    if local_search:
        chosen = _swapped(merged, chosen, tolerance)
    value = merged.covered(chosen)
    bound = total
    price = merged.weight.copy()  # valid prices: the bound is then at least the total
    if k_used > 0 and bound - value > BOUND_STOP_GAP * bound:
        price = _family_prices(merged, chosen, k_used)
        bound = min(bound, _bound_of(merged, price, k_used))
        if bound - value > BOUND_STOP_GAP * bound:
            descent = _descend(merged, price, k_used, chosen, value, local_search)
            bound = min(bound, descent.bound)
            chosen, value = descent.sites, descent.value
    sites = np.sort(chosen)
    objective = problem.covered_weight(sites)
    if relative_gap(objective, bound) > lp_bound_from_gap:
        bound = min(bound, max_covering_lp_bound(problem, k))
    bound = max(bound, objective)
    answer = SitingSolution(
        sites=sites,
        objective=objective,
        bound=bound,
        gap=relative_gap(objective, bound),
        status=SolveStatus.HEURISTIC,
        method="greedy_swap" if local_search else "greedy",
        solve_time_s=time.perf_counter() - started,
    )
    return MaxCoveringSearch(answer=answer, merged=merged, price=price, k=k_used)


def greedy_set_covering(problem: SitingProblem) -> SitingSolution:
    """Add the site covering the most uncovered rows until all are covered, then drop
    sites that became redundant. The bound is the LP relaxation rounded up.
    """
    started = time.perf_counter()
    open_rows = ~problem.already_covered & (problem.demand_weight > 0)
    coverable = np.diff(problem.coverage.indptr) > 0
    uncoverable = float(problem.demand_weight[open_rows & ~coverable].sum())
    cover = _Cover(problem)
    ones = np.ones_like(cover.weight)
    chosen: list[int] = []
    while np.any(cover.count == 0):
        gain = cover.gain_if_added(ones * (cover.count == 0))
        best = int(np.argmax(gain))
        chosen.append(best)
        cover.add(best)
    for site in reversed(list(chosen)):
        if np.all(cover.count[_columns(cover.by_site, site)] >= 2):
            cover.remove(site)
            chosen.remove(site)
    objective = float(len(chosen))
    bound = min(set_covering_lp_bound(problem), objective)
    return SitingSolution(
        sites=np.sort(np.asarray(chosen, dtype=np.int64)),
        objective=objective,
        bound=bound,
        gap=relative_gap(objective, bound),
        status=SolveStatus.HEURISTIC,
        method="greedy",
        solve_time_s=time.perf_counter() - started,
        uncoverable_weight=uncoverable,
    )
