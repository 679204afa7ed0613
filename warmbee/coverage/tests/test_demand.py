import h3
import numpy as np
import pytest

from warmbee.coverage.engine.demand import (
    network_coverage,
    straight_line_coverage,
    uncovered_demand_by_cell,
)
from warmbee.coverage.engine.errors import InvalidInputError
from warmbee.coverage.engine.geometry import haversine_m
from warmbee.coverage.engine.network import TravelMode, default_speed_profile
from warmbee.coverage.engine.snapping import NodeSnapper
from warmbee.coverage.tests.graphs import ORIGIN_LAT_DEG, ORIGIN_LON_DEG, STEP_DEG

WALK = default_speed_profile(TravelMode.WALK)


def _node_lon(node):
    return ORIGIN_LON_DEG + STEP_DEG * node


def test_network_coverage_adds_the_walk_to_the_nearest_node(hand_network):
    graph = hand_network.mode_graph(WALK)
    snapper = NodeSnapper(graph.lat_deg, graph.lon_deg)
    # A point 0.0002 degree north of node 2, and points exactly at nodes 4 and 1.
    demand_lat = [ORIGIN_LAT_DEG + 0.0002, ORIGIN_LAT_DEG, ORIGIN_LAT_DEG]
    demand_lon = [_node_lon(2), _node_lon(4), _node_lon(1)]
    walk_s = (
        float(
            haversine_m(
                ORIGIN_LAT_DEG + 0.0002, _node_lon(2), ORIGIN_LAT_DEG, _node_lon(2)
            )
        )
        / 1.25
    )

    result = network_coverage(
        graph,
        snapper,
        station_lat_deg=[ORIGIN_LAT_DEG, ORIGIN_LAT_DEG],
        station_lon_deg=[_node_lon(0), _node_lon(3)],
        demand_lat_deg=demand_lat,
        demand_lon_deg=demand_lon,
        demand_weight=[2.0, 3.0, 5.0],
        threshold_s=400.0,
    )

    assert result.method == "network"
    assert result.travel_time_s.tolist() == pytest.approx([100 + walk_s, np.inf, 100])
    assert result.nearest_station.tolist() == [1, -1, 0]
    assert result.covered.tolist() == [True, False, True]
    assert (result.covered_weight, result.total_weight) == (7.0, 10.0)
    assert result.covered_share == pytest.approx(0.7)
    assert result.off_network.tolist() == [False, False, False]


def test_network_coverage_leaves_out_points_and_stations_far_from_roads(hand_network):
    graph = hand_network.mode_graph(WALK)
    snapper = NodeSnapper(graph.lat_deg, graph.lon_deg)

    result = network_coverage(
        graph,
        snapper,
        station_lat_deg=[ORIGIN_LAT_DEG, ORIGIN_LAT_DEG + 0.1],
        station_lon_deg=[_node_lon(0), _node_lon(3)],
        demand_lat_deg=[ORIGIN_LAT_DEG + 0.1, ORIGIN_LAT_DEG],
        demand_lon_deg=[_node_lon(3), _node_lon(3)],
        demand_weight=[1.0, 1.0],
        threshold_s=900.0,
        max_snap_distance_m=500.0,
    )

    assert result.station_on_network.tolist() == [True, False]
    assert result.off_network.tolist() == [True, False]
    assert result.travel_time_s.tolist() == pytest.approx([np.inf, 400.0])
    assert result.nearest_station.tolist() == [-1, 0]


def test_straight_line_coverage_says_so_and_applies_the_detour_factor():
    distance_m = float(haversine_m(37.9, 112.5, 37.91, 112.5))

    result = straight_line_coverage(
        station_lat_deg=[37.9, 38.5],
        station_lon_deg=[112.5, 112.5],
        demand_lat_deg=[37.91],
        demand_lon_deg=[112.5],
        demand_weight=[4.0],
        speed_m_s=1.25,
        detour_factor=1.4,
        threshold_s=900.0,
    )

    assert result.method == "straight_line"
    assert result.travel_time_s.tolist() == pytest.approx([distance_m * 1.4 / 1.25])
    assert result.nearest_station.tolist() == [0]
    assert result.covered.tolist() == [False]
    assert result.covered_share == 0.0


def test_straight_line_coverage_without_stations_covers_nothing():
    result = straight_line_coverage(
        station_lat_deg=[],
        station_lon_deg=[],
        demand_lat_deg=[37.9],
        demand_lon_deg=[112.5],
        demand_weight=[1.0],
        speed_m_s=1.25,
    )

    assert result.travel_time_s.tolist() == [np.inf]
    assert result.nearest_station.tolist() == [-1]


def test_refuses_a_detour_factor_below_one_and_negative_weights():
    with pytest.raises(InvalidInputError):
        straight_line_coverage(
            station_lat_deg=[37.9],
            station_lon_deg=[112.5],
            demand_lat_deg=[37.9],
            demand_lon_deg=[112.5],
            demand_weight=[1.0],
            speed_m_s=1.25,
            detour_factor=0.9,
        )
    with pytest.raises(InvalidInputError):
        straight_line_coverage(
            station_lat_deg=[37.9],
            station_lon_deg=[112.5],
            demand_lat_deg=[37.9],
            demand_lon_deg=[112.5],
            demand_weight=[-1.0],
            speed_m_s=1.25,
        )


def test_uncovered_demand_is_summed_per_h3_cell_heaviest_first():
    lat = [37.9, 37.90001, 38.0, 38.1]
    lon = [112.5, 112.50001, 112.6, 112.7]

    cells = uncovered_demand_by_cell(
        lat, lon, [1.0, 2.0, 4.0, 8.0], [False, False, False, True], resolution=9
    )

    assert cells.cell == (
        h3.latlng_to_cell(38.0, 112.6, 9),
        h3.latlng_to_cell(37.9, 112.5, 9),
    )
    assert cells.weight.tolist() == [4.0, 3.0]


def test_no_uncovered_demand_gives_no_cells():
    cells = uncovered_demand_by_cell([37.9], [112.5], [1.0], [True])

    assert cells.cell == ()
    assert cells.weight.tolist() == []
