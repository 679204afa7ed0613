import numpy as np

from warmbee.coverage.engine.geometry import haversine_m
from warmbee.coverage.engine.synthetic import perturbed_grid


def test_perturbed_grid_is_one_component_with_great_circle_lengths():
    network = perturbed_grid(
        rows=10, columns=12, spacing_m=80.0, rng=np.random.default_rng(1)
    )

    assert 100 <= network.node_count <= 120
    assert network.largest_component().node_count == network.node_count
    tails = network.tails()
    expected = haversine_m(
        network.lat_deg[tails],
        network.lon_deg[tails],
        network.lat_deg[network.indices],
        network.lon_deg[network.indices],
    )
    assert np.allclose(network.length_m, expected, rtol=1e-6)


def test_the_same_seed_gives_the_same_grid():
    first = perturbed_grid(
        rows=5, columns=5, spacing_m=50.0, rng=np.random.default_rng(4)
    )
    second = perturbed_grid(
        rows=5, columns=5, spacing_m=50.0, rng=np.random.default_rng(4)
    )

    assert np.array_equal(first.lat_deg, second.lat_deg)
    assert np.array_equal(first.indices, second.indices)
