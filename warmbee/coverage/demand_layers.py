"""Demand layers as weighted points for a coverage run.

Workers' usual work areas, where workers came from when they checked in, where hazards
were reported, and imported places. Reads only (the workers app gives counts per
community, the visits app counts per cell, the reports app positions without
reporters); the run's service turns the answer into ``planning.DemandPoints``.
"""

import datetime as dt
from dataclasses import dataclass

import h3
import numpy as np
from django.conf import settings
from django.utils import timezone

from warmbee.coverage.errors import (
    NoCheckInOriginsError,
    NoHazardReportsError,
    NoPlacedWorkersError,
)
from warmbee.coverage.models import DemandLayer
from warmbee.coverage.planning import DemandPoints
from warmbee.coverage.selectors import community_positions
from warmbee.regions.models import Region
from warmbee.reports.selectors import count_hazard_positions, list_hazard_positions
from warmbee.visits.origins import expiry_month
from warmbee.visits.selectors import count_checkin_origins
from warmbee.workers.selectors import count_workers_by_work_community

UNIFORM = "uniform"
WORKERS = "workers"
CHECKIN_ORIGINS = "checkin_origins"
HAZARD_REPORTS = "hazard_reports"
PLACES = "places"
DEMAND_LAYERS = (UNIFORM, WORKERS, CHECKIN_ORIGINS, HAZARD_REPORTS, PLACES)


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


def checkin_origin_demand(county: Region) -> LayerDemand:
    """Return where workers came from when they checked in: one point per H3 cell.

    Each cell sits at its centre and weighs the check-ins counted from it over the
    months still kept. Raises ``NoCheckInOriginsError`` when there are none.
    """
    counts = count_checkin_origins(county, since=expiry_month())
    if not counts:
        raise NoCheckInOriginsError(months=settings.CHECKIN_ORIGIN_RETENTION_MONTHS)
    cells = sorted(counts)
    centres = np.asarray([h3.cell_to_latlng(cell) for cell in cells], dtype=np.float64)
    return LayerDemand(
        points=DemandPoints(
            lat_deg=centres[:, 0],
            lon_deg=centres[:, 1],
            weight=np.asarray([counts[cell] for cell in cells], dtype=np.float64),
            unit="checkins",
        )
    )


def count_recent_checkin_origins(county: Region) -> int:
    """Return how many check-ins the origins layer of ``county`` holds now."""
    return sum(count_checkin_origins(county, since=expiry_month()).values())


def _hazard_reports_since() -> dt.datetime:
    months = settings.REPORT_LAYER_MONTHS
    return timezone.now() - dt.timedelta(days=round(months * 365.25 / 12))


def hazard_report_demand(county: Region) -> LayerDemand:
    """Return where hazards were reported recently: one point per report, weight 1.

    Public-opinion reports are not places of demand and are left out, and so are
    reports placed at a chosen station (the phone gave no position). Raises
    ``NoHazardReportsError`` when there are none.
    """
    positions = list_hazard_positions(county, since=_hazard_reports_since())
    if not positions:
        raise NoHazardReportsError(months=settings.REPORT_LAYER_MONTHS)
    array = np.asarray(positions, dtype=np.float64)
    return LayerDemand(
        points=DemandPoints(
            lat_deg=array[:, 0],
            lon_deg=array[:, 1],
            weight=np.ones(len(positions), dtype=np.float64),
            unit="reports",
        )
    )


def count_recent_hazard_reports(county: Region) -> int:
    """Return how many hazard reports the layer of ``county`` holds now."""
    return count_hazard_positions(county, since=_hazard_reports_since())


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
