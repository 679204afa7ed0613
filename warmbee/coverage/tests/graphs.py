"""Hand-made road networks for the coverage tests."""

from collections.abc import Sequence

import numpy as np

from warmbee.coverage.engine.network import (
    ALL_MODES_BITS,
    ROAD_CLASS_CODE,
    RoadNetwork,
)

# Hand-made nodes sit 0.0001 degree (about 11 m) apart, so every given length is longer
# than the straight line, as on a real network.
STEP_DEG = 0.0001
ORIGIN_LAT_DEG = 37.9
ORIGIN_LON_DEG = 112.5


def line_network(
    edges: Sequence[tuple[int, int, float]],
    node_count: int,
    *,
    access: int = ALL_MODES_BITS,
) -> RoadNetwork:
    """Return a network of two-way edges (tail, head, length_m) on nodes along a line."""
    tails = [tail for tail, _, _ in edges] + [head for _, head, _ in edges]
    heads = [head for _, head, _ in edges] + [tail for tail, _, _ in edges]
    lengths = [length for _, _, length in edges] * 2
    return RoadNetwork.from_edges(
        lat_deg=np.full(node_count, ORIGIN_LAT_DEG),
        lon_deg=ORIGIN_LON_DEG + STEP_DEG * np.arange(node_count),
        tail=tails,
        head=heads,
        length_m=lengths,
        road_class=np.full(len(tails), ROAD_CLASS_CODE["residential"]),
        mode_access=np.full(len(tails), access),
    )
