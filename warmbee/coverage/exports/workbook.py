"""A finished run as an Excel workbook; cells that look like formulas stay text."""

import io
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook  # type: ignore[import-untyped]  # no stubs installed
from openpyxl.utils import (  # type: ignore[import-untyped]  # no stubs installed
    get_column_letter,
)

from warmbee.coverage.exports.figures import PlanFigures
from warmbee.coverage.exports.labels import (
    generated_network_label,
)

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
