"""The coverage engine must run without Django: importing it must not import Django."""

import pkgutil
import subprocess
import sys
from pathlib import Path

import warmbee.coverage.engine

ROOT = Path(__file__).resolve().parents[1]


def _engine_modules():
    package = warmbee.coverage.engine
    return sorted(
        f"{package.__name__}.{module.name}"
        for module in pkgutil.iter_modules(package.__path__)
    )


def test_the_engine_has_modules_to_check():
    assert "warmbee.coverage.engine.network" in _engine_modules()


def test_importing_every_engine_module_imports_no_django():
    script = (
        "import importlib, sys\n"
        f"for name in {_engine_modules()!r}:\n"
        "    importlib.import_module(name)\n"
        "loaded = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))\n"
        "print(','.join(loaded))\n"
    )

    completed = subprocess.run(  # noqa: S603  # fixed arguments, this interpreter
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "", "PYTHONPATH": str(ROOT)},
    )

    assert completed.stdout.strip() == ""
