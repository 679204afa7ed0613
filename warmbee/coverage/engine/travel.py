"""Travel times towards stations: the nearest station of every node, and reach sets.

Both search the reverse graph from the stations, so every time is the time *to* a
station, which differs from the time from it where one-way streets apply.
"""

import weakref
from dataclasses import dataclass
from typing import Literal

import numpy as np
import scipy.sparse
from numpy.typing import ArrayLike, NDArray
from scipy.sparse.csgraph import dijkstra

from warmbee.coverage.engine import kernels
from warmbee.coverage.engine.errors import InvalidInputError
from warmbee.coverage.engine.network import ModeGraph
from warmbee.coverage.engine.snapping import NodeSnapper

ReachMethod = Literal["auto", "compiled", "local", "dense"]
NearestMethod = Literal["auto", "compiled", "scipy"]
# The local method pays per node inside each site's disk; the dense one per node of the
# whole graph. Measured break-even: the graph about 100 times one disk (bench/).
DENSE_WHEN_NODES_PER_DISK_BELOW = 100.0
DENSE_BATCH_ENTRIES = 8_000_000
LOCAL_BATCH_SITES = 64
LOCAL_BATCH_DISK_NODES = 1_000_000
# The compiled reach search writes its pairs into buffers of at least this many entries.
COMPILED_OUTPUT_PAIRS = 1 << 20

_BUCKET_LAYOUT: "weakref.WeakKeyDictionary[ModeGraph, tuple[float, int]]" = (
    weakref.WeakKeyDictionary()
)


def _bucket_layout(graph: ModeGraph) -> tuple[float, int]:
    """Return the compiled searches' bucket width and count, computed once per graph."""
    layout = _BUCKET_LAYOUT.get(graph)
    if layout is None:
        layout = kernels.bucket_layout(np.asarray(graph.reverse.data, np.float64))
        _BUCKET_LAYOUT[graph] = layout
    return layout


def _reverse_arrays(
    graph: ModeGraph,
) -> tuple[NDArray[np.int32], NDArray[np.int32], NDArray[np.float64]]:
    reverse = graph.reverse
    return (
        np.asarray(reverse.indptr, dtype=np.int32),
        np.asarray(reverse.indices, dtype=np.int32),
        np.asarray(reverse.data, dtype=np.float64),
    )


@dataclass(frozen=True)
class NearestStation:
    """Per node (n_nodes,): travel time to the nearest station and that station's index.

    Beyond the search limit the time is ``inf`` and the station -1.
    """

    travel_time_s: NDArray[np.float64]
    station: NDArray[np.int64]


@dataclass(frozen=True)
class ReachSets:
    """Per site, the nodes that reach it within the limit, in CSR order by site.

    ``node`` and ``travel_time_s`` have shape (n_pairs,); the pairs of site j are
    ``indptr[j]:indptr[j + 1]``, sorted by node.
    """

    indptr: NDArray[np.int64]
    node: NDArray[np.int64]
    travel_time_s: NDArray[np.float64]
    node_count: int

    @property
    def site_count(self) -> int:
        return int(self.indptr.shape[0] - 1)

    @property
    def pair_count(self) -> int:
        return int(self.node.shape[0])

    def site(self) -> NDArray[np.int64]:
        """Return the site of every pair, shape (n_pairs,)."""
        return np.repeat(
            np.arange(self.site_count, dtype=np.int64), np.diff(self.indptr)
        )


def _check_nodes(graph: ModeGraph, nodes: ArrayLike) -> NDArray[np.int64]:
    array = np.atleast_1d(np.asarray(nodes, dtype=np.int64))
    if array.ndim != 1 or (
        array.size and (array.min() < 0 or array.max() >= graph.node_count)
    ):
        raise InvalidInputError(reason="station nodes must be nodes of the network")
    return array


def nearest_station(
    graph: ModeGraph,
    station_node: ArrayLike,
    *,
    limit_s: float = np.inf,
    method: NearestMethod = "auto",
) -> NearestStation:
    """Return every node's travel time to its nearest station, in one bounded pass.

    A multi-source shortest-path search over the reverse graph stops at ``limit_s``
    seconds (times equal to the limit are kept). Stations sharing a node resolve to the
    first of them. ``compiled`` (and ``auto``) runs the numba bucket search of
    ``kernels``, ``scipy`` scipy's ``dijkstra(min_only=True)``: the times are equal; a
    node exactly as far from two stations may name either.
    """
    if method not in ("auto", "compiled", "scipy"):
        raise InvalidInputError(reason=f"unknown method {method!r}")
    stations = _check_nodes(graph, station_node)
    n_nodes = graph.node_count
    if stations.size == 0:
        return NearestStation(
            np.full(n_nodes, np.inf), np.full(n_nodes, -1, dtype=np.int64)
        )
    unique_nodes, first_station = np.unique(stations, return_index=True)
    first_station = first_station.astype(np.int64, copy=False)
    if method != "scipy":
        return _compiled_nearest(graph, unique_nodes, first_station, limit_s)
    travel_time_s, _, source = dijkstra(
        graph.reverse,
        directed=True,
        indices=unique_nodes,
        min_only=True,
        limit=limit_s,
        return_predecessors=True,
    )
    station_at_node = np.full(n_nodes, -1, dtype=np.int64)
    station_at_node[unique_nodes] = first_station
    reached = source >= 0
    station = np.full(n_nodes, -1, dtype=np.int64)
    station[reached] = station_at_node[source[reached]]
    return NearestStation(np.asarray(travel_time_s, dtype=np.float64), station)


def _compiled_nearest(
    graph: ModeGraph,
    unique_nodes: NDArray[np.int64],
    first_station: NDArray[np.int64],
    limit_s: float,
) -> NearestStation:
    indptr, indices, weight = _reverse_arrays(graph)
    width, n_buckets = _bucket_layout(graph)
    capacity = indices.size + unique_nodes.size + 1
    while True:
        travel_time_s, station, status = kernels.nearest_source(
            indptr,
            indices,
            weight,
            unique_nodes,
            first_station,
            float(limit_s),
            width,
            n_buckets,
            capacity,
        )
        if status == kernels.DONE:
            break
        capacity *= 2
    return NearestStation(travel_time_s, station)


def _compiled_reach(
    graph: ModeGraph, sites: NDArray[np.int64], limit_s: float
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]:
    """Search each site with the compiled kernel, growing its buffers when they fill."""
    indptr, indices, weight = _reverse_arrays(graph)
    width, n_buckets = _bucket_layout(graph)
    n_nodes = graph.node_count
    distance = np.full(n_nodes, np.inf)
    touched = np.empty(n_nodes, dtype=np.int64)
    count = np.zeros(sites.size, dtype=np.int64)
    entry_capacity = indices.size + 1
    output_size = max(COMPILED_OUTPUT_PAIRS, n_nodes)
    nodes, times = [], []
    first = 0
    while first < sites.size:
        out_node = np.empty(output_size, dtype=np.int64)
        out_time = np.empty(output_size, dtype=np.float64)
        done, pairs, status = kernels.reach_into(
            indptr,
            indices,
            weight,
            sites[first:],
            float(limit_s),
            width,
            n_buckets,
            distance,
            touched,
            entry_capacity,
            count[first:],
            out_node,
            out_time,
        )
        nodes.append(out_node[:pairs].copy())
        times.append(out_time[:pairs].copy())
        first += done
        if status == kernels.ENTRIES_FULL:
            entry_capacity *= 2
        elif status == kernels.OUTPUT_FULL:
            output_size *= 2
    site = np.repeat(np.arange(sites.size, dtype=np.int64), count)
    if not nodes:
        return site, np.zeros(0, np.int64), np.zeros(0, np.float64)
    return site, np.concatenate(nodes), np.concatenate(times)


def _dense_reach(
    graph: ModeGraph, sites: NDArray[np.int64], limit_s: float
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]:
    batch = max(1, DENSE_BATCH_ENTRIES // max(graph.node_count, 1))
    parts = []
    for first in range(0, sites.size, batch):
        times = dijkstra(
            graph.reverse,
            directed=True,
            indices=sites[first : first + batch],
            limit=limit_s,
        )
        reached = np.isfinite(times)
        row, node = np.nonzero(reached)
        parts.append((row + first, node, times[reached]))
    return _concatenate(parts)


def _local_batch(
    graph: ModeGraph,
    sites: NDArray[np.int64],
    disks: scipy.sparse.csr_array,
    limit_s: float,
    scratch: NDArray[np.int32],
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]:
    """Search each site's disk as one block of a block-diagonal graph, in one pass.

    Every block holds one source, so a multi-source search gives each node the time to
    its own block's site. ``scratch`` (n_nodes,) is all -1 and is left so: per block it
    maps node ids to positions in the batch, touching only the block's nodes.
    """
    reverse = graph.reverse
    nodes = disks.indices.astype(np.int64)
    starts = reverse.indptr[nodes].astype(np.int64)
    counts = reverse.indptr[nodes + 1] - starts
    ends = np.cumsum(counts)
    edge = np.repeat(starts - ends + counts, counts) + np.arange(
        ends[-1] if ends.size else 0
    )
    neighbour = reverse.indices[edge]
    position = np.empty(edge.size, dtype=np.int32)
    source = np.empty(sites.size, dtype=np.int32)
    node_bounds = disks.indptr.tolist()
    edge_bounds = [0, *ends[np.asarray(node_bounds[1:], dtype=np.int64) - 1].tolist()]
    for block in range(sites.size):
        first, last = node_bounds[block], node_bounds[block + 1]
        block_nodes = nodes[first:last]
        scratch[block_nodes] = np.arange(first, last, dtype=np.int32)
        # Each site lies in its own disk, at distance 0.
        source[block] = scratch[sites[block]]
        edges = slice(edge_bounds[block], edge_bounds[block + 1])
        position[edges] = scratch[neighbour[edges]]
        scratch[block_nodes] = -1
    inside = position >= 0
    row = np.repeat(np.arange(nodes.size, dtype=np.int64), counts)[inside]
    block_indptr = np.zeros(nodes.size + 1, dtype=np.int32)
    np.cumsum(np.bincount(row, minlength=nodes.size), out=block_indptr[1:])
    blocks = scipy.sparse.csr_array(
        (reverse.data[edge[inside]], position[inside], block_indptr),
        shape=(nodes.size, nodes.size),
    )
    block_of = np.repeat(np.arange(sites.size, dtype=np.int64), np.diff(disks.indptr))
    times = dijkstra(
        blocks, directed=True, indices=source, min_only=True, limit=limit_s
    )
    hit = np.isfinite(times)
    return block_of[hit], nodes[hit], times[hit]


def _local_reach(
    graph: ModeGraph, sites: NDArray[np.int64], limit_s: float, snapper: NodeSnapper
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]:
    # No path within the limit leaves the disk of radius limit x top speed: every edge
    # is at least as long as the straight line between its ends. Disks sorted by node
    # keep each block's search local in memory (about 10 % faster than kd-tree order).
    radius_m = limit_s * graph.max_speed_m_s
    disks = snapper.nodes_within(
        graph.lat_deg[sites], graph.lon_deg[sites], radius_m=radius_m
    )
    disk_size = np.diff(disks.indptr)
    scratch = np.full(graph.node_count, -1, dtype=np.int32)
    parts = []
    first = 0
    while first < sites.size:
        last = first + 1
        budget = disk_size[first]
        while last < min(sites.size, first + LOCAL_BATCH_SITES):
            if budget + disk_size[last] > LOCAL_BATCH_DISK_NODES:
                break
            budget += disk_size[last]
            last += 1
        site, node, time_s = _local_batch(
            graph, sites[first:last], disks[first:last], limit_s, scratch
        )
        parts.append((site + first, node, time_s))
        first = last
    return _concatenate(parts)


def _concatenate(
    parts: list[tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]],
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]:
    if not parts:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float64)
    site, node, time_s = zip(*parts, strict=True)
    return np.concatenate(site), np.concatenate(node), np.concatenate(time_s)


def choose_reach_method(
    graph: ModeGraph, sites: NDArray[np.int64], limit_s: float, snapper: NodeSnapper
) -> Literal["local", "dense"]:
    """Pick the cheaper method from the disk sizes of up to 32 of the sites."""
    if not np.isfinite(limit_s) or sites.size == 0:
        return "dense"
    sample = sites[:: max(1, sites.size // 32)]
    disks = snapper.nodes_within(
        graph.lat_deg[sample],
        graph.lon_deg[sample],
        radius_m=limit_s * graph.max_speed_m_s,
    )
    mean_disk = disks.nnz / sample.size
    return (
        "dense"
        if graph.node_count <= DENSE_WHEN_NODES_PER_DISK_BELOW * mean_disk
        else "local"
    )


def reach_sets(
    graph: ModeGraph,
    site_node: ArrayLike,
    *,
    limit_s: float,
    snapper: NodeSnapper | None = None,
    method: ReachMethod = "auto",
) -> ReachSets:
    """Return, for each site (n_sites,), the nodes reaching it within ``limit_s`` seconds.

    ``compiled`` (and ``auto``) runs one numba bucket search per site that touches only
    what the site reaches (``kernels``); ``local`` (scipy) searches each site's disk of
    radius ``limit_s`` times the mode's top speed only, so it too costs what a site
    reaches, not the graph size; ``dense`` runs scipy's Dijkstra over the whole graph per
    site. All give the same pairs and times. Pass the network's ``snapper`` to reuse its
    kd-tree (``local`` only).
    """
    sites = _check_nodes(graph, site_node)
    if not limit_s >= 0:
        raise InvalidInputError(reason="the limit must not be negative")
    if method not in ("auto", "compiled", "local", "dense"):
        raise InvalidInputError(reason=f"unknown method {method!r}")
    if method == "local" and snapper is None:
        snapper = NodeSnapper(graph.lat_deg, graph.lon_deg)
    if method in ("auto", "compiled"):
        site, node, time_s = _compiled_reach(graph, sites, limit_s)
    elif method == "local" and np.isfinite(limit_s):
        assert snapper is not None  # noqa: S101  # set just above
        site, node, time_s = _local_reach(graph, sites, limit_s, snapper)
    else:
        site, node, time_s = _dense_reach(graph, sites, limit_s)
    indptr = np.zeros(sites.size + 1, dtype=np.int64)
    np.cumsum(np.bincount(site, minlength=sites.size), out=indptr[1:])
    return ReachSets(
        indptr=indptr, node=node, travel_time_s=time_s, node_count=graph.node_count
    )
