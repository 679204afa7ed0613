import networkx as nx
import numpy as np
import pytest

from warmbee.coverage.engine.errors import InvalidInputError
from warmbee.coverage.engine.network import TravelMode, default_speed_profile
from warmbee.coverage.engine.snapping import NodeSnapper
from warmbee.coverage.engine.synthetic import perturbed_grid
from warmbee.coverage.engine.travel import nearest_station, reach_sets

WALK = default_speed_profile(TravelMode.WALK)
INF = np.inf


def test_nearest_station_gives_every_node_its_time_and_station(hand_network):
    graph = hand_network.mode_graph(WALK)

    result = nearest_station(graph, [0, 3])

    assert result.travel_time_s.tolist() == pytest.approx([0, 100, 100, 0, 500])
    assert result.station.tolist() == [0, 0, 1, 1, 0]


def test_nearest_station_stops_at_the_limit_and_keeps_times_equal_to_it(hand_network):
    graph = hand_network.mode_graph(WALK)

    at_limit = nearest_station(graph, [0], limit_s=500.0)
    below = nearest_station(graph, [0], limit_s=499.0)

    assert at_limit.travel_time_s[4] == pytest.approx(500.0)
    assert below.travel_time_s.tolist() == pytest.approx([0, 100, 300, 400, INF])
    assert below.station.tolist() == [0, 0, 0, 0, -1]


def test_stations_sharing_a_node_resolve_to_the_first(hand_network):
    result = nearest_station(hand_network.mode_graph(WALK), [3, 3, 0])

    assert result.station.tolist() == [2, 2, 0, 0, 2]


def test_without_stations_every_node_is_unreached(hand_network):
    result = nearest_station(hand_network.mode_graph(WALK), [])

    assert result.travel_time_s.tolist() == [INF] * 5
    assert result.station.tolist() == [-1] * 5


def test_refuses_a_station_that_is_not_a_node(hand_network):
    with pytest.raises(InvalidInputError):
        nearest_station(hand_network.mode_graph(WALK), [5])


@pytest.mark.parametrize("method", ["local", "dense", "auto"])
def test_reach_sets_list_the_nodes_within_the_limit_per_site(hand_network, method):
    graph = hand_network.mode_graph(WALK)

    reach = reach_sets(graph, [1, 4, 1], limit_s=200.0, method=method)

    assert reach.indptr.tolist() == [0, 3, 4, 7]
    assert reach.node.tolist() == [0, 1, 2, 4, 0, 1, 2]
    assert reach.travel_time_s.tolist() == pytest.approx([100, 0, 200, 0, 100, 0, 200])
    assert reach.site().tolist() == [0, 0, 0, 1, 2, 2, 2]
    assert (reach.site_count, reach.pair_count, reach.node_count) == (3, 7, 5)


def test_reach_sets_measure_travel_towards_the_site(write_extract):
    from warmbee.coverage.engine.osm_import import import_osm_network

    nodes = [(1, 37.9, 112.500), (2, 37.9, 112.501), (3, 37.9, 112.502)]
    path = write_extract(
        nodes, [(10, [1, 2, 3], {"highway": "residential", "oneway": "yes"})]
    )
    graph = import_osm_network(path).mode_graph(default_speed_profile(TravelMode.CAR))

    for method in ("local", "dense"):
        reach = reach_sets(graph, [1], limit_s=3600.0, method=method)
        # Only node 0 can drive to node 1 along the one-way street.
        assert reach.node.tolist() == [0, 1], method


def test_local_and_dense_reach_sets_agree_on_a_perturbed_grid():
    network = perturbed_grid(
        rows=40, columns=40, spacing_m=60.0, rng=np.random.default_rng(7)
    )
    graph = network.mode_graph(WALK)
    sites = np.random.default_rng(8).choice(graph.node_count, 50, replace=False)
    snapper = NodeSnapper(graph.lat_deg, graph.lon_deg)

    local = reach_sets(graph, sites, limit_s=300.0, snapper=snapper, method="local")
    dense = reach_sets(graph, sites, limit_s=300.0, method="dense")

    assert local.pair_count > 1000
    assert np.array_equal(local.indptr, dense.indptr)
    assert np.array_equal(local.node, dense.node)
    assert np.allclose(local.travel_time_s, dense.travel_time_s, rtol=0, atol=1e-9)


def test_reach_sets_refuse_a_negative_limit(hand_network):
    with pytest.raises(InvalidInputError):
        reach_sets(hand_network.mode_graph(WALK), [0], limit_s=-1.0)


def _reverse_digraph(graph):
    """Return networkx's view of the reverse graph, with the same travel times."""
    reverse = graph.reverse.tocoo()
    digraph = nx.DiGraph()
    digraph.add_nodes_from(range(graph.node_count))
    digraph.add_weighted_edges_from(
        zip(
            reverse.row.tolist(),
            reverse.col.tolist(),
            reverse.data.tolist(),
            strict=True,
        )
    )
    return digraph


@pytest.mark.parametrize("mode", [TravelMode.WALK, TravelMode.CAR])
def test_nearest_station_matches_networkx_on_helsinki(helsinki_network, mode):
    graph = helsinki_network.mode_graph(default_speed_profile(mode))
    stations = np.random.default_rng(1).choice(graph.node_count, 12, replace=False)

    result = nearest_station(graph, stations, limit_s=600.0)

    expected = nx.multi_source_dijkstra_path_length(
        _reverse_digraph(graph), set(stations.tolist()), cutoff=600.0
    )
    reached = np.flatnonzero(np.isfinite(result.travel_time_s))
    assert reached.tolist() == sorted(expected)
    assert np.allclose(
        result.travel_time_s[reached],
        [expected[n] for n in reached.tolist()],
        rtol=1e-12,
    )


def test_reach_sets_match_networkx_on_helsinki(helsinki_network):
    graph = helsinki_network.mode_graph(WALK)
    sites = np.random.default_rng(2).choice(graph.node_count, 20, replace=False)
    digraph = _reverse_digraph(graph)

    reach = reach_sets(graph, sites, limit_s=300.0, method="local")

    for index, site in enumerate(sites.tolist()):
        expected = nx.single_source_dijkstra_path_length(digraph, site, cutoff=300.0)
        pairs = slice(reach.indptr[index], reach.indptr[index + 1])
        assert reach.node[pairs].tolist() == sorted(expected)
        assert np.allclose(
            reach.travel_time_s[pairs],
            [expected[n] for n in sorted(expected)],
            rtol=1e-12,
        )
