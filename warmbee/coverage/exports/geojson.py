"""A finished run's map as GeoJSON: stations and their areas, uncovered cells, sites."""

from collections.abc import Iterable
from typing import Any

import h3
from django.utils.translation import gettext as _

from warmbee.coverage.exports.figures import PlanFigures
from warmbee.coverage.exports.labels import generated_network_label


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
