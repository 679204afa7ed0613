"""Compiled (numba) shortest-path searches over CSR graphs that touch only what they reach.

Both searches keep their queue in buckets of width ``width`` seconds (a sequential
delta-stepping): a node is taken from the lowest non-empty bucket and its edges relaxed,
and a node improved again within the bucket is simply taken again. There is no heap to
sift, so a node costs about what a breadth-first traversal pays for it. The result is
exact and equal to scipy's ``dijkstra``: every time is the float64 sum along a shortest
path, and the times of a graph with positive weights are the one solution of
``t[v] = min over edges (u, v) of t[u] + w(u, v)``, whatever order the relaxations ran
in. Times greater than the limit are left out (equal ones kept). Only the *source* of a
node exactly as far from two sources may differ from scipy's choice.

The queue's entries live in fixed arrays of ``entry_capacity``; should a search need more
(it never did: it needs about the number of edges it touches), it stops and says so, and
the caller retries with more. Compiled code is cached on disk (``cache=True``): the first
use ever compiles for a few seconds, later processes load it.
"""

import numba
import numpy as np
from numpy.typing import NDArray

# Status codes returned by the kernels.
DONE = 0
ENTRIES_FULL = 1
OUTPUT_FULL = 2

# Bucket width: this quantile of the edge weights, but no narrower than the largest weight
# over MAX_BUCKETS (zero-length segments would otherwise make millions of buckets).
WIDTH_QUANTILE = 0.05
MAX_BUCKETS = 4096
# A site's nodes come out in order by scanning their id range when it is at most this many
# times their number, else by sorting them.
SCAN_SPAN_PER_NODE = 16


def bucket_layout(weight: NDArray[np.float64]) -> tuple[float, int]:
    """Return (bucket width in seconds, number of circular buckets) for these weights."""
    positive = weight[weight > 0]
    if positive.size == 0:
        return 1.0, 3
    sample = positive[:: max(1, positive.size // 20_000)]
    largest = float(positive.max())
    width = max(float(np.quantile(sample, WIDTH_QUANTILE)), largest / MAX_BUCKETS)
    # Every entry lies within `largest` of the bucket being emptied: the ring must hold
    # that span plus a bucket on each side (and one for rounding). A power of two, so a
    # bucket's slot is a bit mask.
    needed = int(largest / width) + 3
    return width, 1 << (needed - 1).bit_length()


@numba.njit(cache=True, nogil=True)
def nearest_source(
    indptr: NDArray[np.int32],
    indices: NDArray[np.int32],
    weight: NDArray[np.float64],
    source: NDArray[np.int64],
    source_label: NDArray[np.int64],
    limit: float,
    width: float,
    n_buckets: int,
    entry_capacity: int,
) -> tuple[NDArray[np.float64], NDArray[np.int64], int]:
    """Return (time, label, status) per node: the time from the nearest of ``source``
    and that source's ``source_label``.

    ``source`` holds distinct nodes. Nodes beyond ``limit`` keep ``inf`` and label -1.
    """
    n_nodes = indptr.size - 1
    distance = np.full(n_nodes, np.inf)
    label = np.full(n_nodes, -1, dtype=np.int64)
    head = np.full(n_buckets, -1, dtype=np.int64)
    entry_node = np.empty(entry_capacity, dtype=np.int64)
    entry_key = np.empty(entry_capacity, dtype=np.float64)
    entry_next = np.empty(entry_capacity, dtype=np.int64)
    if source.size > entry_capacity:
        return distance, label, ENTRIES_FULL
    inverse_width = 1.0 / width
    mask = n_buckets - 1
    free = -1
    used = 0
    live = 0
    for position in range(source.size):
        node = source[position]
        distance[node] = 0.0
        label[node] = source_label[position]
        entry_node[used] = node
        entry_key[used] = 0.0
        entry_next[used] = head[0]
        head[0] = used
        used += 1
        live += 1
    bucket = 0
    while live > 0:
        slot = bucket & mask
        while head[slot] != -1:
            entry = head[slot]
            head[slot] = entry_next[entry]
            live -= 1
            node = entry_node[entry]
            key = entry_key[entry]
            entry_next[entry] = free
            free = entry
            if key != distance[node]:
                continue  # stale: the node was improved after this entry was made
            own_label = label[node]
            for edge in range(indptr[node], indptr[node + 1]):
                neighbour = indices[edge]
                candidate = key + weight[edge]
                if candidate < distance[neighbour] and candidate <= limit:
                    distance[neighbour] = candidate
                    label[neighbour] = own_label
                    if free != -1:
                        new_entry = free
                        free = entry_next[free]
                    elif used < entry_capacity:
                        new_entry = used
                        used += 1
                    else:
                        return distance, label, ENTRIES_FULL
                    target = np.int64(candidate * inverse_width) & mask
                    entry_node[new_entry] = neighbour
                    entry_key[new_entry] = candidate
                    entry_next[new_entry] = head[target]
                    head[target] = new_entry
                    live += 1
        bucket += 1
    return distance, label, DONE


@numba.njit(cache=True, nogil=True)
def reach_into(  # noqa: C901  # kept whole: helper calls cost per node
    indptr: NDArray[np.int32],
    indices: NDArray[np.int32],
    weight: NDArray[np.float64],
    site: NDArray[np.int64],
    limit: float,
    width: float,
    n_buckets: int,
    distance: NDArray[np.float64],
    touched: NDArray[np.int64],
    entry_capacity: int,
    count: NDArray[np.int64],
    out_node: NDArray[np.int64],
    out_time: NDArray[np.float64],
) -> tuple[int, int, int]:
    """Search each of ``site`` in turn, appending its reached nodes (sorted) and times.

    ``distance`` (n_nodes,) must be all ``inf`` and is left so; ``touched`` is scratch of
    n_nodes. Writes ``count[j]`` for each finished site j. Returns (finished sites, pairs
    written, status): stops early, the unfinished site written nowhere, when the queue's
    entries or the output arrays are full.
    """
    n_nodes = indptr.size - 1
    head = np.full(n_buckets, -1, dtype=np.int64)
    entry_node = np.empty(entry_capacity, dtype=np.int64)
    entry_key = np.empty(entry_capacity, dtype=np.float64)
    entry_next = np.empty(entry_capacity, dtype=np.int64)
    inverse_width = 1.0 / width
    mask = n_buckets - 1
    pairs = 0
    for position in range(site.size):
        start = site[position]
        distance[start] = 0.0
        touched[0] = start
        touched_count = 1
        entry_node[0] = start
        entry_key[0] = 0.0
        entry_next[0] = -1
        head[0] = 0
        free = -1
        used = 1
        live = 1
        bucket = 0
        status = DONE
        while live > 0 and status == DONE:
            slot = bucket & mask
            while head[slot] != -1:
                entry = head[slot]
                head[slot] = entry_next[entry]
                live -= 1
                node = entry_node[entry]
                key = entry_key[entry]
                entry_next[entry] = free
                free = entry
                if key != distance[node]:
                    continue
                for edge in range(indptr[node], indptr[node + 1]):
                    neighbour = indices[edge]
                    candidate = key + weight[edge]
                    if candidate < distance[neighbour] and candidate <= limit:
                        if distance[neighbour] == np.inf:
                            touched[touched_count] = neighbour
                            touched_count += 1
                        distance[neighbour] = candidate
                        if free != -1:
                            new_entry = free
                            free = entry_next[free]
                        elif used < entry_capacity:
                            new_entry = used
                            used += 1
                        else:
                            status = ENTRIES_FULL
                            break
                        target = np.int64(candidate * inverse_width) & mask
                        entry_node[new_entry] = neighbour
                        entry_key[new_entry] = candidate
                        entry_next[new_entry] = head[target]
                        head[target] = new_entry
                        live += 1
                if status != DONE:
                    break
            bucket += 1
        if status == DONE and pairs + touched_count > out_node.size:
            status = OUTPUT_FULL
        if status != DONE:
            for offset in range(touched_count):
                distance[touched[offset]] = np.inf
            head[:] = -1
            return position, pairs, status
        lowest = n_nodes
        highest = -1
        for offset in range(touched_count):
            node = touched[offset]
            lowest = min(lowest, node)
            highest = max(highest, node)
        if highest - lowest < SCAN_SPAN_PER_NODE * touched_count:
            # Nodes in order by scanning their id range: cheaper than sorting them.
            offset = pairs
            for node in range(lowest, highest + 1):
                if distance[node] != np.inf:
                    out_node[offset] = node
                    out_time[offset] = distance[node]
                    distance[node] = np.inf
                    offset += 1
        else:
            reached = np.sort(touched[:touched_count])
            for offset in range(touched_count):
                node = reached[offset]
                out_node[pairs + offset] = node
                out_time[pairs + offset] = distance[node]
                distance[node] = np.inf
        pairs += touched_count
        count[position] = touched_count
    return site.size, pairs, DONE


# --- Maximal covering: greedy, one-swap local search and the Lagrangian bound -----------
#
# The siting kernels work on a coverage pattern stored both ways: by site (``site_ptr``,
# ``site_rows``: the rows each site covers) and by row (``row_ptr``, ``row_sites``), with
# one weight per row. Each pass costs the number of (row, site) pairs it reads.
