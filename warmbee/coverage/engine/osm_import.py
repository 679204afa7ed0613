"""Read a road network from an OpenStreetMap ``.osm.pbf`` extract with pyosmium.

Ways usable on foot, by e-bike or by car become directed edges; one-way rules apply to
e-bikes and cars, never to walking. Segments whose nodes lie outside the extract are
dropped, and only the largest weakly connected component is kept.
"""

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import osmium

from warmbee.coverage.engine.errors import (
    CorruptExtractError,
    EmptyExtractError,
    ExtractNotFoundError,
    NoRoutableWaysError,
)
from warmbee.coverage.engine.geometry import haversine_m
from warmbee.coverage.engine.network import (
    MODE_BIT,
    ROAD_CLASS_CODE,
    RoadNetwork,
    TravelMode,
)

# highway=* values taken as another class; anything not here or in ROAD_CLASSES is skipped
# (construction, proposed, platform, raceway, bus_guideway, elevator, ...).
HIGHWAY_ALIASES: Mapping[str, str] = {
    "motorway_link": "motorway",
    "trunk_link": "trunk",
    "primary_link": "primary",
    "secondary_link": "secondary",
    "tertiary_link": "tertiary",
    "trail": "path",
    "corridor": "footway",
    "crossing": "footway",
}
WALK_CLASSES = frozenset(ROAD_CLASS_CODE) - {"motorway"}
# E-bikes (电动自行车) ride as bicycles: not on motorways or steps, on footways only where
# bicycles are allowed.
EBIKE_CLASSES = frozenset(ROAD_CLASS_CODE) - {
    "motorway",
    "steps",
    "footway",
    "pedestrian",
    "bridleway",
}
CAR_CLASSES = frozenset(
    {
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
    }
)
_NO = frozenset({"no", "private", "agricultural", "forestry", "delivery"})
_YES = frozenset({"yes", "designated", "permissive", "destination", "customers"})
PROGRESS_EVERY_WAYS = 10_000


@dataclass(frozen=True)
class ImportProgress:
    """Where an import is: ``stage`` is "reading", "building" or "done".

    At "done", ``built_node_count`` is the number of nodes before and
    ``kept_node_count`` the number in the largest connected component kept.
    """

    stage: str
    ways_read: int
    routable_ways: int
    built_node_count: int = 0
    kept_node_count: int = 0


ProgressCallback = Callable[[ImportProgress], None]


def _allowed(tags: Mapping[str, str], keys: tuple[str, ...], default: bool) -> bool:
    """Apply access tags from the most general key to the most specific."""
    allowed = default
    for key in keys:
        value = tags.get(key)
        if value in _NO:
            allowed = False
        elif value in _YES:
            allowed = True
    return allowed


def _oneway(tags: Mapping[str, str], road_class: str) -> int:
    """Return 1 for forward only, -1 for backward only, 0 for both directions."""
    value = tags.get("oneway")
    if value in ("yes", "true", "1"):
        return 1
    if value in ("-1", "reverse"):
        return -1
    if value is None:
        roundabout = tags.get("junction") in ("roundabout", "circular")
        return 1 if roundabout or road_class == "motorway" else 0
    return 0


def way_access(tags: Mapping[str, str]) -> tuple[int, int, int] | None:
    """Return (road class code, forward mode bits, backward mode bits), or None.

    None means no mode may use the way (or it is not a road at all).
    """
    highway = tags.get("highway", "")
    road_class = HIGHWAY_ALIASES.get(highway, highway)
    if road_class not in ROAD_CLASS_CODE or tags.get("area") == "yes":
        return None
    walk = _allowed(tags, ("access", "foot"), road_class in WALK_CLASSES)
    bicycle_default = road_class in EBIKE_CLASSES
    ebike = _allowed(tags, ("access", "vehicle", "bicycle"), bicycle_default)
    car = _allowed(
        tags,
        ("access", "vehicle", "motor_vehicle", "motorcar"),
        road_class in CAR_CLASSES,
    )
    oneway = _oneway(tags, road_class)
    ebike_oneway = oneway
    contraflow = tags.get("cycleway", "").startswith("opposite")
    if tags.get("oneway:bicycle") == "no" or contraflow:
        ebike_oneway = 0
    forward = backward = 0
    if walk:
        forward |= MODE_BIT[TravelMode.WALK]
        backward |= MODE_BIT[TravelMode.WALK]
    for allowed, direction, bit in (
        (ebike, ebike_oneway, MODE_BIT[TravelMode.EBIKE]),
        (car, oneway, MODE_BIT[TravelMode.CAR]),
    ):
        if allowed and direction >= 0:
            forward |= bit
        if allowed and direction <= 0:
            backward |= bit
    if forward == backward == 0:
        return None
    return ROAD_CLASS_CODE[road_class], forward, backward


@dataclass
class _WayCollector:
    """Flat lists of way nodes; a way boundary is marked by ``way_start``."""

    node_id: list[int] = field(default_factory=list)
    lat_deg: list[float] = field(default_factory=list)
    lon_deg: list[float] = field(default_factory=list)
    valid: list[bool] = field(default_factory=list)
    way_of_node: list[int] = field(default_factory=list)
    road_class: list[int] = field(default_factory=list)
    forward_bits: list[int] = field(default_factory=list)
    backward_bits: list[int] = field(default_factory=list)

    def add(self, way: osmium.osm.Way, access: tuple[int, int, int]) -> None:
        way_number = len(self.road_class)
        self.road_class.append(access[0])
        self.forward_bits.append(access[1])
        self.backward_bits.append(access[2])
        for node in way.nodes:
            location = node.location
            is_valid = location.valid()
            self.node_id.append(node.ref)
            self.lat_deg.append(location.lat if is_valid else 0.0)
            self.lon_deg.append(location.lon if is_valid else 0.0)
            self.valid.append(is_valid)
            self.way_of_node.append(way_number)


def _read_ways(
    path: Path, progress: ProgressCallback | None
) -> tuple[_WayCollector, int]:
    collector = _WayCollector()
    ways_read = 0
    processor = (
        osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY)
        .with_locations()
        .with_filter(osmium.filter.EntityFilter(osmium.osm.WAY))
        .with_filter(osmium.filter.KeyFilter("highway"))
    )
    try:
        for way in processor:
            if not isinstance(way, osmium.osm.Way):  # the filters pass ways only
                continue
            ways_read += 1
            access = way_access(dict(way.tags))
            if access is not None:
                collector.add(way, access)
            if progress is not None and ways_read % PROGRESS_EVERY_WAYS == 0:
                progress(
                    ImportProgress("reading", ways_read, len(collector.road_class))
                )
    except RuntimeError as error:
        raise CorruptExtractError(path=str(path), reason=str(error)) from error
    return collector, ways_read


def _has_any_object(path: Path) -> bool:
    try:
        return next(iter(osmium.FileProcessor(str(path))), None) is not None
    except RuntimeError as error:
        raise CorruptExtractError(path=str(path), reason=str(error)) from error


def _build_network(collector: _WayCollector) -> RoadNetwork:
    node_id = np.asarray(collector.node_id, dtype=np.int64)
    valid = np.asarray(collector.valid, dtype=bool)
    way = np.asarray(collector.way_of_node, dtype=np.int64)
    lat = np.asarray(collector.lat_deg, dtype=np.float64)
    lon = np.asarray(collector.lon_deg, dtype=np.float64)
    segment = (way[1:] == way[:-1]) & valid[1:] & valid[:-1]
    start = np.flatnonzero(segment)
    end = start + 1
    unique_ids, first, node_index = np.unique(
        node_id, return_index=True, return_inverse=True
    )
    segment_way = way[start]
    length_m = haversine_m(lat[start], lon[start], lat[end], lon[end])
    road_class = np.asarray(collector.road_class, dtype=np.uint8)[segment_way]
    forward = np.asarray(collector.forward_bits, dtype=np.uint8)[segment_way]
    backward = np.asarray(collector.backward_bits, dtype=np.uint8)[segment_way]
    tails, heads = node_index[start], node_index[end]
    network = RoadNetwork.from_edges(
        lat_deg=lat[first],
        lon_deg=lon[first],
        osm_node_id=unique_ids,
        tail=np.concatenate((tails, heads)),
        head=np.concatenate((heads, tails)),
        length_m=np.concatenate((length_m, length_m)),
        road_class=np.concatenate((road_class, road_class)),
        mode_access=np.concatenate((forward, backward)),
    )
    used = np.zeros(network.node_count, dtype=bool)
    used[network.indices] = True
    used[network.tails()] = True
    return network.subset(used) if not used.all() else network


def import_osm_network(
    path: str | os.PathLike[str], *, progress: ProgressCallback | None = None
) -> RoadNetwork:
    """Read the routable ways of an ``.osm.pbf`` extract into a road network.

    Raises
    ------
    ExtractNotFoundError, EmptyExtractError, CorruptExtractError, NoRoutableWaysError
        The file is missing, holds no OpenStreetMap data, cannot be decoded, or has no
        way usable by any mode (with its nodes inside the extract).
    """
    source = Path(path)
    if not source.is_file():
        raise ExtractNotFoundError(path=str(source))
    if source.stat().st_size == 0:
        raise EmptyExtractError(path=str(source))
    collector, ways_read = _read_ways(source, progress)
    if progress is not None:
        progress(ImportProgress("building", ways_read, len(collector.road_class)))
    network = _build_network(collector) if collector.road_class else None
    if network is None or network.edge_count == 0:
        if not _has_any_object(source):
            raise EmptyExtractError(path=str(source))
        raise NoRoutableWaysError(path=str(source))
    kept = network.largest_component()
    if progress is not None:
        progress(
            ImportProgress(
                "done",
                ways_read,
                len(collector.road_class),
                built_node_count=network.node_count,
                kept_node_count=kept.node_count,
            )
        )
    return kept
