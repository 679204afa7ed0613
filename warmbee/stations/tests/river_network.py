"""A small hand-made street network with a river, for the routing and finder tests.

Positions are metres east (x) and north (y) of ORIGIN. Two north-south streets run
either side of a river, x = 0 and x = 300, from y = 0 to y = 1,500, nodes every 100 m;
the only bridge is at y = 1,500. A street runs west from the origin to x = -600.

- ``EAST`` (300, 0) is 300 m away in a straight line but 3,300 m by road (over the
  bridge): 2,640 s on foot.
- ``WEST`` (-600, 0) is 600 m away, 600 m by road: 480 s on foot.

The west street is one-way towards the origin for e-bikes (walking is allowed both
ways), so an e-bike cannot reach ``WEST`` from the origin, but can ride from ``WEST``
to the origin.
"""

import math

import numpy as np

from warmbee.coverage.engine.geometry import EARTH_RADIUS_M, haversine_m
from warmbee.coverage.engine.network import (
    ALL_MODES_BITS,
    MODE_BIT,
    ROAD_CLASS_CODE,
    RoadNetwork,
    TravelMode,
)

ORIGIN = (38.06, 112.68)
EAST_XY = (300.0, 0.0)
WEST_XY = (-600.0, 0.0)
WALK_M_S = 4.5 / 3.6
EBIKE_M_S = 15.0 / 3.6


def position(x_m: float, y_m: float) -> tuple[float, float]:
    """Return (lat, lon) of a point x metres east and y metres north of ORIGIN."""
    lat_deg = ORIGIN[0] + math.degrees(y_m / EARTH_RADIUS_M)
    lon_deg = ORIGIN[1] + math.degrees(
        x_m / (EARTH_RADIUS_M * math.cos(math.radians(ORIGIN[0])))
    )
    return lat_deg, lon_deg


def river_network() -> RoadNetwork:
    points: list[tuple[float, float]] = []
    index: dict[tuple[float, float], int] = {}

    def node(x_m: float, y_m: float) -> int:
        if (x_m, y_m) not in index:
            index[(x_m, y_m)] = len(points)
            points.append((x_m, y_m))
        return index[(x_m, y_m)]

    edges: list[tuple[int, int, int]] = []  # tail, head, access

    def street(a: int, b: int, *, ebike_towards_b_only: bool = False) -> None:
        walk_only = MODE_BIT[TravelMode.WALK]
        edges.append((a, b, ALL_MODES_BITS))
        edges.append((b, a, walk_only if ebike_towards_b_only else ALL_MODES_BITS))

    for x_m in (0.0, 300.0):
        for y_m in range(0, 1500, 100):
            street(node(x_m, y_m), node(x_m, y_m + 100))
    street(node(0.0, 1500.0), node(300.0, 1500.0))
    for x_m in range(0, -600, -100):
        # Towards the origin only, for e-bikes: from x - 100 to x.
        street(node(x_m - 100, 0.0), node(x_m, 0.0), ebike_towards_b_only=True)
    lat = np.array([position(x, y)[0] for x, y in points])
    lon = np.array([position(x, y)[1] for x, y in points])
    tail = np.array([edge[0] for edge in edges])
    head = np.array([edge[1] for edge in edges])
    return RoadNetwork.from_edges(
        lat_deg=lat,
        lon_deg=lon,
        tail=tail,
        head=head,
        length_m=haversine_m(lat[tail], lon[tail], lat[head], lon[head]),
        road_class=np.full(tail.size, ROAD_CLASS_CODE["residential"]),
        mode_access=np.array([edge[2] for edge in edges]),
    )
