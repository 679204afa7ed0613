"""A finished run's figures as the planner shows them (frozen dataclasses).

Reads only the run and its stored result (no queries beyond the run's own relations) and
never writes.
"""

from dataclasses import dataclass
from typing import Any

import h3
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from warmbee.coverage.exports.labels import (
    demand_layer_label,
    mode_label,
    solver_method_label,
    solver_status_label,
    unit_label,
)
from warmbee.coverage.models import CoverageRun, CoverageRunStatus


def _name(row: dict[str, Any]) -> str:
    if row.get("added_number"):
        return _("Added station %(number)s (what-if)") % {"number": row["added_number"]}
    name = str(row.get("name") or "")
    name_en = str(row.get("name_en") or "")
    return name_en if get_language() == "en" and name_en else name


@dataclass(frozen=True)
class StationFigures:
    id: int
    name: str
    lat_deg: float
    lon_deg: float
    on_network: bool
    covered_weight: float
    covered_share: float  # of all demand
    cells: tuple[str, ...]
    area_km2: float
    is_added: bool = False  # added by a what-if, not a real station

    @property
    def covered_percent(self) -> float:
        return 100.0 * self.covered_share


@dataclass(frozen=True)
class SiteFigures:
    rank: int
    lat_deg: float
    lon_deg: float
    added_weight: float
    covered_share_after: float  # with this site and the ones ranked before it

    @property
    def covered_percent_after(self) -> float:
        return 100.0 * self.covered_share_after


@dataclass(frozen=True)
class CellFigures:
    cell: str
    lat_deg: float
    lon_deg: float
    uncovered_weight: float


@dataclass(frozen=True)
class NotPlacedFigures:
    """A community workers named that has no station, hence no position."""

    name: str
    weight: float


@dataclass(frozen=True)
class RecommendationFigures:
    new_sites: int
    candidate_count: int
    status: str
    status_label: str
    method_label: str
    added_weight: float
    bound: float
    gap: float
    covered_share_after: float
    sites: tuple[SiteFigures, ...]

    @property
    def covered_percent_after(self) -> float:
        return 100.0 * self.covered_share_after

    @property
    def gap_percent(self) -> float:
        return 100.0 * self.gap


@dataclass(frozen=True)
class ScenarioFigures:
    """What a what-if changed, and the plan it is compared with (``before_*``).

    ``before_covered_share`` is None when that plan was gone or unfinished.
    """

    removed_names: tuple[str, ...]
    added_positions: tuple[tuple[float, float], ...]
    based_on_run_id: int | None
    before_total_weight: float | None
    before_covered_weight: float | None
    before_covered_share: float | None

    @property
    def statement(self) -> str:
        """Say what the scenario changed: 'Scenario: removed A, B; added 1 station...'."""
        changes = []
        if self.removed_names:
            changes.append(
                _("removed %(names)s") % {"names": ", ".join(self.removed_names)}
            )
        if self.added_positions:
            count = len(self.added_positions)
            changes.append(
                ngettext(
                    "added %(count)s station at %(positions)s",
                    "added %(count)s stations at %(positions)s",
                    count,
                )
                % {
                    "count": count,
                    "positions": "; ".join(
                        f"{lat:.5f}, {lon:.5f}" for lat, lon in self.added_positions
                    ),
                }
            )
        return (
            _("Scenario: %(changes)s.") % {"changes": "; ".join(changes)}
            + " "
            + _("The stations themselves are unchanged.")
        )


@dataclass(frozen=True)
class PlanFigures:
    """A finished run's figures; ``method`` is 'network' or 'straight_line'."""

    run_id: int
    county_name: str
    county_code: str
    created_at_label: str
    created_by_name: str
    method: str
    detour_factor: float | None
    network_name: str | None
    network_node_count: int | None
    network_is_generated: bool
    mode_label: str
    minutes: float
    unit: str
    unit_label: str
    demand_layer: str
    demand_layer_label: str
    demand_layer_id: int | None
    off_network_points: int
    off_network_weight: float
    not_placed: tuple[NotPlacedFigures, ...]
    positions_are_approximate: bool
    demand_points: int
    total_weight: float
    covered_weight: float
    covered_share: float
    uncovered_cell_count: int
    stations: tuple[StationFigures, ...]
    uncovered_cells: tuple[CellFigures, ...]
    recommendation: RecommendationFigures | None
    elapsed_s: float | None
    scenario: ScenarioFigures | None = None

    @property
    def uncovered_weight(self) -> float:
        return self.total_weight - self.covered_weight

    @property
    def covered_percent(self) -> float:
        return 100.0 * self.covered_share

    @property
    def method_statement(self) -> str:
        """Say plainly how travel times were found."""
        if self.method == "network":
            return _("Travel times on the road network %(name)s (%(nodes)s nodes).") % {
                "name": self.network_name,
                "nodes": self.network_node_count,
            }
        return _(
            "No road network was loaded: travel times are estimated as straight-line "
            "distance × %(factor)s."
        ) % {"factor": self.detour_factor}

    @property
    def not_placed_weight(self) -> float:
        return sum(community.weight for community in self.not_placed)

    @property
    def demand_statement(self) -> str:
        """Say which demand was used, its unit and what was left out of reach."""
        text = _("Demand: %(layer)s, counted in %(unit)s, %(points)s points.") % {
            "layer": self.demand_layer_label,
            "unit": self.unit_label,
            "points": self.demand_points,
        }
        if self.off_network_points:
            text += " " + _(
                "%(points)s of them (%(weight)s %(unit)s) are too far from any road "
                "and count as not covered."
            ) % {
                "points": self.off_network_points,
                "weight": f"{self.off_network_weight:g}",
                "unit": self.unit_label,
            }
        if self.not_placed:
            text += " " + _(
                "%(weight)s workers name communities without a station, which "
                "have no position, and are not in the figures: %(names)s."
            ) % {
                "weight": f"{self.not_placed_weight:g}",
                "names": ", ".join(
                    f"{community.name} ({community.weight:g})"
                    for community in self.not_placed
                ),
            }
        if self.positions_are_approximate:
            text += " " + _(
                "Communities are placed at their stations, some of whose positions "
                "are approximate."
            )
        return text

    @property
    def comparison_statement(self) -> str:
        """Compare a what-if's covered share with the plan it is based on ('' if none)."""
        scenario = self.scenario
        if scenario is None or scenario.before_covered_share is None:
            return ""
        change_points = 100.0 * (self.covered_share - scenario.before_covered_share)
        text = _(
            "Before (plan #%(run)s): %(before)s %% covered; after: %(after)s %% "
            "(%(change)s percentage points)."
        ) % {
            "run": scenario.based_on_run_id,
            "before": f"{100.0 * scenario.before_covered_share:.1f}",
            "after": f"{self.covered_percent:.1f}",
            "change": f"{change_points:+.1f}",
        }
        before_total = scenario.before_total_weight or 0.0
        if abs(before_total - self.total_weight) > 1e-6 * max(1.0, before_total):
            text += " " + _(
                "The total demand differs (%(before)s before, %(after)s now): the "
                "stations in service or the demand changed in between."
            ) % {"before": f"{before_total:g}", "after": f"{self.total_weight:g}"}
        return text

    @property
    def file_stem(self) -> str:
        return f"coverage-{self.county_code[:6]}-run-{self.run_id}"


def _share(part: float, total: float) -> float:
    return part / total if total > 0 else 0.0


def _stations(result: dict[str, Any], total: float) -> tuple[StationFigures, ...]:
    return tuple(
        StationFigures(
            id=int(row["id"]),
            name=_name(row),
            lat_deg=float(row["lat_deg"]),
            lon_deg=float(row["lon_deg"]),
            on_network=bool(row["on_network"]),
            covered_weight=float(row["covered_weight"]),
            covered_share=_share(float(row["covered_weight"]), total),
            cells=tuple(row["cells"]),
            area_km2=sum(h3.cell_area(cell, unit="km^2") for cell in row["cells"]),
            is_added=bool(row.get("added_number")),
        )
        for row in result["stations"]
    )


def _recommendation(
    result: dict[str, Any], covered: float, total: float
) -> RecommendationFigures | None:
    raw = result.get("recommendation")
    if not raw:
        return None
    sites = []
    for rank, site in enumerate(raw["sites"], start=1):
        covered += float(site["added_weight"])
        sites.append(
            SiteFigures(
                rank=rank,
                lat_deg=float(site["lat_deg"]),
                lon_deg=float(site["lon_deg"]),
                added_weight=float(site["added_weight"]),
                covered_share_after=_share(covered, total),
            )
        )
    return RecommendationFigures(
        new_sites=int(raw["new_sites"]),
        candidate_count=int(raw["candidate_count"]),
        status=str(raw["status"]),
        status_label=solver_status_label(str(raw["status"])),
        method_label=solver_method_label(str(raw["method"])),
        added_weight=float(raw["added_weight"]),
        bound=float(raw["bound"]),
        gap=float(raw["gap"]),
        covered_share_after=float(raw["covered_share_after"]),
        sites=tuple(sites),
    )


def _scenario(result: dict[str, Any]) -> ScenarioFigures | None:
    raw = result.get("scenario")
    if not raw:
        return None
    before = raw.get("before") or {}

    def number(key: str) -> float | None:
        return float(before[key]) if before.get(key) is not None else None

    return ScenarioFigures(
        removed_names=tuple(
            _name(row) or f"#{row['id']}" for row in raw.get("removed", [])
        ),
        added_positions=tuple(
            (float(lat_deg), float(lon_deg))
            for lat_deg, lon_deg in raw.get("added_positions", [])
        ),
        based_on_run_id=raw.get("based_on_run_id"),
        before_total_weight=number("total_weight"),
        before_covered_weight=number("covered_weight"),
        before_covered_share=number("covered_share"),
    )


def _not_placed(demand: dict[str, Any]) -> tuple[NotPlacedFigures, ...]:
    return tuple(
        NotPlacedFigures(name=_name(row), weight=float(row["weight"]))
        for row in demand.get("not_placed", [])
    )


def summarise_plan(run: CoverageRun) -> PlanFigures | None:
    """Return the figures of a finished run, or None while it has no result."""
    result = run.result
    if run.status != CoverageRunStatus.DONE or not result:
        return None
    demand = result["demand"]
    total = float(demand["total_weight"])
    network = run.network
    return PlanFigures(
        run_id=run.pk,
        county_name=run.county.label,
        county_code=run.county.code,
        created_at_label=date_format(localtime(run.created_at), "Y-m-d H:i"),
        created_by_name=run.created_by.display_name if run.created_by else "",
        method=str(result["method"]),
        detour_factor=result.get("detour_factor"),
        network_name=network.name if network is not None else None,
        network_node_count=network.node_count if network is not None else None,
        network_is_generated=network.is_generated if network is not None else False,
        mode_label=mode_label(str(result["mode"])),
        minutes=float(result["minutes"]),
        unit=str(demand["unit"]),
        unit_label=unit_label(str(demand["unit"])),
        demand_layer=str(demand.get("layer", "uniform")),
        demand_layer_label=demand_layer_label(
            str(demand.get("layer", "uniform")),
            str(demand["unit"]),
            demand.get("layer_name"),
        ),
        demand_layer_id=demand.get("layer_id"),
        off_network_points=int(demand.get("off_network_points", 0)),
        off_network_weight=float(demand.get("off_network_weight", 0.0)),
        not_placed=_not_placed(demand),
        positions_are_approximate=bool(demand.get("positions_are_approximate")),
        demand_points=int(demand["points"]),
        total_weight=total,
        covered_weight=float(demand["covered_weight"]),
        covered_share=float(demand["covered_share"]),
        uncovered_cell_count=int(result["uncovered_cell_count"]),
        stations=_stations(result, total),
        uncovered_cells=tuple(
            CellFigures(
                cell=row["cell"],
                lat_deg=h3.cell_to_latlng(row["cell"])[0],
                lon_deg=h3.cell_to_latlng(row["cell"])[1],
                uncovered_weight=float(row["weight"]),
            )
            for row in result["uncovered_cells"]
        ),
        recommendation=_recommendation(result, float(demand["covered_weight"]), total),
        elapsed_s=result.get("elapsed_s"),
        scenario=_scenario(result),
    )


# ------------------------------------------------------------------------ GeoJSON
