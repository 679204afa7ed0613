"""Shared helpers for the benchmarks: percentiles, the printed table, the JSON results."""

import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

RESULTS_DIR = Path(__file__).resolve().parent / "results"


class BenchmarkUnavailableError(RuntimeError):
    """The benchmark cannot run here (a missing browser, a server that did not start)."""


@dataclass(frozen=True)
class Figure:
    """One measured figure, its target and the baseline it was measured against."""

    name: str
    value: float
    unit: str
    target: str
    meets_target: bool
    baseline_name: str
    baseline_value: float | None
    details: dict[str, Any] = field(default_factory=dict)


def percentile(values: list[float], share: float) -> float:
    """Return the nearest-rank percentile (``share`` in 0..1) of ``values``."""
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def write_figure(figure: Figure) -> Path:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{figure.name}.json"
    path.write_text(
        json.dumps(asdict(figure), indent=2, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    return path


def print_figures(title: str, figures: list[Figure]) -> None:
    print(f"\n== {title}")
    print(f"{'figure':<32} {'value':>12}  {'target':<14} {'ok':<4} baseline")
    for figure in figures:
        baseline = (
            ""
            if figure.baseline_value is None
            else f"{figure.baseline_name} = {figure.baseline_value:.4g}"
        )
        print(
            f"{figure.name:<32} {figure.value:>9.4g} {figure.unit:<2} "
            f"{figure.target:<14} {'yes' if figure.meets_target else 'NO':<4} {baseline}"
        )
