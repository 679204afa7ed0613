"""Save and load a road network as one ``.npz`` file; saving replaces the old file atomically.

The file holds plain arrays only (never pickles) and a format version.
"""

import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from warmbee.coverage.engine.errors import InvalidInputError, NetworkFileError
from warmbee.coverage.engine.network import RoadNetwork

FORMAT_VERSION = 1
_ARRAYS: dict[str, type[np.generic]] = {
    "lat_deg": np.float64,
    "lon_deg": np.float64,
    "osm_node_id": np.int64,
    "indptr": np.int64,
    "indices": np.int32,
    "length_m": np.float32,
    "road_class": np.uint8,
    "mode_access": np.uint8,
}


def save_network(network: RoadNetwork, path: str | os.PathLike[str]) -> Path:
    """Write the network to ``path``, replacing any file there only once fully written.

    The arrays go to a temporary file in the same directory, which is flushed to disk and
    then renamed over ``path``: a failure at any point leaves the previous file in place.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary_name = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=".tmp", dir=target.parent
    )
    try:
        with os.fdopen(descriptor, "wb") as handle:
            np.savez(
                handle,
                format_version=np.array(FORMAT_VERSION),
                **{name: getattr(network, name) for name in _ARRAYS},
            )
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary_name, target)
    except BaseException:
        Path(temporary_name).unlink(missing_ok=True)
        raise
    return target


def load_network(path: str | os.PathLike[str]) -> RoadNetwork:
    """Read a network written by ``save_network``.

    Raises
    ------
    NetworkFileError
        The file is missing, not an ``.npz`` archive, of another format version, or its
        arrays do not make a consistent network.
    """
    source = Path(path)
    if not source.is_file():
        raise NetworkFileError(path=str(source), reason="no such file")
    try:
        with np.load(source, allow_pickle=False) as archive:
            version = (
                int(archive["format_version"]) if "format_version" in archive else -1
            )
            if version != FORMAT_VERSION:
                raise NetworkFileError(
                    path=str(source),
                    reason=f"format version {version}, expected {FORMAT_VERSION}",
                )
            missing = sorted(set(_ARRAYS) - set(archive.files))
            if missing:
                raise NetworkFileError(
                    path=str(source), reason=f"missing arrays {missing}"
                )
            arrays = {
                name: np.asarray(archive[name], dtype=dtype)
                for name, dtype in _ARRAYS.items()
            }
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as error:
        raise NetworkFileError(path=str(source), reason=str(error)) from error
    try:
        return RoadNetwork(**arrays)
    except InvalidInputError as error:
        raise NetworkFileError(
            path=str(source), reason=error.params["reason"]
        ) from error
