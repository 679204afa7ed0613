from pathlib import Path

import numpy as np
import pytest

from warmbee.coverage.engine import storage
from warmbee.coverage.engine.errors import NetworkFileError
from warmbee.coverage.engine.storage import load_network, save_network
from warmbee.coverage.tests.graphs import line_network

ARRAYS = (
    "lat_deg",
    "lon_deg",
    "osm_node_id",
    "indptr",
    "indices",
    "length_m",
    "road_class",
    "mode_access",
)


def _assert_same(loaded, network):
    for name in ARRAYS:
        expected = getattr(network, name)
        assert getattr(loaded, name).dtype == expected.dtype, name
        assert np.array_equal(getattr(loaded, name), expected), name


def test_saved_network_loads_back_identical(tmp_path, hand_network):
    path = save_network(hand_network, tmp_path / "roads" / "network.npz")

    _assert_same(load_network(path), hand_network)
    assert sorted(p.name for p in path.parent.iterdir()) == ["network.npz"]


def test_saving_replaces_the_previous_network(tmp_path, hand_network):
    path = tmp_path / "network.npz"
    save_network(line_network([(0, 1, 10.0)], 2), path)

    save_network(hand_network, path)

    assert load_network(path).node_count == 5


def test_failed_save_keeps_the_previous_network_and_leaves_no_temporary_file(
    tmp_path, hand_network, monkeypatch
):
    path = tmp_path / "network.npz"
    save_network(hand_network, path)
    before = path.read_bytes()

    def fail(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(storage.np, "savez", fail)
    with pytest.raises(OSError, match="disk full"):
        save_network(line_network([(0, 1, 10.0)], 2), path)

    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["network.npz"]


def test_loading_a_missing_file_fails_clearly(tmp_path):
    with pytest.raises(NetworkFileError, match="no such file"):
        load_network(tmp_path / "absent.npz")


def test_loading_a_file_that_is_not_an_archive_fails_clearly(tmp_path):
    path = tmp_path / "network.npz"
    path.write_bytes(b"not a zip archive")

    with pytest.raises(NetworkFileError) as caught:
        load_network(path)

    assert caught.value.code == "network_file_invalid"


def test_loading_another_format_version_fails_clearly(tmp_path: Path):
    path = tmp_path / "network.npz"
    np.savez(path, format_version=np.array(99))

    with pytest.raises(NetworkFileError, match="format version 99, expected 1"):
        load_network(path)


def test_loading_inconsistent_arrays_fails_clearly(tmp_path, hand_network):
    path = tmp_path / "network.npz"
    arrays = {name: getattr(hand_network, name) for name in ARRAYS}
    arrays["indices"] = arrays["indices"][:-1]
    np.savez(path, format_version=np.array(1), **arrays)

    with pytest.raises(NetworkFileError, match="inconsistent shapes"):
        load_network(path)
