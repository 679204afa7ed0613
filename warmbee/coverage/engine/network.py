"""A road network as compact CSR arrays, and its travel-time graph for one travel mode.

Nodes are junctions and shape points of the roads; edges are directed road segments. Each
edge carries its length, its road class and which travel modes may use it in its direction,
so speeds can change without a new import. No I/O here (see ``storage``).
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

import numpy as np
import scipy.sparse
from numpy.typing import ArrayLike, NDArray
from scipy.sparse.csgraph import connected_components

from warmbee.coverage.engine.errors import InvalidInputError


class TravelMode(StrEnum):
    WALK = "walk"
    EBIKE = "ebike"
    CAR = "car"


MODE_BIT: Mapping[TravelMode, int] = MappingProxyType(
    {TravelMode.WALK: 1, TravelMode.EBIKE: 2, TravelMode.CAR: 4}
)
ALL_MODES_BITS = 7

# OpenStreetMap ``highway`` values that make up a network, major roads first: when two
# ways share a segment the segment keeps the more major class.
ROAD_CLASSES: tuple[str, ...] = (
    "motorway",
    "trunk",
    "primary",
    "secondary",
    "tertiary",
    "unclassified",
    "residential",
    "living_street",
    "service",
    "road",
    "track",
    "cycleway",
    "path",
    "footway",
    "pedestrian",
    "bridleway",
    "steps",
)
ROAD_CLASS_CODE: Mapping[str, int] = MappingProxyType(
    {name: code for code, name in enumerate(ROAD_CLASSES)}
)
# Sparse graphs cannot hold a zero weight reliably; a segment between two nodes at the
# same position still takes this long.
MIN_EDGE_TRAVEL_TIME_S = 1e-3


@dataclass(frozen=True)
class SpeedProfile:
    """Speeds of one travel mode: a default and optional speeds per road class."""

    mode: TravelMode
    default_speed_kmh: float
    class_speed_kmh: Mapping[str, float] = field(
        default_factory=lambda: MappingProxyType({})
    )

    def __post_init__(self) -> None:
        speeds = [self.default_speed_kmh, *self.class_speed_kmh.values()]
        if not all(np.isfinite(speed) and speed >= 0 for speed in speeds):
            raise InvalidInputError(reason="speeds must be finite and not negative")
        if self.default_speed_kmh <= 0:
            raise InvalidInputError(reason="the default speed must be positive")
        unknown = sorted(set(self.class_speed_kmh) - set(ROAD_CLASSES))
        if unknown:
            raise InvalidInputError(reason=f"unknown road classes {unknown}")

    @property
    def default_speed_m_s(self) -> float:
        return self.default_speed_kmh / 3.6

    def speed_by_class_m_s(self) -> NDArray[np.float64]:
        """Return speeds in m/s, shape (len(ROAD_CLASSES),); 0 forbids the class."""
        speeds_kmh = [
            self.class_speed_kmh.get(name, self.default_speed_kmh)
            for name in ROAD_CLASSES
        ]
        return np.asarray(speeds_kmh, dtype=np.float64) / 3.6


def default_speed_profile(mode: TravelMode) -> SpeedProfile:
    """Return the default speeds: walking 4.5 km/h, e-bike 15 km/h, car by road class."""
    if mode is TravelMode.WALK:
        return SpeedProfile(mode, 4.5)
    if mode is TravelMode.EBIKE:
        return SpeedProfile(mode, 15.0)
    car_kmh = {
        "motorway": 90.0,
        "trunk": 60.0,
        "primary": 50.0,
        "secondary": 40.0,
        "tertiary": 35.0,
        "residential": 25.0,
        "living_street": 10.0,
        "service": 15.0,
        "track": 15.0,
    }
    return SpeedProfile(mode, 30.0, MappingProxyType(car_kmh))


@dataclass(frozen=True)
class NetworkSummary:
    node_count: int
    edge_count: int
    road_length_km: float


@dataclass(frozen=True, eq=False)
class ModeGraph:
    """Travel times of one mode as sparse graphs, with the node positions.

    ``forward[u, v]`` is the travel time in seconds from node u to its neighbour v;
    ``reverse`` is its transpose, for searches towards a target. Shapes (n_nodes, n_nodes).
    """

    mode: TravelMode
    forward: scipy.sparse.csr_array
    reverse: scipy.sparse.csr_array
    lat_deg: NDArray[np.float64]
    lon_deg: NDArray[np.float64]
    max_speed_m_s: float
    access_speed_m_s: float

    @property
    def node_count(self) -> int:
        return int(self.lat_deg.shape[0])


@dataclass(frozen=True, eq=False)
class RoadNetwork:
    """Nodes (n_nodes,) and directed edges (n_edges,) in CSR order by tail node.

    Edges are unique per (tail, head) pair and sorted by tail, then head. ``mode_access``
    holds one bit per travel mode (``MODE_BIT``) allowed along the edge's direction.
    """

    lat_deg: NDArray[np.float64]
    lon_deg: NDArray[np.float64]
    osm_node_id: NDArray[np.int64]
    indptr: NDArray[np.int64]
    indices: NDArray[np.int32]
    length_m: NDArray[np.float32]
    road_class: NDArray[np.uint8]
    mode_access: NDArray[np.uint8]

    def __post_init__(self) -> None:
        n_nodes, n_edges = self.lat_deg.shape[0], self.indices.shape[0]
        same_nodes = self.lon_deg.shape == self.osm_node_id.shape == (n_nodes,)
        same_edges = (
            self.length_m.shape == self.road_class.shape == self.mode_access.shape
        ) and self.length_m.shape == (n_edges,)
        if not (same_nodes and same_edges and self.indptr.shape == (n_nodes + 1,)):
            raise InvalidInputError(reason="network arrays have inconsistent shapes")
        if self.indptr[0] != 0 or self.indptr[-1] != n_edges:
            raise InvalidInputError(reason="indptr does not span the edges")

    @property
    def node_count(self) -> int:
        return int(self.lat_deg.shape[0])

    @property
    def edge_count(self) -> int:
        return int(self.indices.shape[0])

    def tails(self) -> NDArray[np.int64]:
        """Return the tail node of every edge, shape (n_edges,)."""
        return np.repeat(
            np.arange(self.node_count, dtype=np.int64), np.diff(self.indptr)
        )

    @classmethod
    def from_edges(
        cls,
        *,
        lat_deg: ArrayLike,
        lon_deg: ArrayLike,
        tail: ArrayLike,
        head: ArrayLike,
        length_m: ArrayLike,
        road_class: ArrayLike,
        mode_access: ArrayLike,
        osm_node_id: ArrayLike | None = None,
    ) -> "RoadNetwork":
        """Build a network from unordered directed edges, merging duplicate pairs.

        Self-loops and edges no mode may use are dropped. A pair given twice keeps the
        shorter length, the more major class and every mode allowed on either.
        """
        lat = np.asarray(lat_deg, dtype=np.float64)
        lon = np.asarray(lon_deg, dtype=np.float64)
        node_ids = (
            np.arange(lat.shape[0], dtype=np.int64)
            if osm_node_id is None
            else np.asarray(osm_node_id, dtype=np.int64)
        )
        tails = np.asarray(tail, dtype=np.int64)
        heads = np.asarray(head, dtype=np.int64)
        lengths = np.asarray(length_m, dtype=np.float64)
        classes = np.asarray(road_class, dtype=np.uint8)
        access = np.asarray(mode_access, dtype=np.uint8)
        if not tails.shape == heads.shape == lengths.shape == classes.shape:
            raise InvalidInputError(reason="edge arrays have different lengths")
        if tails.shape != access.shape:
            raise InvalidInputError(reason="edge arrays have different lengths")
        n_nodes = lat.shape[0]
        if tails.size and (
            min(tails.min(), heads.min()) < 0
            or max(tails.max(), heads.max()) >= n_nodes
        ):
            raise InvalidInputError(
                reason="an edge refers to a node that does not exist"
            )
        if np.any(~np.isfinite(lengths)) or np.any(lengths < 0):
            raise InvalidInputError(
                reason="edge lengths must be finite and not negative"
            )
        keep = (tails != heads) & (access != 0)
        tails, heads, lengths = tails[keep], heads[keep], lengths[keep]
        classes, access = classes[keep], access[keep]
        order = np.lexsort((heads, tails))
        tails, heads, lengths = tails[order], heads[order], lengths[order]
        classes, access = classes[order], access[order]
        first = np.ones(tails.shape[0], dtype=bool)
        first[1:] = (tails[1:] != tails[:-1]) | (heads[1:] != heads[:-1])
        starts = np.flatnonzero(first)
        if starts.size < tails.size:
            lengths = np.minimum.reduceat(lengths, starts)
            classes = np.minimum.reduceat(classes, starts)
            access = np.bitwise_or.reduceat(access, starts)
            tails, heads = tails[starts], heads[starts]
        indptr = np.zeros(n_nodes + 1, dtype=np.int64)
        np.cumsum(np.bincount(tails, minlength=n_nodes), out=indptr[1:])
        return cls(
            lat_deg=lat,
            lon_deg=lon,
            osm_node_id=node_ids,
            indptr=indptr,
            indices=heads.astype(np.int32),
            length_m=lengths.astype(np.float32),
            road_class=classes,
            mode_access=access,
        )

    def summary(self) -> NetworkSummary:
        """Return node and edge counts and the length of road, each segment once."""
        tails = self.tails()
        heads = self.indices.astype(np.int64)
        low, high = np.minimum(tails, heads), np.maximum(tails, heads)
        _, first = np.unique(low * self.node_count + high, return_index=True)
        road_length_m = float(self.length_m[first].astype(np.float64).sum())
        return NetworkSummary(
            node_count=self.node_count,
            edge_count=self.edge_count,
            road_length_km=road_length_m / 1000.0,
        )

    def subset(self, keep_node: NDArray[np.bool_]) -> "RoadNetwork":
        """Return the network induced by the nodes where ``keep_node`` is true."""
        new_index = np.full(self.node_count, -1, dtype=np.int64)
        new_index[keep_node] = np.arange(int(keep_node.sum()), dtype=np.int64)
        tails, heads = new_index[self.tails()], new_index[self.indices]
        keep_edge = (tails >= 0) & (heads >= 0)
        return RoadNetwork.from_edges(
            lat_deg=self.lat_deg[keep_node],
            lon_deg=self.lon_deg[keep_node],
            osm_node_id=self.osm_node_id[keep_node],
            tail=tails[keep_edge],
            head=heads[keep_edge],
            length_m=self.length_m[keep_edge],
            road_class=self.road_class[keep_edge],
            mode_access=self.mode_access[keep_edge],
        )

    def largest_component(self) -> "RoadNetwork":
        """Return the largest weakly connected component over all modes' edges.

        Weak, not strong: a one-way street leaving the extract would otherwise cut off the
        streets behind it for every mode. Places that a mode cannot leave or reach get an
        infinite travel time from the searches instead, which is the truth.
        """
        if self.node_count == 0:
            return self
        graph = scipy.sparse.csr_array(
            (np.ones(self.edge_count), self.indices, self.indptr),
            shape=(self.node_count, self.node_count),
        )
        _, labels = connected_components(graph, directed=True, connection="weak")
        largest = np.bincount(labels).argmax()
        keep = labels == largest
        return self if keep.all() else self.subset(keep)

    def mode_graph(self, profile: SpeedProfile) -> ModeGraph:
        """Return the travel-time graphs of the profile's mode."""
        speed_m_s = profile.speed_by_class_m_s()[self.road_class]
        usable = ((self.mode_access & MODE_BIT[profile.mode]) != 0) & (speed_m_s > 0)
        travel_time_s = np.maximum(
            self.length_m[usable].astype(np.float64) / speed_m_s[usable],
            MIN_EDGE_TRAVEL_TIME_S,
        )
        n = self.node_count
        indptr = np.zeros(n + 1, dtype=np.int32)
        np.cumsum(np.bincount(self.tails()[usable], minlength=n), out=indptr[1:])
        forward = scipy.sparse.csr_array(
            (travel_time_s, self.indices[usable], indptr), shape=(n, n)
        )
        reverse = scipy.sparse.csr_array(forward.T.tocsr())
        reverse.indices = reverse.indices.astype(np.int32, copy=False)
        reverse.indptr = reverse.indptr.astype(np.int32, copy=False)
        max_speed = (
            float(speed_m_s[usable].max())
            if usable.any()
            else profile.default_speed_m_s
        )
        return ModeGraph(
            mode=profile.mode,
            forward=forward,
            reverse=reverse,
            lat_deg=self.lat_deg,
            lon_deg=self.lon_deg,
            max_speed_m_s=max(max_speed, profile.default_speed_m_s),
            access_speed_m_s=profile.default_speed_m_s,
        )
