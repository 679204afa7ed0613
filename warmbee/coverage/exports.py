"""A finished coverage run as the planner shows and exports it: figures, GeoJSON, Excel.

Reads only the run and its stored result (no queries beyond the run's own relations) and
never writes; labels are in the active language.
"""

import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import h3
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from openpyxl import Workbook  # type: ignore[import-untyped]  # no stubs installed
from openpyxl.utils import (  # type: ignore[import-untyped]  # no stubs installed
    get_column_letter,
)

from warmbee.coverage.models import CoverageRun, CoverageRunStatus


def unit_label(unit: str) -> str:
    """Return how the demand unit reads ('road_km': km of road, 'area_km2': km²...)."""
    return {
        "road_km": _("km of road"),
        "area_km2": _("km²"),
        "workers": _("workers"),
        "places": _("places"),
    }.get(unit, unit)


def demand_layer_label(layer: str, unit: str, layer_name: str | None) -> str:
    """Return which demand a run used, in a few words."""
    if layer == "workers":
        return _("registered workers' usual work areas")
    if layer == "places":
        return _("imported places “%(name)s”") % {"name": layer_name or "?"}
    if unit == "road_km":
        return _("spread evenly over the roads")
    return _("spread evenly over the area around the stations")


def mode_label(mode: str) -> str:
    return {"walk": _("on foot"), "ebike": _("by e-bike")}.get(mode, mode)


def solver_status_label(status: str) -> str:
    return {
        "optimal": _("proven optimal"),
        "time_limit": _("best found before the time limit (not proven)"),
        "heuristic": _("fast heuristic answer (not proven)"),
        "no_solution": _("no answer"),
    }.get(status, status)


def solver_method_label(method: str) -> str:
    return {
        "milp": _("exact (HiGHS)"),
        "greedy": _("greedy"),
        "greedy_swap": _("greedy with swaps"),
    }.get(method, method)


def generated_network_label() -> str:
    """The words shown next to a generated network everywhere it appears."""
    return _("generated street network, not real roads")


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


def _as_lists(value: Any) -> Any:
    """Turn h3's nested tuples into the lists JSON readers expect."""
    if isinstance(value, tuple | list):
        return [_as_lists(item) for item in value]
    return value


def cells_geometry(cells: Iterable[str]) -> dict[str, Any]:
    """Return H3 cells merged into one GeoJSON (Multi)Polygon, lon/lat, as lists."""
    geometry = h3.cells_to_geo(list(cells))
    return {
        "type": geometry["type"],
        "coordinates": _as_lists(geometry["coordinates"]),
    }


def _feature(geometry: dict[str, Any], properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "Feature", "geometry": geometry, "properties": properties}


def _point(lat_deg: float, lon_deg: float) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [round(lon_deg, 7), round(lat_deg, 7)]}


def _amount(weight: float, figures: PlanFigures) -> str:
    return f"{weight:,.2f} {figures.unit_label}"


def _station_features(figures: PlanFigures) -> list[dict[str, Any]]:
    features = []
    for station in figures.stations:
        properties = {
            "station_id": station.id,
            "name": station.name,
            "covered_weight": station.covered_weight,
            "covered_share": round(station.covered_share, 6),
            "area_km2": round(station.area_km2, 3),
            "on_network": station.on_network,
            "is_added": station.is_added,
        }
        if station.cells:
            features.append(
                _feature(
                    cells_geometry(station.cells),
                    {
                        "kind": "station_area",
                        **properties,
                        "label": _("%(name)s: %(amount)s within reach")
                        % {
                            "name": station.name,
                            "amount": _amount(station.covered_weight, figures),
                        },
                    },
                )
            )
        features.append(
            _feature(
                _point(station.lat_deg, station.lon_deg),
                {"kind": "station", **properties, "label": station.name},
            )
        )
    return features


def _cell_features(figures: PlanFigures) -> list[dict[str, Any]]:
    features = []
    for cell in figures.uncovered_cells:
        ring = [[lon, lat] for lat, lon in h3.cell_to_boundary(cell.cell)]
        features.append(
            _feature(
                {"type": "Polygon", "coordinates": [[*ring, ring[0]]]},
                {
                    "kind": "uncovered_cell",
                    "cell": cell.cell,
                    "uncovered_weight": cell.uncovered_weight,
                    "label": _("Not covered: %(amount)s")
                    % {"amount": _amount(cell.uncovered_weight, figures)},
                },
            )
        )
    return features


def _site_features(figures: PlanFigures) -> list[dict[str, Any]]:
    if figures.recommendation is None:
        return []
    return [
        _feature(
            _point(site.lat_deg, site.lon_deg),
            {
                "kind": "recommended_site",
                "rank": site.rank,
                "added_weight": site.added_weight,
                "covered_share_after": round(site.covered_share_after, 6),
                "label": _("New site %(rank)s: adds %(amount)s")
                % {"rank": site.rank, "amount": _amount(site.added_weight, figures)},
            },
        )
        for site in figures.recommendation.sites
    ]


def _scenario_json(figures: PlanFigures) -> dict[str, Any] | None:
    scenario = figures.scenario
    if scenario is None:
        return None
    return {
        "statement": scenario.statement,
        "removed_stations": list(scenario.removed_names),
        "added_positions": [list(position) for position in scenario.added_positions],
        "based_on_run_id": scenario.based_on_run_id,
        "before_covered_share": scenario.before_covered_share,
        "comparison": figures.comparison_statement,
    }


def plan_geojson(figures: PlanFigures) -> dict[str, Any]:
    """Return the run as a GeoJSON FeatureCollection (RFC 7946, WGS-84 lon/lat).

    Features, each with ``properties.kind``: ``uncovered_cell`` (H3 resolution-9
    hexagons), ``station_area`` (a station's cells within the limit, merged),
    ``station`` (points; ``is_added`` for a what-if's added station) and
    ``recommended_site`` (points, ``rank`` 1…k). The run's settings, method and
    what-if (``scenario``, or null) are in the foreign member ``coverage_run``.
    """
    return {
        "type": "FeatureCollection",
        "coverage_run": {
            "id": figures.run_id,
            "county": figures.county_name,
            "method": figures.method,
            "method_statement": figures.method_statement,
            "network": figures.network_name,
            "network_is_generated": figures.network_is_generated,
            "note": generated_network_label() if figures.network_is_generated else "",
            "mode": figures.mode_label,
            "minutes": figures.minutes,
            "demand_layer": figures.demand_layer,
            "demand_layer_id": figures.demand_layer_id,
            "demand_statement": figures.demand_statement,
            "unit": figures.unit,
            "unit_label": figures.unit_label,
            "off_network_points": figures.off_network_points,
            "off_network_weight": figures.off_network_weight,
            "not_placed": [
                {"name": community.name, "weight": community.weight}
                for community in figures.not_placed
            ],
            "total_weight": figures.total_weight,
            "covered_weight": figures.covered_weight,
            "covered_share": figures.covered_share,
            "scenario": _scenario_json(figures),
        },
        "features": [
            *_cell_features(figures),
            *_station_features(figures),
            *_site_features(figures),
        ],
    }


# -------------------------------------------------------------------------- Excel


FORMULA_STARTS = ("=", "+", "-", "@")


def _as_text_if_formula_like(value: Any) -> Any:
    """Keep names that start like a formula (``=HYPERLINK(...)``) as plain text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return f"'{value}"
    return value


def _sheet(
    workbook: Workbook, title: str, header: list[str], rows: list[list[Any]]
) -> None:
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append(header)
    for row in rows:
        sheet.append([_as_text_if_formula_like(value) for value in row])
    sheet.freeze_panes = "A2"
    for index, text in enumerate(header, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, len(text) + 4)


def _summary_rows(figures: PlanFigures) -> list[list[Any]]:
    rows: list[list[Any]] = [
        [_("County"), figures.county_name],
        [_("Run"), figures.run_id],
        [_("Started at"), figures.created_at_label],
        [_("Started by"), figures.created_by_name],
        [_("Method"), figures.method_statement],
        [_("Road network"), figures.network_name or _("none (straight line)")],
    ]
    if figures.network_is_generated:
        rows.append([_("Note"), generated_network_label()])
    rows += [
        [_("Travel"), figures.mode_label],
        [_("Minutes"), figures.minutes],
        [_("Demand layer"), figures.demand_layer_label],
        [_("Demand unit"), figures.unit_label],
        [_("Demand points"), figures.demand_points],
        [_("Points too far from a road"), figures.off_network_points],
        [_("Demand too far from a road"), figures.off_network_weight],
    ]
    if figures.not_placed:
        rows.append(
            [
                _("Workers in communities without a station (not placed)"),
                figures.not_placed_weight,
            ]
        )
        rows += [
            [_("Not placed: %(name)s") % {"name": community.name}, community.weight]
            for community in figures.not_placed
        ]
    if figures.positions_are_approximate:
        rows.append(
            [_("Community positions"), _("Some community positions are approximate.")]
        )
    if figures.scenario is not None:
        scenario = figures.scenario
        rows += [
            [_("What-if"), scenario.statement],
            [_("Compared with plan"), scenario.based_on_run_id],
            [_("Covered share before"), scenario.before_covered_share],
            [_("Comparison"), figures.comparison_statement],
        ]
    rows += [
        [_("Total demand"), figures.total_weight],
        [_("Covered demand"), figures.covered_weight],
        [_("Covered share"), figures.covered_share],
        [_("Uncovered cells"), figures.uncovered_cell_count],
    ]
    recommendation = figures.recommendation
    if recommendation is not None:
        rows += [
            [_("New sites asked for"), recommendation.new_sites],
            [_("Candidate places"), recommendation.candidate_count],
            [_("Solver status"), recommendation.status_label],
            [_("Solver method"), recommendation.method_label],
            [_("Demand added"), recommendation.added_weight],
            [_("Upper bound on demand added"), recommendation.bound],
            [_("Gap to the bound"), recommendation.gap],
            [_("Covered share with the new sites"), recommendation.covered_share_after],
        ]
    return rows


def plan_workbook(figures: PlanFigures) -> bytes:
    """Return the run as an .xlsx workbook: summary, stations, new sites, uncovered cells."""
    workbook = Workbook()
    default = workbook.active
    if default is not None:
        workbook.remove(default)
    unit = figures.unit_label
    _sheet(workbook, _("Summary"), [_("Figure"), _("Value")], _summary_rows(figures))
    _sheet(
        workbook,
        _("Stations"),
        [
            _("Station"),
            _("Latitude"),
            _("Longitude"),
            _("On the road network"),
            _("Covered demand (%(unit)s)") % {"unit": unit},
            _("Share of all demand"),
            _("Area (km²)"),
        ],
        [
            [
                station.name,
                station.lat_deg,
                station.lon_deg,
                _("yes") if station.on_network else _("no"),
                station.covered_weight,
                round(station.covered_share, 6),
                round(station.area_km2, 3),
            ]
            for station in figures.stations
        ],
    )
    sites = figures.recommendation.sites if figures.recommendation else ()
    _sheet(
        workbook,
        _("Recommended sites"),
        [
            _("Rank"),
            _("Latitude"),
            _("Longitude"),
            _("Demand added (%(unit)s)") % {"unit": unit},
            _("Covered share afterwards"),
        ],
        [
            [
                site.rank,
                site.lat_deg,
                site.lon_deg,
                site.added_weight,
                round(site.covered_share_after, 6),
            ]
            for site in sites
        ],
    )
    _sheet(
        workbook,
        _("Uncovered cells"),
        [
            _("H3 cell"),
            _("Latitude"),
            _("Longitude"),
            _("Uncovered demand (%(unit)s)") % {"unit": unit},
        ],
        [
            [
                cell.cell,
                round(cell.lat_deg, 7),
                round(cell.lon_deg, 7),
                cell.uncovered_weight,
            ]
            for cell in figures.uncovered_cells
        ],
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
