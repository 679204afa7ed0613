"""Snap positions to the nearest network node, and find nodes near positions.

One kd-tree over the nodes' Earth-centred coordinates serves both; it is built once per
network and reused.
"""

from dataclasses import dataclass

import numpy as np
import scipy.sparse
from numpy.typing import ArrayLike, NDArray
from scipy.spatial import cKDTree

from warmbee.coverage.engine.errors import InvalidInputError
from warmbee.coverage.engine.geometry import chord_to_arc_m, ecef_m

DEFAULT_MAX_SNAP_DISTANCE_M = 500.0


@dataclass(frozen=True)
class SnapResult:
    """Nearest node per position, shapes (n_points,).

    ``on_network`` is false where the nearest node is farther than the limit; ``node`` is
    the nearest node all the same, or -1 when the network has no node.
    """

    node: NDArray[np.int64]
    distance_m: NDArray[np.float64]
    on_network: NDArray[np.bool_]


def check_positions(
    lat_deg: ArrayLike, lon_deg: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Return the positions as float arrays, refusing mismatched or impossible values."""
    lat = np.atleast_1d(np.asarray(lat_deg, dtype=np.float64))
    lon = np.atleast_1d(np.asarray(lon_deg, dtype=np.float64))
    if lat.ndim != 1 or lat.shape != lon.shape:
        raise InvalidInputError(
            reason="latitudes and longitudes must be 1-D of equal length"
        )
    if not (np.all(np.abs(lat) <= 90.0) and np.all(np.abs(lon) <= 180.0)):
        raise InvalidInputError(
            reason="a position is outside -90..90 / -180..180 degrees"
        )
    return lat, lon


class NodeSnapper:
    """A kd-tree over network nodes (n_nodes,) for snapping and radius searches."""

    def __init__(self, lat_deg: ArrayLike, lon_deg: ArrayLike) -> None:
        lat, lon = check_positions(lat_deg, lon_deg)
        self.node_count = int(lat.shape[0])
        self._tree = cKDTree(ecef_m(lat, lon)) if self.node_count else None

    def snap(
        self,
        lat_deg: ArrayLike,
        lon_deg: ArrayLike,
        *,
        max_distance_m: float = DEFAULT_MAX_SNAP_DISTANCE_M,
    ) -> SnapResult:
        """Return the nearest node of each position and its great-circle distance."""
        lat, lon = check_positions(lat_deg, lon_deg)
        if self._tree is None:
            count = lat.shape[0]
            return SnapResult(
                node=np.full(count, -1, dtype=np.int64),
                distance_m=np.full(count, np.inf),
                on_network=np.zeros(count, dtype=bool),
            )
        chord_m, node = self._tree.query(ecef_m(lat, lon))
        distance_m = chord_to_arc_m(np.asarray(chord_m, dtype=np.float64))
        return SnapResult(
            node=np.asarray(node, dtype=np.int64),
            distance_m=distance_m,
            on_network=distance_m <= max_distance_m,
        )

    def nodes_within(
        self,
        lat_deg: ArrayLike,
        lon_deg: ArrayLike,
        *,
        radius_m: float,
        sort: bool = True,
    ) -> scipy.sparse.csr_array:
        """Return, per position, the nodes within ``radius_m`` along the surface or a little more.

        A boolean (n_points, n_nodes) matrix, column indices sorted per row if ``sort``: a
        superset of the nodes within ``radius_m`` great-circle metres (it compares chords).
        """
        lat, lon = check_positions(lat_deg, lon_deg)
        shape = (lat.shape[0], self.node_count)
        if self._tree is None or lat.shape[0] == 0:
            return scipy.sparse.csr_array(shape, dtype=bool)
        points = cKDTree(ecef_m(lat, lon))
        found = points.sparse_distance_matrix(
            self._tree, radius_m, output_type="coo_matrix"
        )
        matrix = scipy.sparse.csr_array(
            (np.ones(found.nnz, dtype=bool), (found.row, found.col)), shape=shape
        )
        if sort:
            matrix.sort_indices()
        return matrix
