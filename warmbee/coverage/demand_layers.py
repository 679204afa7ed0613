"""Demand layers as weighted points for a coverage run: workers' usual work areas, places.

Reads only (the workers app gives counts per community, never people); the run's
service turns the answer into ``planning.DemandPoints``. Check-in origins and hazard
report locations are not layers yet: visits do not record where the worker came from,
and there are no hazard reports to read (see ``UNAVAILABLE_LAYERS``).
"""

from dataclasses import dataclass

import numpy as np
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from warmbee.coverage.errors import NoPlacedWorkersError
from warmbee.coverage.models import DemandLayer
from warmbee.coverage.planning import DemandPoints
from warmbee.coverage.selectors import community_positions
from warmbee.regions.models import Region
from warmbee.workers.selectors import count_workers_by_work_community

UNIFORM = "uniform"
WORKERS = "workers"
PLACES = "places"
DEMAND_LAYERS = (UNIFORM, WORKERS, PLACES)


@dataclass(frozen=True)
class UnavailableLayer:
    code: str
    label: Promise
    reason: Promise


UNAVAILABLE_LAYERS = (
    UnavailableLayer(
        "checkin_origins",
        _("Where workers came from when they checked in"),
        _(
            "Not available: a check-in records the station, not where the worker came "
            "from."
        ),
    ),
    UnavailableLayer(
        "hazard_reports",
        _("Hazard report locations"),
        _("Not available yet: hazard reports are not part of Warm Bee yet."),
    ),
)


@dataclass(frozen=True)
class NotPlacedCommunity:
    """A community workers name that has no station in service, so no position."""

    community_id: int
    name: str
    name_en: str
    weight: float


@dataclass(frozen=True)
class LayerDemand:
    """A non-uniform layer's points, with what could not be placed (workers only)."""

    points: DemandPoints
    not_placed: tuple[NotPlacedCommunity, ...] = ()
    positions_are_approximate: bool = False

    @property
    def not_placed_weight(self) -> float:
        return sum(community.weight for community in self.not_placed)


def worker_demand(county: Region) -> LayerDemand:
    """Return the workers' usual work areas as points: one per community with a station.

    A community sits at the mean position of its stations in service and weighs the
    workers naming it (``count_workers_by_work_community``). Communities without a
    station are listed in ``not_placed`` with their weight, never dropped silently.
    Raises ``NoPlacedWorkersError`` when no weight can be placed.
    """
    weights = count_workers_by_work_community(county.code[:6])
    positions = community_positions(county)
    placed = sorted(pk for pk in weights if pk in positions)
    missing = sorted(pk for pk in weights if pk not in positions)
    names = {
        pk: (name, name_en)
        for pk, name, name_en in Region.objects.filter(pk__in=missing).values_list(
            "pk", "name", "name_en"
        )
    }
    not_placed = tuple(
        NotPlacedCommunity(pk, *names.get(pk, ("", "")), weight=round(weights[pk], 6))
        for pk in missing
    )
    if not placed:
        raise NoPlacedWorkersError(not_placed=f"{sum(weights[pk] for pk in missing):g}")
    points = DemandPoints(
        lat_deg=np.asarray([positions[pk].lat_deg for pk in placed], dtype=np.float64),
        lon_deg=np.asarray([positions[pk].lon_deg for pk in placed], dtype=np.float64),
        weight=np.asarray([weights[pk] for pk in placed], dtype=np.float64),
        unit="workers",
    )
    return LayerDemand(
        points=points,
        not_placed=not_placed,
        positions_are_approximate=any(positions[pk].is_approximate for pk in placed),
    )


def places_demand(layer: DemandLayer) -> LayerDemand:
    """Return an imported layer's places as points (unit: places, weighted)."""
    columns = layer.points
    return LayerDemand(
        points=DemandPoints(
            lat_deg=np.asarray(columns["lat_deg"], dtype=np.float64),
            lon_deg=np.asarray(columns["lon_deg"], dtype=np.float64),
            weight=np.asarray(columns["weight"], dtype=np.float64),
            unit="places",
        )
    )
