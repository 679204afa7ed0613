"""What-if scenarios: add, move or remove stations, then compare coverage before and after."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from warmbee.coverage.engine.demand import CoverageResult
from warmbee.coverage.engine.errors import InvalidInputError
from warmbee.coverage.engine.snapping import check_positions


@dataclass(frozen=True)
class StationSet:
    """Station positions (n_stations,) and where each came from.

    ``origin`` is the index in the original stations, or -1 for an added station.
    """

    lat_deg: NDArray[np.float64]
    lon_deg: NDArray[np.float64]
    origin: NDArray[np.int64]


def apply_station_changes(
    lat_deg: ArrayLike,
    lon_deg: ArrayLike,
    *,
    add: Sequence[tuple[float, float]] = (),
    move: Mapping[int, tuple[float, float]] | None = None,
    remove: Sequence[int] = (),
) -> StationSet:
    """Return the stations after the changes; positions are (lat_deg, lon_deg) pairs.

    Removed stations go, moved ones keep their place in the order, added ones come last.
    """
    lat, lon = check_positions(lat_deg, lon_deg)
    lat, lon = lat.copy(), lon.copy()
    moves = dict(move or {})
    changed = [*moves, *remove]
    if any(not 0 <= index < lat.shape[0] for index in changed):
        raise InvalidInputError(reason="a moved or removed station does not exist")
    if set(moves) & set(remove):
        raise InvalidInputError(reason="a station cannot be both moved and removed")
    for index, (moved_lat, moved_lon) in moves.items():
        lat[index], lon[index] = moved_lat, moved_lon
    keep = np.ones(lat.shape[0], dtype=bool)
    keep[list(remove)] = False
    added = np.asarray(add, dtype=np.float64).reshape(-1, 2)
    new_lat, new_lon = check_positions(
        np.concatenate((lat[keep], added[:, 0])),
        np.concatenate((lon[keep], added[:, 1])),
    )
    origin = np.concatenate(
        (np.flatnonzero(keep), np.full(added.shape[0], -1, dtype=np.int64))
    )
    return StationSet(lat_deg=new_lat, lon_deg=new_lon, origin=origin.astype(np.int64))


@dataclass(frozen=True)
class CoverageChange:
    """Demand points (n_demand,) that gain or lose coverage, and the change in weight."""

    newly_covered: NDArray[np.bool_]
    no_longer_covered: NDArray[np.bool_]
    covered_weight_change: float
    covered_share_change: float


def compare_coverage(before: CoverageResult, after: CoverageResult) -> CoverageChange:
    """Compare two coverage results of the same demand points and threshold."""
    if before.covered.shape != after.covered.shape or before.method != after.method:
        raise InvalidInputError(
            reason="only results of the same demand and method compare"
        )
    return CoverageChange(
        newly_covered=after.covered & ~before.covered,
        no_longer_covered=before.covered & ~after.covered,
        covered_weight_change=after.covered_weight - before.covered_weight,
        covered_share_change=after.covered_share - before.covered_share,
    )
