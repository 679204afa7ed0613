"""Compiled (numba) passes of the siting heuristics: merged demand rows, greedy, swaps
and the Lagrangian bound of maximal covering. No I/O and no global state.
"""

import numba
import numpy as np
from numpy.typing import NDArray


@numba.njit(cache=True, nogil=True)
def row_hashes(
    indptr: NDArray[np.int32],
    indices: NDArray[np.int32],
    column_hash: NDArray[np.uint64],
    out: NDArray[np.uint64],
) -> None:
    """Per row, the sum modulo 2**64 of ``column_hash`` (n_keys, n_columns) over its
    columns, into ``out`` (n_keys, n_rows): equal for rows with the same column set."""
    for row in range(indptr.size - 1):
        for key in range(column_hash.shape[0]):
            total = np.uint64(0)
            for entry in range(indptr[row], indptr[row + 1]):
                total += column_hash[key, indices[entry]]
            out[key, row] = total


@numba.njit(cache=True, nogil=True)
def rows_match(
    indptr: NDArray[np.int32],
    indices: NDArray[np.int32],
    rows: NDArray[np.int64],
    representative: NDArray[np.int64],
    n_columns: int,
) -> bool:
    """Whether each of ``rows`` has exactly the columns of its ``representative`` row."""
    mark = np.zeros(n_columns, dtype=np.bool_)
    for position in range(rows.size):
        row = rows[position]
        other = representative[position]
        length = indptr[row + 1] - indptr[row]
        if length != indptr[other + 1] - indptr[other]:
            return False
        for entry in range(indptr[other], indptr[other + 1]):
            mark[indices[entry]] = True
        same = True
        for entry in range(indptr[row], indptr[row + 1]):
            if not mark[indices[entry]]:
                same = False
        for entry in range(indptr[other], indptr[other + 1]):
            mark[indices[entry]] = False
        if not same:
            return False
    return True


@numba.njit(cache=True, nogil=True)
def greedy_sites(
    site_ptr: NDArray[np.int64],
    site_rows: NDArray[np.int32],
    row_ptr: NDArray[np.int64],
    row_sites: NDArray[np.int32],
    weight: NDArray[np.float64],
    k: int,
) -> NDArray[np.int64]:
    """Take, k times, the site adding the most uncovered weight (stop when none adds any).

    Gains are kept up to date as rows get covered, so the whole run reads each pair
    about twice. Ties go to the lowest site index.
    """
    n_sites = site_ptr.size - 1
    gain = np.zeros(n_sites)
    for site in range(n_sites):
        for entry in range(site_ptr[site], site_ptr[site + 1]):
            gain[site] += weight[site_rows[entry]]
    covered = np.zeros(weight.size, dtype=np.bool_)
    taken = np.zeros(n_sites, dtype=np.bool_)
    chosen = np.empty(min(k, n_sites), dtype=np.int64)
    count = 0
    while count < chosen.size:
        best = -1
        best_gain = 0.0
        for site in range(n_sites):
            if not taken[site] and gain[site] > best_gain:
                best_gain = gain[site]
                best = site
        if best < 0:
            break
        chosen[count] = best
        taken[best] = True
        count += 1
        for entry in range(site_ptr[best], site_ptr[best + 1]):
            row = site_rows[entry]
            if not covered[row]:
                covered[row] = True
                for other in range(row_ptr[row], row_ptr[row + 1]):
                    gain[row_sites[other]] -= weight[row]
    return chosen[:count]


@numba.njit(cache=True, nogil=True)
def _count_row(
    row: int,
    sign: float,
    row_ptr: NDArray[np.int64],
    row_sites: NDArray[np.int32],
    weight: NDArray[np.float64],
    count: NDArray[np.int64],
    owner: NDArray[np.int64],
    gain: NDArray[np.float64],
    regain: NDArray[np.float64],
) -> None:
    """Add (``sign`` 1) or take away (-1) what ``row`` adds to its sites' gain (when
    no chosen site covers it) or regain (when exactly one does)."""
    if count[row] == 0:
        for entry in range(row_ptr[row], row_ptr[row + 1]):
            gain[row_sites[entry]] += sign * weight[row]
    elif count[row] == 1:
        for entry in range(row_ptr[row], row_ptr[row + 1]):
            regain[row_sites[entry], owner[row]] += sign * weight[row]


@numba.njit(cache=True, nogil=True)
def _move_site(
    site: int,
    position: int,
    change: int,
    site_ptr: NDArray[np.int64],
    site_rows: NDArray[np.int32],
    row_ptr: NDArray[np.int64],
    row_sites: NDArray[np.int32],
    weight: NDArray[np.float64],
    count: NDArray[np.int64],
    owner: NDArray[np.int64],
    gain: NDArray[np.float64],
    regain: NDArray[np.float64],
) -> None:
    """Add (``change`` 1) or remove (-1) the chosen ``site`` at ``position``."""
    for entry in range(site_ptr[site], site_ptr[site + 1]):
        row = site_rows[entry]
        _count_row(row, -1.0, row_ptr, row_sites, weight, count, owner, gain, regain)
        count[row] += change
        owner[row] += change * position
        _count_row(row, 1.0, row_ptr, row_sites, weight, count, owner, gain, regain)


@numba.njit(cache=True, nogil=True)
def swap_search(
    site_ptr: NDArray[np.int64],
    site_rows: NDArray[np.int32],
    row_ptr: NDArray[np.int64],
    row_sites: NDArray[np.int32],
    weight: NDArray[np.float64],
    chosen: NDArray[np.int64],
    max_rounds: int,
    tolerance: float,
) -> int:
    """Make the best single swap (one chosen site out, one other in) while it adds more
    than ``tolerance``; ``chosen`` is changed in place. Returns the number of swaps.

    Per site, kept up to date as rows change: ``gain`` (the weight no chosen site covers)
    and ``regain[site, p]`` (the weight only the p-th chosen site covers); a swap of p
    for c then adds ``gain[c] + regain[c, p] - regain[chosen[p], p]``. A swap touches
    only the rows of the two sites and the sites covering those rows.
    """
    n_sites = site_ptr.size - 1
    size = chosen.size
    count = np.zeros(weight.size, dtype=np.int64)
    owner = np.zeros(weight.size, dtype=np.int64)  # sum of the covering positions
    is_chosen = np.zeros(n_sites, dtype=np.bool_)
    for position in range(size):
        site = chosen[position]
        is_chosen[site] = True
        for entry in range(site_ptr[site], site_ptr[site + 1]):
            count[site_rows[entry]] += 1
            owner[site_rows[entry]] += position
    gain = np.zeros(n_sites)
    regain = np.zeros((n_sites, size))
    for row in range(weight.size):
        _count_row(row, 1.0, row_ptr, row_sites, weight, count, owner, gain, regain)
    rounds = 0
    while rounds < max_rounds:
        best_delta = tolerance
        best_site = -1
        best_position = -1
        for site in range(n_sites):
            if is_chosen[site]:
                continue
            for position in range(size):
                delta = (
                    gain[site]
                    + regain[site, position]
                    - regain[chosen[position], position]
                )
                if delta > best_delta:
                    best_delta = delta
                    best_site = site
                    best_position = position
        if best_site < 0:
            break
        old = chosen[best_position]
        arrays = (site_ptr, site_rows, row_ptr, row_sites, weight, count, owner)
        _move_site(old, best_position, -1, *arrays, gain, regain)
        _move_site(best_site, best_position, 1, *arrays, gain, regain)
        is_chosen[old] = False
        is_chosen[best_site] = True
        chosen[best_position] = best_site
        rounds += 1
    return rounds


@numba.njit(cache=True, nogil=True)
def covered_weight(
    site_ptr: NDArray[np.int64],
    site_rows: NDArray[np.int32],
    weight: NDArray[np.float64],
    sites: NDArray[np.int64],
    mark: NDArray[np.bool_],
) -> float:
    """The weight of the rows any of ``sites`` covers; ``mark`` (n_rows,) is all False
    scratch and is left so."""
    total = 0.0
    for site in sites:
        for entry in range(site_ptr[site], site_ptr[site + 1]):
            row = site_rows[entry]
            if not mark[row]:
                mark[row] = True
                total += weight[row]
    for site in sites:
        for entry in range(site_ptr[site], site_ptr[site + 1]):
            mark[site_rows[entry]] = False
    return total


@numba.njit(cache=True, nogil=True)
def _top_sites(values: NDArray[np.float64], k: int, out: NDArray[np.int64]) -> float:
    """Write the indices of the ``k`` largest ``values`` into ``out``; return their sum."""
    n = values.size
    threshold = np.partition(values, n - k)[n - k]
    filled = 0
    total = 0.0
    for site in range(n):
        if values[site] > threshold:
            out[filled] = site
            filled += 1
            total += values[site]
    for site in range(n):
        if filled == k:
            break
        if values[site] == threshold:
            out[filled] = site
            filled += 1
            total += values[site]
    return total


@numba.njit(cache=True, nogil=True)
def lagrangian_value(
    site_ptr: NDArray[np.int64],
    site_rows: NDArray[np.int32],
    weight: NDArray[np.float64],
    price: NDArray[np.float64],
    k: int,
) -> float:
    """The bound ``sum(weight - price) + (sum of the k largest site sums of price)``.

    Valid for any ``0 <= price <= weight``: relaxing "a row counts only if a chosen site
    covers it" with these prices, no choice of k sites can cover more.
    """
    n_sites = site_ptr.size - 1
    sums = np.zeros(n_sites)
    for site in range(n_sites):
        for entry in range(site_ptr[site], site_ptr[site + 1]):
            sums[site] += price[site_rows[entry]]
    value = 0.0
    for row in range(weight.size):
        value += weight[row] - price[row]
    top = np.empty(k, dtype=np.int64)
    return value + _top_sites(sums, k, top)


@numba.njit(cache=True, nogil=True)
def lagrangian_descent(  # noqa: C901, PLR0913  # kept whole: one pass per iteration
    site_ptr: NDArray[np.int64],
    site_rows: NDArray[np.int32],
    weight: NDArray[np.float64],
    k: int,
    price: NDArray[np.float64],
    direction: NDArray[np.float64],
    target: float,
    max_iterations: int,
    stop_gap: float,
    patience: int,
    scale: float,
    deflection: float,
    best_sites: NDArray[np.int64],
) -> tuple[float, float, int, float]:
    """Lower the Lagrangian bound by projected, deflected subgradient steps on the prices.

    ``price`` (n_rows,, within 0..weight) is the start and holds the best prices on
    return; ``direction`` (n_rows,) is the previous step's direction (zeros to start),
    each new one being the subgradient plus ``deflection`` times it. Steps are ``scale``
    times Polyak's towards ``target`` (the best coverage known), the scale halved after
    ``patience`` steps without a lower bound. Each iterate's k sites are also an answer;
    the best is written to ``best_sites`` (k,). Stops when the bound is within
    ``stop_gap`` (relative) of the best answer. Returns (best bound, best answer's
    weight, iterations, scale) so a caller can resume.
    """
    n_sites = site_ptr.size - 1
    n_rows = weight.size
    sums = np.empty(n_sites)
    descent = np.empty(n_rows)
    top = np.empty(k, dtype=np.int64)
    mark = np.zeros(n_rows, dtype=np.bool_)
    best_price = price.copy()
    best_bound = np.inf
    best_answer = -1.0
    since_better = 0
    iteration = 0
    while iteration < max_iterations:
        iteration += 1
        for site in range(n_sites):
            total = 0.0
            for entry in range(site_ptr[site], site_ptr[site + 1]):
                total += price[site_rows[entry]]
            sums[site] = total
        value = _top_sites(sums, k, top)
        for row in range(n_rows):
            value += weight[row] - price[row]
            descent[row] = 1.0  # rows the relaxation counts as covered ...
        for top_site in top:
            for entry in range(site_ptr[top_site], site_ptr[top_site + 1]):
                descent[site_rows[entry]] -= 1.0  # ... less the chosen sites' cover
        answer = covered_weight(site_ptr, site_rows, weight, top, mark)
        if answer > best_answer:
            best_answer = answer
            best_sites[:] = top
            target = max(target, answer)
        if value < best_bound:
            best_bound = value
            best_price[:] = price
            since_better = 0
        else:
            since_better += 1
            if since_better >= patience:
                scale *= 0.5
                since_better = 0
        if best_bound - target <= stop_gap * best_bound:
            break
        norm = 0.0
        for row in range(n_rows):
            step_row = descent[row] + deflection * direction[row]
            direction[row] = step_row
            if (step_row > 0 and price[row] < weight[row]) or (
                step_row < 0 and price[row] > 0
            ):
                norm += step_row * step_row
        if norm == 0.0:
            break
        step = scale * (value - target) / norm
        for row in range(n_rows):
            moved = price[row] + step * direction[row]
            price[row] = min(max(moved, 0.0), weight[row])
    price[:] = best_price
    return best_bound, best_answer, iteration, scale


@numba.njit(cache=True, nogil=True)
def cover_counts(
    site_ptr: NDArray[np.int64],
    site_rows: NDArray[np.int32],
    n_rows: int,
    chosen: NDArray[np.int64],
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Per row, how many of ``chosen`` cover it and the sum of their positions (which
    is the one covering position when exactly one does)."""
    count = np.zeros(n_rows, dtype=np.int64)
    owner = np.zeros(n_rows, dtype=np.int64)
    for position in range(chosen.size):
        site = chosen[position]
        for entry in range(site_ptr[site], site_ptr[site + 1]):
            count[site_rows[entry]] += 1
            owner[site_rows[entry]] += position
    return count, owner


@numba.njit(cache=True, nogil=True)
def price_family_terms(
    site_ptr: NDArray[np.int64],
    site_rows: NDArray[np.int32],
    weight: NDArray[np.float64],
    count: NDArray[np.int64],
    owner: NDArray[np.int64],
    size: int,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Site sums of the prices ``weight`` on uncovered rows, 0 on rows covered twice or
    more and ``theta[p] * weight`` on rows only chosen position p covers, as
    ``uncovered (n_sites,) + single (n_sites, size) @ theta``."""
    n_sites = site_ptr.size - 1
    uncovered = np.zeros(n_sites)
    single = np.zeros((n_sites, size))
    for site in range(n_sites):
        for entry in range(site_ptr[site], site_ptr[site + 1]):
            row = site_rows[entry]
            if count[row] == 0:
                uncovered[site] += weight[row]
            elif count[row] == 1:
                single[site, owner[row]] += weight[row]
    return uncovered, single
