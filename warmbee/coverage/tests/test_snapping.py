import numpy as np
import pytest

from warmbee.coverage.engine.errors import InvalidInputError
from warmbee.coverage.engine.geometry import haversine_m
from warmbee.coverage.engine.snapping import NodeSnapper

NODE_LAT_DEG = [37.9, 37.9, 37.91]
NODE_LON_DEG = [112.5, 112.51, 112.5]


def test_snaps_each_point_to_its_nearest_node_with_the_distance():
    snapper = NodeSnapper(NODE_LAT_DEG, NODE_LON_DEG)

    result = snapper.snap([37.9001, 37.9095], [112.5099, 112.5], max_distance_m=50.0)

    assert result.node.tolist() == [1, 2]
    assert result.distance_m == pytest.approx(
        [
            float(haversine_m(37.9001, 112.5099, 37.9, 112.51)),
            float(haversine_m(37.9095, 112.5, 37.91, 112.5)),
        ],
        rel=1e-9,
    )
    assert result.on_network.tolist() == [True, False]


def test_a_point_at_exactly_the_limit_is_on_the_network():
    snapper = NodeSnapper(NODE_LAT_DEG, NODE_LON_DEG)
    distance_m = float(haversine_m(37.9, 112.5, 37.9, 112.51))

    result = snapper.snap([37.9], [112.51], max_distance_m=distance_m)

    assert result.on_network.tolist() == [True]


def test_snapping_to_an_empty_network_finds_nothing():
    result = NodeSnapper([], []).snap([37.9], [112.5])

    assert result.node.tolist() == [-1]
    assert result.on_network.tolist() == [False]
    assert result.distance_m.tolist() == [np.inf]


def test_refuses_impossible_positions():
    snapper = NodeSnapper(NODE_LAT_DEG, NODE_LON_DEG)

    with pytest.raises(InvalidInputError):
        snapper.snap([91.0], [112.5])
    with pytest.raises(InvalidInputError):
        snapper.snap([37.9, 37.9], [112.5])


def test_nodes_within_a_radius_include_every_node_within_it_sorted():
    snapper = NodeSnapper(NODE_LAT_DEG, NODE_LON_DEG)
    radius_m = float(haversine_m(37.9, 112.5, 37.91, 112.5))

    within = snapper.nodes_within([37.9, 37.95], [112.5, 112.5], radius_m=radius_m)

    assert within.shape == (2, 3)
    assert within[[0]].indices.tolist() == [0, 1, 2]
    assert within[[1]].nnz == 0
