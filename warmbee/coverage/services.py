"""Writes for coverage: start and compute runs, import demand layers.

Road networks are installed by ``road_networks`` (its services are re-exported here).
"""

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from warmbee.accounts.models import User
from warmbee.core.audit import record_audit
from warmbee.core.errors import DomainError
from warmbee.core.models import AuditAction
from warmbee.coverage.demand_layers import (
    CHECKIN_ORIGINS,
    DEMAND_LAYERS,
    HAZARD_REPORTS,
    PLACES,
    WORKERS,
    LayerDemand,
    checkin_origin_demand,
    hazard_report_demand,
    places_demand,
    worker_demand,
)
from warmbee.coverage.engine.errors import CoverageEngineError
from warmbee.coverage.engine.network import TravelMode
from warmbee.coverage.errors import (
    CoverageRunFailedUnexpectedlyError,
    CoverageRunNotFoundError,
    InvalidCoverageParametersError,
    NoDemandLayerChosenError,
    NotCountyPlannerError,
    ScenarioBaseNotFinishedError,
    TooManyPendingRunsError,
    from_engine_error,
)
from warmbee.coverage.housekeeping import fail_stalled_runs
from warmbee.coverage.models import (
    CoverageRun,
    CoverageRunStage,
    CoverageRunStatus,
    DemandLayer,
)
from warmbee.coverage.permissions import can_plan_county
from warmbee.coverage.places_csv import parse_places_csv
from warmbee.coverage.planning import PlanInput, compute_plan
from warmbee.coverage.road_networks import check_county
from warmbee.coverage.road_networks import (
    import_road_network as import_road_network,
)
from warmbee.coverage.road_networks import (
    install_road_network as install_road_network,
)
from warmbee.coverage.scenarios import check_scenario
from warmbee.coverage.selectors import (
    access_coverage_run,
    access_demand_layer,
    find_active_network,
    find_finished_run_figures,
    list_county_stations,
    list_station_names,
    load_engine_network,
)
from warmbee.regions.models import Region

logger = logging.getLogger(__name__)

COVERAGE_MODES = (TravelMode.WALK, TravelMode.EBIKE)
CANDIDATE_SOURCES = ("cells", "demand_points")
MAX_NEW_SITES = 50
MAX_MINUTES = 60
MAX_PENDING_RUNS_PER_USER = 3
DEFAULT_PARAMETERS: Mapping[str, Any] = {
    "mode": "ebike",
    "minutes": 15,
    "new_sites": 0,
    "candidate_source": "cells",
    "demand_layer": "uniform",
    "demand_layer_id": None,
}
# A what-if run's extra settings: the scenario and the run it is compared with.
SCENARIO_PARAMETERS = ("scenario", "based_on_run_id")


def _number(raw: Any, name: str, low: float, high: float) -> float:
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        raise InvalidCoverageParametersError(
            reason=_("%(name)s must be a number.") % {"name": name}
        )
    try:
        value = float(raw)
    except ValueError as error:
        raise InvalidCoverageParametersError(
            reason=_("%(name)s must be a number.") % {"name": name}
        ) from error
    if not (np.isfinite(value) and low <= value <= high):
        raise InvalidCoverageParametersError(
            reason=_("%(name)s must be between %(low)s and %(high)s.")
            % {"name": name, "low": f"{low:g}", "high": f"{high:g}"}
        )
    return value


def check_coverage_parameters(
    raw: Mapping[str, Any], *, county: Region | None = None
) -> dict[str, Any]:
    """Return complete, checked run parameters (defaults filled in).

    Keys: ``mode`` (walk, ebike), ``minutes`` (1-60), ``new_sites`` (0-50, how many
    sites to recommend), ``candidate_source`` (cells, demand_points) and
    ``demand_layer`` (uniform, workers, checkin_origins, hazard_reports, places) with ``demand_layer_id`` (the
    imported places' id, for places only; that it is the county's is checked by
    ``start_coverage_run``). A what-if adds ``scenario`` (checked against the
    ``county``'s stations by ``scenarios.check_scenario``) and ``based_on_run_id``
    (the plan it is compared with; that it is the county's is checked by
    ``start_coverage_run``); both are in the answer only for a what-if.
    """
    unknown = sorted(set(raw) - {*DEFAULT_PARAMETERS, *SCENARIO_PARAMETERS})
    if unknown:
        raise InvalidCoverageParametersError(
            reason=_("unknown settings %(names)s.") % {"names": ", ".join(unknown)}
        )
    values = {**DEFAULT_PARAMETERS, **raw}
    choices = {
        "mode": [str(mode) for mode in COVERAGE_MODES],
        "candidate_source": list(CANDIDATE_SOURCES),
        "demand_layer": list(DEMAND_LAYERS),
    }
    for key, allowed in choices.items():
        if values[key] not in allowed:
            raise InvalidCoverageParametersError(
                reason=_("%(name)s must be one of %(choices)s.")
                % {"name": key, "choices": ", ".join(allowed)}
            )
    new_sites = _number(values["new_sites"], "new_sites", 0, MAX_NEW_SITES)
    if new_sites != int(new_sites):
        raise InvalidCoverageParametersError(
            reason=_("%(name)s must be a whole number.") % {"name": "new_sites"}
        )
    checked = {
        "mode": values["mode"],
        "minutes": _number(values["minutes"], "minutes", 1, MAX_MINUTES),
        "new_sites": int(new_sites),
        "candidate_source": values["candidate_source"],
        "demand_layer": values["demand_layer"],
        "demand_layer_id": _layer_id(values["demand_layer"], values["demand_layer_id"]),
    }
    return checked | _what_if(raw, county)


def _what_if(raw: Mapping[str, Any], county: Region | None) -> dict[str, Any]:
    if raw.get("scenario") is None:
        if raw.get("based_on_run_id") is not None:
            raise InvalidCoverageParametersError(
                reason=_("%(name)s is only for a what-if.")
                % {"name": "based_on_run_id"}
            )
        return {}
    if county is None:
        raise InvalidCoverageParametersError(
            reason=_("a what-if is checked against its county's stations.")
        )
    based_on = raw.get("based_on_run_id")
    if based_on is not None:
        value = _number(based_on, "based_on_run_id", 1, 2**31 - 1)
        if value != int(value):
            raise InvalidCoverageParametersError(
                reason=_("%(name)s must be a whole number.")
                % {"name": "based_on_run_id"}
            )
        based_on = int(value)
    return {
        "scenario": check_scenario(raw["scenario"], county=county),
        "based_on_run_id": based_on,
    }


def _layer_id(layer: str, raw: Any) -> int | None:
    if layer != PLACES:
        if raw is not None:
            raise InvalidCoverageParametersError(
                reason=_("%(name)s is only for the demand layer %(layer)s.")
                % {"name": "demand_layer_id", "layer": PLACES}
            )
        return None
    if raw is None or raw == "":
        raise NoDemandLayerChosenError()
    value = _number(raw, "demand_layer_id", 1, 2**31 - 1)
    if value != int(value):
        raise InvalidCoverageParametersError(
            reason=_("%(name)s must be a whole number.") % {"name": "demand_layer_id"}
        )
    return int(value)


@transaction.atomic
def start_coverage_run(
    *, user: User, county: Region, parameters: Mapping[str, Any]
) -> CoverageRun:
    """Queue a coverage run of the county on its active network (straight line if none).

    The background worker computes it (``tasks.compute_coverage``), enqueued once the
    transaction commits; poll ``selectors.describe_coverage_run`` for progress.
    """
    check_county(county)
    if not can_plan_county(user, county):
        raise NotCountyPlannerError()
    fail_stalled_runs()  # a run whose worker was killed must not count as pending
    pending = CoverageRun.objects.filter(
        created_by=user,
        status__in=[CoverageRunStatus.QUEUED, CoverageRunStatus.RUNNING],
    ).count()
    if pending >= MAX_PENDING_RUNS_PER_USER:
        # One worker serves every county: nobody may fill its queue alone.
        raise TooManyPendingRunsError(count=pending)
    checked = check_coverage_parameters(parameters, county=county)
    based_on = checked.get("based_on_run_id")
    if based_on is not None:
        base = CoverageRun.objects.filter(pk=based_on, county=county).first()
        if base is None:
            raise CoverageRunNotFoundError()
        if base.status != CoverageRunStatus.DONE:
            raise ScenarioBaseNotFinishedError()
    layer_id = checked["demand_layer_id"]
    run = CoverageRun.objects.create(
        county=county,
        network=find_active_network(county),
        demand_layer=None
        if layer_id is None
        else access_demand_layer(user, county, layer_id),
        parameters=checked,
        created_by=user,
    )
    # Imported here: the task module imports this one.
    from warmbee.coverage.tasks import compute_coverage

    run_id = run.pk
    transaction.on_commit(lambda: compute_coverage.enqueue(run_id=run_id))
    return run


def start_scenario_run(
    *,
    user: User,
    run_id: int,
    remove_station_ids: list[Any],
    add_positions: list[Any],
) -> CoverageRun:
    """Queue a what-if of the finished run ``run_id``: its settings, other stations.

    The new run removes the stations ``remove_station_ids`` and adds stations at
    ``add_positions`` ([lat_deg, lon_deg] pairs) for its computation only, and stores
    ``based_on_run_id`` to compare with. A scenario starts from the stations in
    service, also when ``run_id`` is itself a what-if. Real stations never change.
    """
    base = access_coverage_run(user, run_id)
    if base.status != CoverageRunStatus.DONE:
        raise ScenarioBaseNotFinishedError()
    settings_of_base = {
        key: base.parameters[key]
        for key in DEFAULT_PARAMETERS
        if key in base.parameters
    }
    return start_coverage_run(
        user=user,
        county=base.county,
        parameters={
            **settings_of_base,
            "scenario": {
                "remove_station_ids": remove_station_ids,
                "add_positions": add_positions,
            },
            "based_on_run_id": base.pk,
        },
    )


def _claim_run(run_id: int) -> CoverageRun | None:
    with transaction.atomic():
        run = (
            CoverageRun.objects.select_for_update(of=("self",))
            .select_related("county", "network", "demand_layer")
            .filter(pk=run_id)
            .first()
        )
        if run is None or run.status != CoverageRunStatus.QUEUED:
            return None  # gone, or already taken by another attempt
        run.status = CoverageRunStatus.RUNNING
        run.started_at = timezone.now()
        run.progress_stage = CoverageRunStage.LOADING
        run.progress_percent = 5
        run.save(
            update_fields=["status", "started_at", "progress_stage", "progress_percent"]
        )
        return run


def _set_progress(run_id: int, stage: str, percent: int) -> None:
    CoverageRun.objects.filter(pk=run_id).update(
        progress_stage=stage, progress_percent=percent
    )


def _fail(run: CoverageRun, error: DomainError) -> None:
    CoverageRun.objects.filter(pk=run.pk).update(
        status=CoverageRunStatus.FAILED,
        error_code=error.code,
        error_params={key: str(value) for key, value in error.params.items()},
        finished_at=timezone.now(),
    )


def _layer_demand(run: CoverageRun) -> LayerDemand | None:
    layer = run.parameters.get("demand_layer", "uniform")
    if layer == WORKERS:
        return worker_demand(run.county)
    if layer == CHECKIN_ORIGINS:
        return checkin_origin_demand(run.county)
    if layer == HAZARD_REPORTS:
        return hazard_report_demand(run.county)
    if layer == PLACES and run.demand_layer is not None:
        return places_demand(run.demand_layer)
    return None


def _plan_input(run: CoverageRun, layer: LayerDemand | None) -> PlanInput:
    stations = list(
        list_county_stations(run.county).values_list("pk", "lat_deg", "lon_deg")
    )
    rows = np.asarray(stations, dtype=np.float64).reshape(-1, 3)
    parameters = run.parameters
    scenario = parameters.get("scenario") or {}
    mode = TravelMode(parameters["mode"])
    speed_kmh = (
        settings.FINDER_WALK_SPEED_KMH
        if mode is TravelMode.WALK
        else settings.FINDER_EBIKE_SPEED_KMH
    )
    return PlanInput(
        station_id=rows[:, 0].astype(np.int64),
        station_lat_deg=rows[:, 1],
        station_lon_deg=rows[:, 2],
        mode=mode,
        minutes=float(parameters["minutes"]),
        new_sites=int(parameters["new_sites"]),
        candidate_source=str(parameters["candidate_source"]),
        demand_layer=str(parameters["demand_layer"]),
        speed_m_s=float(speed_kmh) / 3.6,
        detour_factor=float(settings.FINDER_DETOUR_FACTOR),
        solver_time_limit_s=float(settings.COVERAGE_SOLVER_TIME_LIMIT_S),
        layer_points=None if layer is None else layer.points,
        removed_station_ids=tuple(
            int(pk) for pk in scenario.get("remove_station_ids", [])
        ),
        added_positions=tuple(
            (float(lat_deg), float(lon_deg))
            for lat_deg, lon_deg in scenario.get("add_positions", [])
        ),
    )


def _label_result(
    run: CoverageRun, result: dict[str, Any], layer: LayerDemand | None
) -> dict[str, Any]:
    names = {
        pk: (name, name_en)
        for pk, name, name_en in list_county_stations(run.county).values_list(
            "pk", "name", "name_en"
        )
    }
    for row in result["stations"]:
        row["name"], row["name_en"] = names.get(row["id"], ("", ""))
    if result.get("scenario") is not None:
        _label_scenario(run, result)
    demand = result["demand"]
    demand["layer_id"] = run.demand_layer_id
    demand["layer_name"] = run.demand_layer.name if run.demand_layer else None
    if layer is not None and demand["layer"] == WORKERS:
        demand["positions_are_approximate"] = layer.positions_are_approximate
        demand["not_placed_weight"] = round(layer.not_placed_weight, 6)
        demand["not_placed"] = [
            {
                "community_id": community.community_id,
                "name": community.name,
                "name_en": community.name_en,
                "weight": community.weight,
            }
            for community in layer.not_placed
        ]
    network = run.network
    result["network"] = (
        None
        if network is None
        else {
            "id": network.pk,
            "name": network.name,
            "is_generated": network.is_generated,
        }
    )
    return result


def _label_scenario(run: CoverageRun, result: dict[str, Any]) -> None:
    """Name the removed stations and keep the figures of the run compared with."""
    scenario = result["scenario"]
    names = list_station_names(scenario["removed_station_ids"])
    scenario["removed"] = [
        {
            "id": pk,
            "name": names.get(pk, ("", ""))[0],
            "name_en": names.get(pk, ("", ""))[1],
        }
        for pk in scenario["removed_station_ids"]
    ]
    based_on = run.parameters.get("based_on_run_id")
    scenario["based_on_run_id"] = based_on
    before = find_finished_run_figures(based_on) if based_on is not None else None
    scenario["before"] = (
        None
        if before is None
        else {
            key: before[key]
            for key in ("total_weight", "covered_weight", "covered_share")
        }
    )


def execute_coverage_run(*, run_id: int) -> CoverageRun | None:
    """Compute a queued run, writing its progress as it goes, then its result or error.

    Returns None when the run is gone or not queued (a repeated task does nothing).
    Errors of the input (too many sites, a broken network file) mark the run failed
    with their code; anything unexpected also marks it failed, then propagates.
    """
    run = _claim_run(run_id)
    if run is None:
        return None
    try:
        loaded = load_engine_network(run.network) if run.network is not None else None
        layer = _layer_demand(run)
        result = compute_plan(
            _plan_input(run, layer),
            loaded,
            lambda stage, percent: _set_progress(run_id, stage, percent),
        )
        CoverageRun.objects.filter(pk=run_id).update(
            status=CoverageRunStatus.DONE,
            result=_label_result(run, result, layer),
            # A slow run failed as stalled (housekeeping) gets its result after all.
            error_code="",
            error_params={},
            progress_stage=CoverageRunStage.FINISHED,
            progress_percent=100,
            finished_at=timezone.now(),
        )
    except DomainError as error:
        _fail(run, error)
    except CoverageEngineError as error:
        _fail(run, from_engine_error(error))
    except BaseException:
        # Also a worker stopped mid-run (SystemExit, KeyboardInterrupt): never "running"
        # for ever; the task may be retried by starting the plan again.
        logger.exception("Coverage run %s failed", run_id)
        _fail(run, CoverageRunFailedUnexpectedlyError())
        raise
    run.refresh_from_db()
    return run


@transaction.atomic
def create_demand_layer(
    *, user: User, county: Region, name: str, file_name: str, data: bytes
) -> DemandLayer:
    """Import a CSV of places (``places_csv.parse_places_csv``) as a county's layer.

    All or nothing: any problem raises ``InvalidPlacesFileError`` listing every row
    that is wrong, and nothing is saved. The name defaults to the file's name.
    """
    check_county(county)
    if not can_plan_county(user, county):
        raise NotCountyPlannerError()
    stations = np.asarray(
        list(list_county_stations(county).values_list("lat_deg", "lon_deg")),
        dtype=np.float64,
    ).reshape(-1, 2)
    table = parse_places_csv(
        data, station_lat_deg=stations[:, 0], station_lon_deg=stations[:, 1]
    )
    layer = DemandLayer(
        county=county,
        name=(name.strip() or Path(file_name).stem or file_name)[:100],
        source_file_name=file_name[:200],
        uploaded_by=user,
        point_count=len(table.name),
        total_weight=table.total_weight,
        points=table.as_columns(),
    )
    layer.full_clean()
    layer.save()
    record_audit(
        actor=user,
        action=AuditAction.CREATE,
        target=layer,
        fields=["county", "name", "source_file_name", "point_count"],
        county=county,
    )
    return layer
