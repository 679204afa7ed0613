"""Network travel times from one place to stations, and a station's reach area."""

import math

import h3
import pytest

from warmbee.coverage import routing
from warmbee.coverage.engine.geometry import haversine_m
from warmbee.coverage.routing import (
    FallbackReason,
    NetworkFallback,
    NetworkOrigin,
    NetworkTimes,
    StationArea,
    network_travel_times,
    open_network_origin,
    station_area,
)
from warmbee.coverage.selectors import get_county
from warmbee.coverage.services import install_road_network
from warmbee.regions.models import Region, RegionLevel
from warmbee.stations.tests.river_network import (
    EAST_XY,
    EBIKE_M_S,
    ORIGIN,
    WALK_M_S,
    WEST_XY,
    position,
    river_network,
)

pytestmark = pytest.mark.django_db

EAST = (1, *position(*EAST_XY))
WEST = (2, *position(*WEST_XY))


@pytest.fixture
def river(db):
    return install_road_network(
        county=get_county("140122"),
        network=river_network(),
        name="river.osm.pbf",
        is_generated=False,
    )


def _times(result: NetworkTimes | NetworkFallback) -> dict[int, tuple[float, float]]:
    assert isinstance(result, NetworkTimes)
    return {
        station.station_id: (station.travel_time_s, station.distance_m)
        for station in result.stations
    }


def test_walking_times_go_by_road_over_the_bridge(river):
    result = network_travel_times(*ORIGIN, "walk", [EAST, WEST])

    times = _times(result)
    assert times[1] == pytest.approx((3300 / WALK_M_S, 3300), rel=1e-4)
    assert times[2] == pytest.approx((600 / WALK_M_S, 600), rel=1e-4)
    assert isinstance(result, NetworkTimes)
    assert (result.network.name, result.network.is_generated) == (
        "river.osm.pbf",
        False,
    )
    assert result.origin_snap_distance_m == pytest.approx(0, abs=1e-6)


def test_ebike_respects_one_way_streets_from_the_worker_to_the_station(river):
    from_origin = _times(network_travel_times(*ORIGIN, "ebike", [EAST, WEST]))
    from_west = _times(network_travel_times(*WEST[1:], "ebike", [(3, *ORIGIN)]))

    assert from_origin[1][0] == pytest.approx(3300 / EBIKE_M_S, rel=1e-4)
    # The west street is one-way towards the origin: no way there, reported as such.
    assert from_origin[2] == (math.inf, math.inf)
    assert from_west[3] == pytest.approx((600 / EBIKE_M_S, 600), rel=1e-4)


def test_stations_beyond_the_limit_are_reported_unreachable(river):
    result = network_travel_times(*ORIGIN, "walk", [EAST, WEST], limit_s=1000)

    times = _times(result)
    assert times[1] == (math.inf, math.inf)
    assert times[2][0] == pytest.approx(480, rel=1e-4)
    assert isinstance(result, NetworkTimes)
    assert [station.is_reachable for station in result.stations] == [False, True]
    # Cut off by the limit, not off the network.
    assert [station.is_on_network for station in result.stations] == [True, True]


def test_a_station_off_the_network_is_reported_off_it_not_unreachable(river):
    # 2 km south of WEST, its nearest node: farther than the snap limit from every node.
    village = (8, *position(WEST_XY[0], -2000))
    origin = open_network_origin(*ORIGIN, "walk")
    assert isinstance(origin, NetworkOrigin)

    times = origin.travel_times([WEST, village])
    result = network_travel_times(*ORIGIN, "walk", [WEST, village])

    assert haversine_m(*village[1:], *WEST[1:]) > routing.MAX_SNAP_DISTANCE_M
    assert times[8] is None
    assert times[2] == pytest.approx(600 / WALK_M_S, rel=1e-4)
    assert isinstance(result, NetworkTimes)
    assert result.stations[1] == routing.StationNetworkTime(
        station_id=8, travel_time_s=math.inf, distance_m=math.inf, is_on_network=False
    )
    assert (result.stations[0].is_reachable, result.stations[0].is_on_network) == (
        True,
        True,
    )


def test_legs_off_the_network_are_added_at_the_modes_speed(river):
    # 50 m south of the origin node, and a station 40 m south of WEST's node.
    start = position(0, -50)
    station = (7, *position(WEST_XY[0], -40))

    times = _times(network_travel_times(*start, "walk", [station]))

    leg_m = haversine_m(*start, *ORIGIN) + haversine_m(*station[1:], *WEST[1:])
    assert times[7] == pytest.approx(((600 + leg_m) / WALK_M_S, 600 + leg_m), rel=1e-4)


def test_network_time_is_never_below_straight_line_over_top_speed(river):
    stations = [
        (pk, *position(x, y))
        for pk, (x, y) in enumerate(
            [(300, 0), (300, 700), (0, 900), (-450, 30), (250, 1480), (10, 10)], 10
        )
    ]
    origin = open_network_origin(*ORIGIN, "walk")
    assert isinstance(origin, NetworkOrigin)

    times = origin.travel_times(stations)

    for pk, lat, lon in stations:
        bound = origin.lower_bound_s(float(haversine_m(*ORIGIN, lat, lon)))
        assert times[pk] >= bound


def test_without_a_network_says_so(db):
    assert network_travel_times(*ORIGIN, "walk", [EAST]) == NetworkFallback(
        FallbackReason.NO_NETWORK
    )


def test_an_origin_off_the_network_falls_back_with_the_distance(river):
    far = position(-1000, 900)  # inside the box, 985 m from the node at (-600, 0)

    result = network_travel_times(*far, "walk", [EAST])

    assert isinstance(result, NetworkFallback)
    assert result.reason == FallbackReason.OFF_NETWORK
    assert result.network is not None and result.network.name == "river.osm.pbf"
    nearest_m = float(haversine_m(*far, *WEST[1:]))
    assert result.snap_distance_m == pytest.approx(nearest_m, rel=1e-6)


def test_a_position_outside_every_bounding_box_needs_no_network_file(river):
    river.path.unlink()

    result = network_travel_times(38.5, 112.9, "walk", [EAST])

    assert result == NetworkFallback(FallbackReason.NO_NETWORK)


def test_an_unreadable_network_file_falls_back(river):
    river.path.write_bytes(b"not a network")

    result = network_travel_times(*ORIGIN, "walk", [EAST])

    assert isinstance(result, NetworkFallback)
    assert result.reason == FallbackReason.NETWORK_UNAVAILABLE


def test_moved_stations_are_snapped_again(river):
    origin = open_network_origin(*ORIGIN, "walk")
    assert isinstance(origin, NetworkOrigin)
    first = origin.travel_times([(5, *position(0, 300))])[5]

    second = origin.travel_times([(5, *position(0, 600))])[5]

    assert (first, second) == pytest.approx((300 / WALK_M_S, 600 / WALK_M_S), rel=1e-4)


# ------------------------------------------------------------------------ areas


def test_station_area_covers_the_cells_of_the_nodes_reached(river):
    # Walking 5 minutes (375 m) to WEST: the west street from x = -600 to x = -225.
    area = station_area(2, *WEST[1:], "walk", 5)

    assert isinstance(area, StationArea)
    assert area.node_count == 4  # x = -600, -500, -400, -300
    expected = {h3.latlng_to_cell(*position(x, 0), 9) for x in (-600, -500, -400, -300)}
    assert set(area.cells) == expected
    assert area.geometry is not None
    assert area.geometry["type"] in {"Polygon", "MultiPolygon"}
    assert (area.mode, area.minutes, area.network.name) == ("walk", 5, "river.osm.pbf")


def test_station_area_by_ebike_follows_one_way_streets_towards_the_station(river):
    # To the origin by e-bike in 1 minute (250 m): from the west street (one-way
    # towards the origin) and up the x = 0 street.
    area = station_area(3, *ORIGIN, "ebike", 1)

    assert isinstance(area, StationArea)
    assert area.node_count == 5  # origin, x = -100, -200 and y = 100, 200


def test_station_area_is_cached_per_network_file_station_mode_and_minutes(river):
    first = station_area(2, *WEST[1:], "walk", 5)
    river.path.unlink()  # a cached area needs no file

    assert station_area(2, *WEST[1:], "walk", 5) == first
    assert isinstance(station_area(2, *WEST[1:], "walk", 6), NetworkFallback)


def test_a_network_imported_around_a_station_is_not_hidden_by_its_cached_area(river):
    first = station_area(2, *WEST[1:], "walk", 5)
    river.path.unlink()  # only the cache still knows the first network's area
    neighbour = Region.objects.create(
        code="140121000000",
        name="清徐县",
        level=RegionLevel.COUNTY,
        parent=river.county.parent,
    )
    install_road_network(
        county=neighbour,
        network=river_network(),
        name="neighbour.osm.pbf",
        is_generated=False,
    )
    routing.forget_network_bounds()

    second = station_area(2, *WEST[1:], "walk", 5)

    assert first.network.name == "river.osm.pbf"
    assert isinstance(second, StationArea)
    assert second.network.name == "neighbour.osm.pbf"
    assert second.cells == first.cells


def test_station_area_off_the_network_or_without_one(river):
    off = station_area(9, *position(-1000, 900), "walk", 15)
    routing.clear_routing_caches()
    river.is_active = False
    river.save(update_fields=["is_active"])
    routing.forget_network_bounds()

    none = station_area(2, *WEST[1:], "walk", 15)

    assert isinstance(off, NetworkFallback) and off.reason == "off_network"
    assert none == NetworkFallback(FallbackReason.NO_NETWORK)
