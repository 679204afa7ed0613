import numpy as np
import pytest

from warmbee.coverage.engine.errors import InvalidInputError
from warmbee.coverage.engine.network import (
    MODE_BIT,
    ROAD_CLASS_CODE,
    RoadNetwork,
    SpeedProfile,
    TravelMode,
    default_speed_profile,
)
from warmbee.coverage.tests.graphs import line_network

WALK = MODE_BIT[TravelMode.WALK]
CAR = MODE_BIT[TravelMode.CAR]
RESIDENTIAL = ROAD_CLASS_CODE["residential"]
PRIMARY = ROAD_CLASS_CODE["primary"]


def _network(tail, head, length_m, road_class, mode_access, node_count=3):
    return RoadNetwork.from_edges(
        lat_deg=np.full(node_count, 37.9),
        lon_deg=112.5 + 0.0001 * np.arange(node_count),
        tail=tail,
        head=head,
        length_m=length_m,
        road_class=road_class,
        mode_access=mode_access,
    )


def test_builds_csr_sorted_by_tail_then_head():
    network = _network(
        [2, 0, 1, 0], [1, 2, 0, 1], [5.0, 6.0, 7.0, 8.0], [RESIDENTIAL] * 4, [WALK] * 4
    )

    assert network.indptr.tolist() == [0, 2, 3, 4]
    assert network.indices.tolist() == [1, 2, 0, 1]
    assert network.length_m.tolist() == [8.0, 6.0, 7.0, 5.0]
    assert network.tails().tolist() == [0, 0, 1, 2]


def test_merges_duplicate_pairs_keeping_shortest_major_class_and_all_modes():
    network = _network(
        [0, 0, 0],
        [1, 1, 1],
        [9.0, 7.0, 8.0],
        [RESIDENTIAL, RESIDENTIAL, PRIMARY],
        [WALK, CAR, WALK],
    )

    assert network.edge_count == 1
    assert network.length_m.tolist() == [7.0]
    assert network.road_class.tolist() == [PRIMARY]
    assert network.mode_access.tolist() == [WALK | CAR]


def test_drops_self_loops_and_edges_no_mode_may_use():
    network = _network(
        [0, 1, 1], [0, 2, 0], [1.0, 2.0, 3.0], [RESIDENTIAL] * 3, [WALK, 0, WALK]
    )

    assert network.indices.tolist() == [0]
    assert network.tails().tolist() == [1]


def test_refuses_an_edge_to_a_missing_node():
    with pytest.raises(InvalidInputError):
        _network([0], [3], [1.0], [RESIDENTIAL], [WALK])


def test_refuses_negative_lengths():
    with pytest.raises(InvalidInputError):
        _network([0], [1], [-1.0], [RESIDENTIAL], [WALK])


def test_summary_counts_each_two_way_segment_once():
    network = line_network([(0, 1, 125.0), (1, 2, 250.0)], 3)

    summary = network.summary()

    assert (summary.node_count, summary.edge_count) == (3, 4)
    assert summary.road_length_km == pytest.approx(0.375)


def test_keeps_the_largest_weakly_connected_component():
    network = line_network([(0, 1, 10.0), (1, 2, 10.0), (3, 4, 10.0)], 5)

    largest = network.largest_component()

    assert largest.node_count == 3
    assert largest.lon_deg.tolist() == network.lon_deg[:3].tolist()
    assert largest.summary().road_length_km == pytest.approx(0.02)


def test_one_way_edges_join_a_weak_component():
    # 0 -> 1 only: weakly connected, so both stay.
    network = _network([0], [1], [10.0], [RESIDENTIAL], [CAR], node_count=2)

    assert network.largest_component().node_count == 2


def test_mode_graph_uses_speed_by_class_and_the_modes_direction():
    network = _network(
        [0, 1, 1, 2],
        [1, 0, 2, 1],
        [100.0, 100.0, 200.0, 200.0],
        [PRIMARY, PRIMARY, RESIDENTIAL, RESIDENTIAL],
        [WALK | CAR, WALK, WALK | CAR, WALK | CAR],
    )
    profile = SpeedProfile(TravelMode.CAR, 36.0, {"primary": 72.0})

    graph = network.mode_graph(profile)

    assert graph.forward.toarray().tolist() == [[0, 5.0, 0], [0, 0, 20.0], [0, 20.0, 0]]
    assert graph.reverse.toarray().tolist() == [[0, 0, 0], [5.0, 0, 20.0], [0, 20.0, 0]]
    assert graph.max_speed_m_s == pytest.approx(20.0)
    assert graph.access_speed_m_s == pytest.approx(10.0)


def test_a_zero_speed_forbids_a_class():
    network = _network(
        [0, 1], [1, 0], [100.0, 100.0], [PRIMARY] * 2, [WALK] * 2, node_count=2
    )

    graph = network.mode_graph(SpeedProfile(TravelMode.WALK, 4.5, {"primary": 0.0}))

    assert graph.forward.nnz == 0


def test_default_speeds_are_walking_4_5_and_ebike_15_kmh():
    assert default_speed_profile(TravelMode.WALK).default_speed_kmh == 4.5
    assert default_speed_profile(TravelMode.EBIKE).default_speed_kmh == 15.0
    assert default_speed_profile(TravelMode.CAR).class_speed_kmh["motorway"] == 90.0


def test_speed_profile_refuses_unknown_classes_and_bad_speeds():
    with pytest.raises(InvalidInputError):
        SpeedProfile(TravelMode.WALK, 4.5, {"runway": 5.0})
    with pytest.raises(InvalidInputError):
        SpeedProfile(TravelMode.WALK, 0.0)
    with pytest.raises(InvalidInputError):
        SpeedProfile(TravelMode.WALK, 4.5, {"primary": float("nan")})
