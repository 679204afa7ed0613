"""Fast siting answers with a proven bound: greedy, one-swap local search, LP relaxation.

Each answer reports the LP-relaxation bound and the relative gap to it, so a planner can
see how far from the optimum it can at most be.
"""

import time

import numpy as np
import scipy.sparse
from numpy.typing import NDArray

from warmbee.coverage.engine.siting import (
    SitingProblem,
    SitingSolution,
    SolveStatus,
    max_covering_lp_bound,
    relative_gap,
    set_covering_lp_bound,
)

MAX_SWAP_ROUNDS = 1_000


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

    def value(self) -> float:
        return float(self.weight[self.count > 0].sum())


def _greedy(cover: _Cover, k: int, n_sites: int) -> list[int]:
    chosen: list[int] = []
    for _ in range(min(k, n_sites)):
        gain = cover.gain_if_added(cover.weight * (cover.count == 0))
        gain[chosen] = -1.0
        best = int(np.argmax(gain))
        if gain[best] <= 0:
            break
        chosen.append(best)
        cover.add(best)
    return chosen


def _best_swap(cover: _Cover, chosen: list[int]) -> tuple[float, int, int]:
    """Return (improvement, position in chosen, new site) of the best single swap."""
    only_cover = cover.weight * (cover.count == 1)
    gain_add = cover.gain_if_added(cover.weight * (cover.count == 0))
    chosen_columns = cover.by_site[:, chosen]
    loss = np.asarray(chosen_columns.T @ only_cover, dtype=np.float64)
    # regained[c, s]: demand only s covers now that c would cover after swapping s for c.
    regained = (
        cover.by_site_t @ chosen_columns.multiply(only_cover[:, None])
    ).toarray()
    delta = gain_add[:, None] + regained - loss[None, :]
    delta[chosen, :] = -np.inf
    site, position = np.unravel_index(int(np.argmax(delta)), delta.shape)
    return float(delta[site, position]), int(position), int(site)


def greedy_max_covering(
    problem: SitingProblem, k: int, *, local_search: bool = True
) -> SitingSolution:
    """Choose ``k`` sites greedily, then swap single sites while that covers more.

    The bound is the LP relaxation of the maximal-covering model.
    """
    started = time.perf_counter()
    cover = _Cover(problem)
    chosen = _greedy(cover, k, problem.site_count)
    tolerance = 1e-9 * (float(cover.weight.sum()) + 1.0)
    rounds = 0
    while local_search and chosen and rounds < MAX_SWAP_ROUNDS:
        improvement, position, site = _best_swap(cover, chosen)
        if improvement <= tolerance:
            break
        cover.remove(chosen[position])
        cover.add(site)
        chosen[position] = site
        rounds += 1
    objective = cover.value()
    bound = max(max_covering_lp_bound(problem, k), objective)
    return SitingSolution(
        sites=np.sort(np.asarray(chosen, dtype=np.int64)),
        objective=objective,
        bound=bound,
        gap=relative_gap(objective, bound),
        status=SolveStatus.HEURISTIC,
        method="greedy_swap" if local_search else "greedy",
        solve_time_s=time.perf_counter() - started,
    )


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
