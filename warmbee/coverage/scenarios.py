"""What-if scenarios of a plan: which stations to remove and where to add new ones.

``check_scenario`` checks the ``scenario`` setting of a coverage run against the
county's stations in service; ``services.check_coverage_parameters`` calls it.
Scenarios never change a real station: they only change the stations a run computes
with (``planning.apply_scenario``).
"""

from collections.abc import Mapping
from typing import Any

import numpy as np
from django.utils.translation import gettext as _

from warmbee.coverage.engine.geometry import haversine_m
from warmbee.coverage.errors import InvalidScenarioError
from warmbee.coverage.selectors import list_county_stations
from warmbee.regions.models import Region

MAX_ADDED_STATIONS = 50
# An added station must lie this close to one of the county's stations in service:
# the county's area as far as the planner knows it.
MAX_DISTANCE_FROM_STATIONS_KM = 50.0
SCENARIO_KEYS = ("remove_station_ids", "add_positions")


def _whole_number(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    raise ValueError(value)


def _station_ids(raw: Any) -> list[int]:
    if not isinstance(raw, list | tuple):
        raise InvalidScenarioError(
            reason=_("the stations to remove must be a list of station numbers.")
        )
    try:
        return sorted({_whole_number(value) for value in raw})
    except ValueError as error:
        raise InvalidScenarioError(
            reason=_("“%(value)s” is not a station number.") % {"value": error.args[0]}
        ) from error


def _position(raw: Any) -> tuple[float, float]:
    if not isinstance(raw, list | tuple) or len(raw) != 2:
        raise InvalidScenarioError(
            reason=_("“%(value)s” is not a position (latitude, longitude).")
            % {"value": raw}
        )
    try:
        if any(isinstance(value, bool) for value in raw):
            raise ValueError(raw)
        lat_deg, lon_deg = float(raw[0]), float(raw[1])
    except (TypeError, ValueError) as error:
        raise InvalidScenarioError(
            reason=_("“%(value)s” is not a position (latitude, longitude).")
            % {"value": raw}
        ) from error
    if not (
        np.isfinite(lat_deg)
        and np.isfinite(lon_deg)
        and abs(lat_deg) <= 90
        and abs(lon_deg) <= 180
    ):
        raise InvalidScenarioError(
            reason=_(
                "%(lat)s, %(lon)s is not a position: latitude is -90 to 90 and "
                "longitude -180 to 180 degrees."
            )
            % {"lat": f"{lat_deg:g}", "lon": f"{lon_deg:g}"}
        )
    return round(lat_deg, 7), round(lon_deg, 7)


def _positions(raw: Any) -> list[tuple[float, float]]:
    if not isinstance(raw, list | tuple):
        raise InvalidScenarioError(
            reason=_("the stations to add must be a list of positions.")
        )
    if len(raw) > MAX_ADDED_STATIONS:
        raise InvalidScenarioError(
            reason=_("at most %(count)s stations can be added at once.")
            % {"count": MAX_ADDED_STATIONS}
        )
    return [_position(value) for value in raw]


def check_scenario(raw: Any, *, county: Region) -> dict[str, Any]:
    """Return the checked scenario ``{"remove_station_ids": [...], "add_positions":
    [[lat_deg, lon_deg], ...]}``, or raise ``InvalidScenarioError`` saying what is wrong.

    Removed stations must be the county's stations in service; added positions must lie
    within ``MAX_DISTANCE_FROM_STATIONS_KM`` of one of them; at most
    ``MAX_ADDED_STATIONS`` are added; a scenario changes at least one station.
    """
    if not isinstance(raw, Mapping):
        raise InvalidScenarioError(reason=_("it must name stations to remove or add."))
    unknown = sorted(set(raw) - set(SCENARIO_KEYS))
    if unknown:
        raise InvalidScenarioError(
            reason=_("unknown settings %(names)s.") % {"names": ", ".join(unknown)}
        )
    removed = _station_ids(raw.get("remove_station_ids", []))
    added = _positions(raw.get("add_positions", []))
    if not removed and not added:
        raise InvalidScenarioError(
            reason=_("choose at least one station to remove or a position to add.")
        )
    stations = dict(
        (pk, (lat_deg, lon_deg))
        for pk, lat_deg, lon_deg in list_county_stations(county).values_list(
            "pk", "lat_deg", "lon_deg"
        )
    )
    foreign = [pk for pk in removed if pk not in stations]
    if foreign:
        raise InvalidScenarioError(
            reason=_("%(ids)s are not stations of %(county)s in service.")
            % {"ids": ", ".join(f"#{pk}" for pk in foreign), "county": county.label}
        )
    if added:
        _check_near_stations(added, list(stations.values()), county)
    return {
        "remove_station_ids": removed,
        "add_positions": [list(position) for position in added],
    }


def _check_near_stations(
    added: list[tuple[float, float]],
    stations: list[tuple[float, float]],
    county: Region,
) -> None:
    limit_km = MAX_DISTANCE_FROM_STATIONS_KM
    points = np.asarray(added, dtype=np.float64)
    known = np.asarray(stations, dtype=np.float64).reshape(-1, 2)
    if known.shape[0] == 0:
        raise InvalidScenarioError(
            reason=_(
                "%(county)s has no station in service, so no position can be "
                "placed in it."
            )
            % {"county": county.label}
        )
    distance_km = (
        haversine_m(
            points[:, None, 0], points[:, None, 1], known[None, :, 0], known[None, :, 1]
        ).min(axis=1)
        / 1000.0
    )
    far = np.flatnonzero(distance_km > limit_km)
    if far.size:
        lat_deg, lon_deg = added[int(far[0])]
        raise InvalidScenarioError(
            reason=_(
                "%(lat)s, %(lon)s is more than %(km)s km from every station of "
                "%(county)s."
            )
            % {
                "lat": f"{lat_deg:g}",
                "lon": f"{lon_deg:g}",
                "km": f"{limit_km:g}",
                "county": county.label,
            }
        )
