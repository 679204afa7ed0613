"""A finished coverage run as the planner shows and exports it: figures, GeoJSON, Excel.

Reads only the run and its stored result and never writes; labels are in the active
language. ``figures`` reads the stored result, ``geojson`` and ``workbook`` write it out,
``labels`` names settings and answers.
"""

from warmbee.coverage.exports.figures import (
    CellFigures,
    NotPlacedFigures,
    PlanFigures,
    RecommendationFigures,
    ScenarioFigures,
    SiteFigures,
    StationFigures,
    summarise_plan,
)
from warmbee.coverage.exports.geojson import cells_geometry, plan_geojson
from warmbee.coverage.exports.labels import (
    demand_layer_label,
    generated_network_label,
    mode_label,
    solver_method_label,
    solver_status_label,
    unit_label,
)
from warmbee.coverage.exports.workbook import plan_workbook

__all__ = [
    "CellFigures",
    "NotPlacedFigures",
    "PlanFigures",
    "RecommendationFigures",
    "ScenarioFigures",
    "SiteFigures",
    "StationFigures",
    "cells_geometry",
    "demand_layer_label",
    "generated_network_label",
    "mode_label",
    "plan_geojson",
    "plan_workbook",
    "solver_method_label",
    "solver_status_label",
    "summarise_plan",
    "unit_label",
]
