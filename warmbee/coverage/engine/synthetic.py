"""Synthetic road networks for tests and benchmarks: a perturbed grid, arrays or PBF."""

import os

import numpy as np
import osmium

from warmbee.coverage.engine.geometry import EARTH_RADIUS_M, haversine_m
from warmbee.coverage.engine.network import ALL_MODES_BITS, ROAD_CLASS_CODE, RoadNetwork


def perturbed_grid(
    *,
    rows: int,
    columns: int,
    spacing_m: float,
    rng: np.random.Generator,
    jitter_share: float = 0.25,
    missing_share: float = 0.1,
    origin_lat_deg: float = 37.95,
    origin_lon_deg: float = 112.55,
) -> RoadNetwork:
    """Return the largest component of a street grid with moved nodes and missing streets.

    Each node moves by up to ``jitter_share`` of the spacing in each direction; each street
    segment is missing with probability ``missing_share``. All segments are two-way
    residential streets open to every mode; lengths are great-circle distances.
    """
    row, column = np.divmod(np.arange(rows * columns, dtype=np.int64), columns)
    jitter = rng.uniform(-jitter_share, jitter_share, size=(2, rows * columns))
    north_m = (row + jitter[0]) * spacing_m
    east_m = (column + jitter[1]) * spacing_m
    lat_deg = origin_lat_deg + np.degrees(north_m / EARTH_RADIUS_M)
    lon_deg = origin_lon_deg + np.degrees(
        east_m / (EARTH_RADIUS_M * np.cos(np.radians(origin_lat_deg)))
    )
    right = np.flatnonzero(column < columns - 1)
    down = np.flatnonzero(row < rows - 1)
    tail = np.concatenate((right, down))
    head = np.concatenate((right + 1, down + columns))
    present = rng.random(tail.size) >= missing_share
    tail, head = tail[present], head[present]
    length_m = haversine_m(lat_deg[tail], lon_deg[tail], lat_deg[head], lon_deg[head])
    edge_count = 2 * tail.size
    network = RoadNetwork.from_edges(
        lat_deg=lat_deg,
        lon_deg=lon_deg,
        tail=np.concatenate((tail, head)),
        head=np.concatenate((head, tail)),
        length_m=np.concatenate((length_m, length_m)),
        road_class=np.full(edge_count, ROAD_CLASS_CODE["residential"], dtype=np.uint8),
        mode_access=np.full(edge_count, ALL_MODES_BITS, dtype=np.uint8),
    )
    return network.largest_component()


def write_grid_extract(
    path: str | os.PathLike[str],
    *,
    rows: int,
    columns: int,
    spacing_m: float,
    rng: np.random.Generator,
    jitter_share: float = 0.25,
    missing_share: float = 0.1,
    origin_lat_deg: float = 37.95,
    origin_lon_deg: float = 112.55,
    secondary_every: int = 10,
) -> int:
    """Write a perturbed street grid to ``path`` as an ``.osm.pbf``; return its node count.

    Nodes move as in ``perturbed_grid`` (OSM ids 1 to rows x columns, row by row).
    Streets run along the rows and columns as ways, broken where a segment is missing
    (probability ``missing_share``); every ``secondary_every``-th row and column is
    ``highway=secondary``, the others ``residential``. Importing the file keeps the
    largest connected component, like ``perturbed_grid``, though the missing segments
    are drawn differently.
    """
    count = rows * columns
    row, column = np.divmod(np.arange(count, dtype=np.int64), columns)
    jitter = rng.uniform(-jitter_share, jitter_share, size=(2, count))
    lat_deg = origin_lat_deg + np.degrees(
        (row + jitter[0]) * spacing_m / EARTH_RADIUS_M
    )
    lon_deg = origin_lon_deg + np.degrees(
        (column + jitter[1])
        * spacing_m
        / (EARTH_RADIUS_M * np.cos(np.radians(origin_lat_deg)))
    )
    # present[d][r, c]: the segment from (r, c) to the right (d = 0) or down (d = 1).
    present = rng.random((2, rows, columns)) >= missing_share
    way_id = 1
    with osmium.SimpleWriter(os.fspath(path)) as writer:
        for node in range(count):
            writer.add_node(
                osmium.osm.mutable.Node(
                    id=node + 1, location=(float(lon_deg[node]), float(lat_deg[node]))
                )
            )
        for direction, lines, steps in ((0, rows, columns), (1, columns, rows)):
            for line in range(lines):
                highway = "secondary" if line % secondary_every == 0 else "residential"
                run: list[int] = []
                for step in range(steps):
                    r, c = (line, step) if direction == 0 else (step, line)
                    run.append(int(r * columns + c + 1))
                    if step == steps - 1 or not present[direction, r, c]:
                        if len(run) > 1:
                            writer.add_way(
                                osmium.osm.mutable.Way(
                                    id=way_id, nodes=run, tags={"highway": highway}
                                )
                            )
                            way_id += 1
                        run = [run[-1]]
    return count
