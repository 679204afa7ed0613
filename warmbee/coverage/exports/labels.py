"""Labels of a run's settings and answers, in the active language."""

from django.conf import settings
from django.utils.translation import gettext as _


def unit_label(unit: str) -> str:
    """Return how the demand unit reads ('road_km': km of road, 'area_km2': km²...)."""
    return {
        "road_km": _("km of road"),
        "area_km2": _("km²"),
        "workers": _("workers"),
        "checkins": _("check-ins"),
        "reports": _("hazard reports"),
        "places": _("places"),
    }.get(unit, unit)


def demand_layer_label(layer: str, unit: str, layer_name: str | None) -> str:
    """Return which demand a run used, in a few words."""
    if layer == "workers":
        return _("registered workers' usual work areas")
    if layer == "checkin_origins":
        return _(
            "where workers came from when they checked in (last %(months)s months)"
        ) % {"months": settings.CHECKIN_ORIGIN_RETENTION_MONTHS}
    if layer == "hazard_reports":
        return _("where safety hazards were reported (last %(months)s months)") % {
            "months": settings.REPORT_LAYER_MONTHS
        }
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
