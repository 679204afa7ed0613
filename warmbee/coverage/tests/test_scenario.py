import numpy as np
import pytest

from warmbee.coverage.engine.demand import straight_line_coverage
from warmbee.coverage.engine.errors import InvalidInputError
from warmbee.coverage.engine.scenario import apply_station_changes, compare_coverage

LAT = [37.90, 37.91, 37.92]
LON = [112.50, 112.51, 112.52]


def test_applies_removals_moves_and_additions_in_order():
    stations = apply_station_changes(
        LAT, LON, add=[(37.95, 112.55)], move={2: (37.93, 112.53)}, remove=[0]
    )

    assert stations.lat_deg.tolist() == [37.91, 37.93, 37.95]
    assert stations.lon_deg.tolist() == [112.51, 112.53, 112.55]
    assert stations.origin.tolist() == [1, 2, -1]


def test_refuses_changes_to_stations_that_do_not_exist_or_conflict():
    with pytest.raises(InvalidInputError):
        apply_station_changes(LAT, LON, remove=[3])
    with pytest.raises(InvalidInputError):
        apply_station_changes(LAT, LON, move={1: (37.9, 112.5)}, remove=[1])
    with pytest.raises(InvalidInputError):
        apply_station_changes(LAT, LON, add=[(95.0, 112.5)])


def test_comparing_coverage_shows_who_gains_and_who_loses():
    demand = {"demand_lat_deg": [37.90, 37.95], "demand_lon_deg": [112.50, 112.55]}
    before = straight_line_coverage(
        station_lat_deg=LAT[:1],
        station_lon_deg=LON[:1],
        demand_weight=[1.0, 3.0],
        speed_m_s=1.25,
        **demand,
    )
    moved = apply_station_changes(LAT[:1], LON[:1], move={0: (37.95, 112.55)})
    after = straight_line_coverage(
        station_lat_deg=moved.lat_deg,
        station_lon_deg=moved.lon_deg,
        demand_weight=[1.0, 3.0],
        speed_m_s=1.25,
        **demand,
    )

    change = compare_coverage(before, after)

    assert change.newly_covered.tolist() == [False, True]
    assert change.no_longer_covered.tolist() == [True, False]
    assert change.covered_weight_change == 2.0
    assert change.covered_share_change == pytest.approx(0.5)
    assert np.array_equal(before.covered, [True, False])
