"""Run the benchmarks: ``python -m bench`` for all, ``python -m bench finder`` for one.

Everything runs against a throwaway SQLite database in a temporary directory, never the
working database. Set BENCH_DATA_DIR to keep that database (and its 100,000 stations)
between runs while working on the finder.
"""

import contextlib
import importlib
import os
import sys
import tempfile
import time
from pathlib import Path


def _setup_django(data_dir: Path) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["WARMBEE_DATA_DIR"] = str(data_dir)
    # A throwaway SQLite file: never a DATABASE_URL from the environment.
    os.environ.pop("DATABASE_URL", None)
    # DEBUG would keep every SQL statement in memory and slow the ORM down.
    os.environ["DEBUG"] = "0"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)


# Each benchmark is a module of this package with a ``run()``; imported only when run,
# so that one benchmark's missing dependency does not stop the others.
BENCHMARKS = ("finder", "finder_network", "page_weight", "coverage_engine")


def _run_one(name: str) -> None:
    module = importlib.import_module(f"bench.{name}")
    module.run()


def _data_dir() -> contextlib.AbstractContextManager[str]:
    """Return a throwaway directory, or BENCH_DATA_DIR kept for reuse between runs."""
    kept = os.environ.get("BENCH_DATA_DIR")
    if kept:
        Path(kept).mkdir(parents=True, exist_ok=True)
        return contextlib.nullcontext(kept)
    return tempfile.TemporaryDirectory(prefix="warmbee-bench-")


def main(argv: list[str]) -> int:
    with _data_dir() as data_dir:
        _setup_django(Path(data_dir))
        names = argv or list(BENCHMARKS)
        unknown = [name for name in names if name not in BENCHMARKS]
        if unknown:
            print(f"Unknown benchmark(s): {', '.join(unknown)}.", file=sys.stderr)
            print(f"Known: {', '.join(BENCHMARKS)}.", file=sys.stderr)
            return 2
        from bench.report import BenchmarkUnavailableError

        unavailable = []
        for name in names:
            started = time.perf_counter()
            try:
                _run_one(name)
            except (BenchmarkUnavailableError, ImportError) as error:
                print(f"\n!! {name} could not run: {error}", file=sys.stderr)
                unavailable.append(name)
            print(f"({name} took {time.perf_counter() - started:.0f} s)")
    return 1 if unavailable else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
