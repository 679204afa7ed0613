import pytest

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
    TravelMode,
    default_speed_profile,
)
from warmbee.coverage.engine.osm_import import import_osm_network, way_access
from warmbee.coverage.engine.travel import nearest_station

WALK = MODE_BIT[TravelMode.WALK]
EBIKE = MODE_BIT[TravelMode.EBIKE]
CAR = MODE_BIT[TravelMode.CAR]
ALL = WALK | EBIKE | CAR

# Four nodes 0.001 degree of longitude apart (about 88 m at 37.9 N).
NODES = [(1, 37.9, 112.500), (2, 37.9, 112.501), (3, 37.9, 112.502), (4, 37.9, 112.503)]


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        ({"highway": "residential"}, ("residential", ALL, ALL)),
        ({"highway": "residential", "oneway": "yes"}, ("residential", ALL, WALK)),
        ({"highway": "residential", "oneway": "-1"}, ("residential", WALK, ALL)),
        (
            {"highway": "residential", "oneway": "yes", "oneway:bicycle": "no"},
            ("residential", ALL, WALK | EBIKE),
        ),
        ({"highway": "primary", "junction": "roundabout"}, ("primary", ALL, WALK)),
        ({"highway": "motorway"}, ("motorway", CAR, 0)),
        ({"highway": "motorway_link"}, ("motorway", CAR, 0)),
        ({"highway": "footway"}, ("footway", WALK, WALK)),
        (
            {"highway": "footway", "bicycle": "yes"},
            ("footway", WALK | EBIKE, WALK | EBIKE),
        ),
        ({"highway": "steps"}, ("steps", WALK, WALK)),
        ({"highway": "cycleway"}, ("cycleway", WALK | EBIKE, WALK | EBIKE)),
        ({"highway": "trunk", "foot": "no"}, ("trunk", EBIKE | CAR, EBIKE | CAR)),
        (
            {"highway": "service", "access": "private", "foot": "yes"},
            ("service", WALK, WALK),
        ),
        (
            {"highway": "residential", "motor_vehicle": "no"},
            ("residential", WALK | EBIKE, WALK | EBIKE),
        ),
    ],
)
def test_way_access_follows_osm_tags(tags, expected):
    road_class, forward, backward = expected

    assert way_access(tags) == (ROAD_CLASS_CODE[road_class], forward, backward)


@pytest.mark.parametrize(
    "tags",
    [
        {"highway": "construction"},
        {"highway": "proposed"},
        {"highway": "platform"},
        {"highway": "pedestrian", "area": "yes"},
        {"highway": "service", "access": "no"},
        {"building": "yes"},
    ],
)
def test_way_access_skips_what_no_mode_may_use(tags):
    assert way_access(tags) is None


def test_imports_nodes_and_segments_with_great_circle_lengths(write_extract):
    path = write_extract(NODES, [(10, [1, 2, 3], {"highway": "residential"})])

    network = import_osm_network(path)

    assert network.osm_node_id.tolist() == [1, 2, 3]
    assert network.indptr.tolist() == [0, 1, 3, 4]
    assert network.indices.tolist() == [1, 0, 2, 1]
    assert network.length_m[0] == pytest.approx(
        haversine_m(37.9, 112.5, 37.9, 112.501), rel=1e-6
    )
    assert network.summary().road_length_km == pytest.approx(
        2 * haversine_m(37.9, 112.5, 37.9, 112.501) / 1000, rel=1e-6
    )


def test_one_way_street_binds_cars_but_not_walkers(write_extract):
    path = write_extract(
        NODES[:2], [(10, [1, 2], {"highway": "residential", "oneway": "yes"})]
    )
    network = import_osm_network(path)

    car = network.mode_graph(default_speed_profile(TravelMode.CAR))
    walk = network.mode_graph(default_speed_profile(TravelMode.WALK))

    # Travel towards a station at node 1 (OSM node 2): the car may go 0 -> 1 only.
    assert nearest_station(car, [0]).station.tolist() == [0, -1]
    assert nearest_station(walk, [0]).station.tolist() == [0, 0]


def test_drops_segments_whose_nodes_are_outside_the_extract(write_extract):
    path = write_extract(NODES[:2], [(10, [1, 2, 3, 4], {"highway": "residential"})])

    network = import_osm_network(path)

    assert network.osm_node_id.tolist() == [1, 2]
    assert network.edge_count == 2


def test_keeps_only_the_largest_connected_component(write_extract):
    path = write_extract(
        [*NODES, (5, 37.901, 112.503)],
        [
            (10, [1, 2, 3], {"highway": "residential"}),
            (11, [4, 5], {"highway": "residential"}),
        ],
    )

    assert import_osm_network(path).osm_node_id.tolist() == [1, 2, 3]


def test_reports_progress_and_finishes_with_done(write_extract):
    path = write_extract(
        NODES,
        [
            (10, [1, 2], {"highway": "residential"}),
            (11, [3, 4], {"building": "yes", "highway": "construction"}),
        ],
    )
    stages = []

    import_osm_network(path, progress=stages.append)

    assert [(p.stage, p.ways_read, p.routable_ways) for p in stages] == [
        ("building", 2, 1),
        ("done", 2, 1),
    ]


def test_refuses_a_missing_file(tmp_path):
    with pytest.raises(ExtractNotFoundError, match="There is no file at"):
        import_osm_network(tmp_path / "absent.osm.pbf")


def test_refuses_an_empty_file(tmp_path):
    path = tmp_path / "empty.osm.pbf"
    path.write_bytes(b"")

    with pytest.raises(EmptyExtractError, match="contains no OpenStreetMap data"):
        import_osm_network(path)


def test_refuses_a_valid_extract_without_objects(write_extract):
    with pytest.raises(EmptyExtractError):
        import_osm_network(write_extract([], []))


def test_refuses_garbage_as_corrupt(tmp_path):
    path = tmp_path / "garbage.osm.pbf"
    path.write_bytes(bytes(range(256)) * 20)

    with pytest.raises(CorruptExtractError, match="is not a readable .osm.pbf file"):
        import_osm_network(path)


def test_refuses_a_truncated_extract_as_corrupt(tmp_path, helsinki_pbf):
    path = tmp_path / "truncated.osm.pbf"
    path.write_bytes(helsinki_pbf.read_bytes()[:300_000])

    with pytest.raises(CorruptExtractError) as caught:
        import_osm_network(path)

    assert caught.value.code == "extract_corrupt"


def test_refuses_an_extract_without_routable_ways(write_extract):
    path = write_extract(
        NODES,
        [(10, [1, 2, 3], {"building": "yes"}), (11, [3, 4], {"highway": "proposed"})],
    )

    with pytest.raises(NoRoutableWaysError, match="no roads or paths usable"):
        import_osm_network(path)


def test_imports_the_helsinki_extract(helsinki_network):
    summary = helsinki_network.summary()

    assert (summary.node_count, summary.edge_count) == (5821, 13852)
    assert summary.road_length_km == pytest.approx(90.782, abs=1e-3)
