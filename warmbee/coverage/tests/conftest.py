"""Fixtures of the coverage tests: hand-made graphs and extracts, and a real extract."""

from collections.abc import Callable, Sequence
from pathlib import Path

import osmium
import pytest

from warmbee.coverage.engine.network import RoadNetwork
from warmbee.coverage.engine.osm_import import import_osm_network
from warmbee.coverage.tests.graphs import line_network
from warmbee.coverage.tests.osm_sample import helsinki_extract

NodeSpec = tuple[int, float, float]  # (OSM id, lat_deg, lon_deg)
WaySpec = tuple[int, Sequence[int], dict[str, str]]  # (OSM id, node ids, tags)


@pytest.fixture
def hand_network() -> RoadNetwork:
    """0 -125 m- 1 -250 m- 2 -125 m- 3, and 1 -500 m- 4; walking: 100, 200, 100, 400 s."""
    return line_network([(0, 1, 125.0), (1, 2, 250.0), (2, 3, 125.0), (1, 4, 500.0)], 5)


@pytest.fixture
def write_extract(
    tmp_path: Path,
) -> Callable[[Sequence[NodeSpec], Sequence[WaySpec]], Path]:
    """Return a function writing nodes and ways to a new ``.osm.pbf`` file."""

    def write(nodes: Sequence[NodeSpec], ways: Sequence[WaySpec]) -> Path:
        path = tmp_path / f"extract-{len(list(tmp_path.iterdir()))}.osm.pbf"
        with osmium.SimpleWriter(str(path)) as writer:
            for node_id, lat_deg, lon_deg in nodes:
                writer.add_node(
                    osmium.osm.mutable.Node(id=node_id, location=(lon_deg, lat_deg))
                )
            for way_id, node_ids, tags in ways:
                writer.add_way(
                    osmium.osm.mutable.Way(id=way_id, nodes=list(node_ids), tags=tags)
                )
        return path

    return write


@pytest.fixture(scope="session")
def helsinki_pbf() -> Path:
    return helsinki_extract()


@pytest.fixture(scope="session")
def helsinki_network(helsinki_pbf: Path) -> RoadNetwork:
    return import_osm_network(helsinki_pbf)


@pytest.fixture(autouse=True)
def _networks_in_tmp(settings, tmp_path):
    """Network files go to a fresh folder; the per-process network cache starts empty."""
    from warmbee.coverage.selectors import clear_network_cache

    settings.NETWORK_DIR = tmp_path / "networks"
    clear_network_cache()
    yield
    clear_network_cache()


@pytest.fixture
def immediate_tasks(settings):
    """Run enqueued tasks at once, in the test's transaction."""
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
    }


# A straight street near the demo stations: node i at 38.06 N, 112.68 + 0.001 i E, about
# 87.5 m apart; walking 15 minutes (1,125 m) reaches 12 segments from node 0.
STREET_NODES = [(100 + i, 38.06, 112.68 + 0.001 * i) for i in range(40)]
STREET_WAY = (500, [node for node, _, _ in STREET_NODES], {"highway": "residential"})


@pytest.fixture
def street_pbf(write_extract) -> Path:
    return write_extract(STREET_NODES, [STREET_WAY])
