import math

import h3
import pytest

from warmbee.core import geo
from warmbee.stations.finder import RING_STEPS

# Published reference (wandergis/coordtransform, test/app.js) for the point
# lon 116.404, lat 39.915 near Tiananmen, Beijing.
TIANANMEN_WGS84 = (39.915, 116.404)
TIANANMEN_GCJ02 = (39.91640428150164, 116.41024449916938)
TIANANMEN_GCJ02_AS_BD09 = (39.92133699351021, 116.41036949371029)

YANGQU = (38.06, 112.68)


def _destination(
    lat_deg: float, lon_deg: float, bearing_deg: float, distance_m: float
) -> tuple[float, float]:
    """Return the point ``distance_m`` from the start along a great circle."""
    phi1, lmb1 = math.radians(lat_deg), math.radians(lon_deg)
    theta, delta = math.radians(bearing_deg), distance_m / geo.EARTH_RADIUS_M
    phi2 = math.asin(
        math.sin(phi1) * math.cos(delta)
        + math.cos(phi1) * math.sin(delta) * math.cos(theta)
    )
    lmb2 = lmb1 + math.atan2(
        math.sin(theta) * math.sin(delta) * math.cos(phi1),
        math.cos(delta) - math.sin(phi1) * math.sin(phi2),
    )
    return math.degrees(phi2), math.degrees(lmb2)


def test_haversine_of_one_degree_along_the_equator_is_a_360th_of_the_circumference():
    expected_m = 2 * math.pi * geo.EARTH_RADIUS_M / 360
    assert geo.haversine_m(0.0, 0.0, 0.0, 1.0) == pytest.approx(expected_m, rel=1e-12)
    assert geo.haversine_m(0.0, 0.0, 1.0, 0.0) == pytest.approx(expected_m, rel=1e-12)


def test_haversine_from_beijing_to_shanghai_is_about_1067_km():
    distance_m = geo.haversine_m(39.9042, 116.4074, 31.2304, 121.4737)
    assert distance_m == pytest.approx(1_067_000, abs=2_000)


def test_haversine_is_zero_for_the_same_point_and_symmetric():
    assert geo.haversine_m(*YANGQU, *YANGQU) == 0.0
    there = (38.1, 112.7)
    assert geo.haversine_m(*YANGQU, *there) == geo.haversine_m(*there, *YANGQU)


@pytest.mark.parametrize(
    ("lat_deg", "lon_deg", "expected"),
    [
        (38.06, 112.68, True),  # Yangqu County
        (39.915, 116.404, True),  # Beijing
        (18.25, 109.5, True),  # Sanya, Hainan
        (53.5, 122.3, True),  # Mohe, the far north
        (35.68, 139.76, False),  # Tokyo
        (51.5, -0.12, False),  # London
        (-33.87, 151.21, False),  # Sydney
        (0.0, 0.0, False),
    ],
)
def test_is_in_china(lat_deg, lon_deg, expected):
    assert geo.is_in_china(lat_deg, lon_deg) is expected


def test_wgs84_to_gcj02_matches_the_published_tiananmen_pair():
    converted = geo.wgs84_to_gcj02(*TIANANMEN_WGS84)
    assert converted.lat_deg == pytest.approx(TIANANMEN_GCJ02[0], abs=1e-9)
    assert converted.lon_deg == pytest.approx(TIANANMEN_GCJ02[1], abs=1e-9)


def test_gcj02_to_bd09_matches_the_published_pair():
    converted = geo.gcj02_to_bd09(*TIANANMEN_WGS84)
    assert converted.lat_deg == pytest.approx(TIANANMEN_GCJ02_AS_BD09[0], abs=1e-9)
    assert converted.lon_deg == pytest.approx(TIANANMEN_GCJ02_AS_BD09[1], abs=1e-9)


def test_wgs84_to_bd09_goes_through_gcj02():
    gcj = geo.wgs84_to_gcj02(*YANGQU)
    assert geo.wgs84_to_bd09(*YANGQU) == geo.gcj02_to_bd09(gcj.lat_deg, gcj.lon_deg)


@pytest.mark.parametrize(
    "position",
    [TIANANMEN_WGS84, YANGQU, (31.2304, 121.4737), (22.54, 114.06), (43.8, 87.6)],
)
def test_gcj02_offset_is_between_100_and_700_metres_inside_china(position):
    converted = geo.wgs84_to_gcj02(*position)
    offset_m = geo.haversine_m(*position, converted.lat_deg, converted.lon_deg)
    assert 100 <= offset_m <= 700


def test_bd09_lies_further_from_wgs84_than_gcj02_in_yangqu():
    gcj = geo.wgs84_to_gcj02(*YANGQU)
    bd = geo.wgs84_to_bd09(*YANGQU)
    gcj_offset_m = geo.haversine_m(*YANGQU, gcj.lat_deg, gcj.lon_deg)
    bd_offset_m = geo.haversine_m(*YANGQU, bd.lat_deg, bd.lon_deg)
    assert gcj_offset_m < bd_offset_m <= 1_500


@pytest.mark.parametrize("position", [(35.68, 139.76), (51.5, -0.12), (0.0, 0.0)])
def test_wgs84_to_gcj02_leaves_positions_outside_china_unchanged(position):
    assert geo.wgs84_to_gcj02(*position) == geo.LatLon(*position)


def test_station_and_search_cells_have_their_resolutions():
    assert h3.get_resolution(geo.station_cell(*YANGQU)) == geo.STATION_H3_RESOLUTION
    assert h3.get_resolution(geo.search_cell(*YANGQU)) == geo.SEARCH_H3_RESOLUTION
    assert h3.cell_to_parent(
        geo.station_cell(*YANGQU), geo.SEARCH_H3_RESOLUTION
    ) == geo.search_cell(*YANGQU)


def test_search_disk_holds_the_centre_cell_and_its_rings():
    disk = geo.search_disk(*YANGQU, 2)
    assert len(disk) == 19
    assert geo.search_cell(*YANGQU) in disk


def test_search_disk_radius_grows_with_the_rings():
    radii_m = [geo.search_disk_radius_m(rings) for rings in RING_STEPS]
    assert radii_m == sorted(radii_m)
    assert radii_m[0] > 0
    assert geo.search_disk_radius_m(0) == 0.0


def _query_positions(lat_deg: float, lon_deg: float) -> list[tuple[float, float]]:
    """Return the centre of the position's search cell and points near its corners."""
    cell = geo.search_cell(lat_deg, lon_deg)
    centre_lat, centre_lon = h3.cell_to_latlng(cell)
    near_corners = [
        (
            centre_lat + 0.99 * (corner_lat - centre_lat),
            centre_lon + 0.99 * (corner_lon - centre_lon),
        )
        for corner_lat, corner_lon in h3.cell_to_boundary(cell)
    ]
    return [(centre_lat, centre_lon), *near_corners]


@pytest.mark.parametrize("rings", RING_STEPS)
@pytest.mark.parametrize(
    "place", [YANGQU, (45.75, 126.63), (18.25, 109.5), (53.3, 122.3), (29.65, 91.1)]
)
def test_a_station_at_exactly_the_search_radius_lies_inside_the_disk(place, rings):
    radius_m = geo.search_disk_radius_m(rings)
    outside = []
    for lat_deg, lon_deg in _query_positions(*place):
        disk = set(geo.search_disk(lat_deg, lon_deg, rings))
        for bearing_deg in range(0, 360, 5):
            station = _destination(lat_deg, lon_deg, bearing_deg, radius_m)
            assert geo.haversine_m(lat_deg, lon_deg, *station) == pytest.approx(
                radius_m, rel=1e-9
            )
            if geo.search_cell(*station) not in disk:
                outside.append((lat_deg, lon_deg, bearing_deg))
    assert outside == []
