"""Reads for coverage: the active network, networks loaded for searches, runs as views."""

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from django.db.models import FloatField, QuerySet
from django.db.models.fields.json import KT
from django.db.models.functions import Cast

from warmbee.accounts.models import User
from warmbee.coverage.engine.errors import CoverageEngineError
from warmbee.coverage.engine.snapping import NodeSnapper
from warmbee.coverage.engine.storage import load_network
from warmbee.coverage.errors import (
    CoverageRunNotFoundError,
    DemandLayerNotFoundError,
    NetworkFileMissingError,
    NotCountyPlannerError,
    UnknownCountyError,
    error_from_code,
    from_engine_error,
)
from warmbee.coverage.models import (
    CoverageRun,
    CoverageRunStatus,
    DemandLayer,
    RoadNetwork,
)
from warmbee.coverage.permissions import can_plan_county, list_plannable_counties
from warmbee.coverage.planning import LoadedNetwork
from warmbee.regions.models import Region, RegionLevel
from warmbee.stations.models import Station

NETWORK_CACHE_SIZE = 4
_cache: "OrderedDict[tuple[str, int], LoadedNetwork]" = OrderedDict()
_cache_lock = threading.Lock()


def get_county(code: str) -> Region:
    """Return the county with this division code (6 or 12 digits)."""
    full_code = code.strip().ljust(12, "0")
    county = Region.objects.filter(code=full_code, level=RegionLevel.COUNTY).first()
    if county is None:
        raise UnknownCountyError(code=code)
    return county


def find_active_network(county: Region) -> RoadNetwork | None:
    """Return the county's road network in use, or None (straight-line estimates)."""
    return (
        RoadNetwork.objects.select_related("county")
        .filter(county=county, is_active=True)
        .first()
    )


def list_road_networks(county: Region) -> QuerySet[RoadNetwork]:
    return RoadNetwork.objects.select_related("county", "imported_by").filter(
        county=county
    )


def load_engine_network(network: RoadNetwork) -> LoadedNetwork:
    """Return the network's arrays with their kd-tree and travel graphs, cached.

    The cache is per process, keyed on the file's path and modification time, and keeps
    the last few networks. Raises ``NetworkFileMissingError`` when the file is gone
    (removed by ``housekeeping.remove_unused_network_files``) and ``NetworkFileError``
    when it cannot be used.
    """
    path = network.path
    try:
        key = (str(path), path.stat().st_mtime_ns)
    except FileNotFoundError as error:
        raise NetworkFileMissingError(name=network.name) from error
    except OSError:
        key = (str(path), -1)
    with _cache_lock:
        cached = _cache.get(key)
        if cached is not None:
            _cache.move_to_end(key)
            return cached
    try:
        arrays = load_network(path)
    except CoverageEngineError as error:
        raise from_engine_error(error) from error
    loaded = LoadedNetwork(
        network=arrays, snapper=NodeSnapper(arrays.lat_deg, arrays.lon_deg)
    )
    with _cache_lock:
        _cache[key] = loaded
        while len(_cache) > NETWORK_CACHE_SIZE:
            _cache.popitem(last=False)
    return loaded


def clear_network_cache() -> None:
    with _cache_lock:
        _cache.clear()


def list_county_stations(county: Region) -> QuerySet[Station]:
    """Return the county's stations in service, in a stable order."""
    return Station.objects.filter(
        community__code__startswith=county.code[:6], is_active=True
    ).order_by("pk")


def list_station_names(station_ids: list[int]) -> dict[int, tuple[str, str]]:
    """Return each station's (name, name_en) by id, in service or not."""
    return {
        pk: (name, name_en)
        for pk, name, name_en in Station.objects.filter(pk__in=station_ids).values_list(
            "pk", "name", "name_en"
        )
    }


def find_finished_run_figures(run_id: int) -> dict[str, Any] | None:
    """Return a finished run's demand figures (``result["demand"]``), or None."""
    demand = (
        CoverageRun.objects.filter(pk=run_id, status=CoverageRunStatus.DONE)
        .values_list("result__demand", flat=True)
        .first()
    )
    return demand if isinstance(demand, dict) else None


@dataclass(frozen=True)
class CommunityPosition:
    """Where a community is taken to be: the mean position of its stations in service.

    ``is_approximate`` when any of those stations' positions is marked approximate
    (the demo stations are).
    """

    community_id: int
    lat_deg: float
    lon_deg: float
    station_count: int
    is_approximate: bool


def community_positions(county: Region) -> dict[int, CommunityPosition]:
    """Return a position for each community of the county that has a station in service.

    Communities carry no coordinates of their own, so a community is placed at the mean
    position of its stations; communities without one are missing from the answer.
    """
    rows: dict[int, list[tuple[float, float, bool]]] = {}
    for community_id, lat_deg, lon_deg, approximate in list_county_stations(
        county
    ).values_list("community_id", "lat_deg", "lon_deg", "position_is_approximate"):
        rows.setdefault(community_id, []).append((lat_deg, lon_deg, approximate))
    return {
        community_id: CommunityPosition(
            community_id=community_id,
            lat_deg=sum(row[0] for row in stations) / len(stations),
            lon_deg=sum(row[1] for row in stations) / len(stations),
            station_count=len(stations),
            is_approximate=any(row[2] for row in stations),
        )
        for community_id, stations in rows.items()
    }


def list_demand_layers(county: Region) -> QuerySet[DemandLayer]:
    """Return the county's imported demand layers, newest first, without their places."""
    return (
        DemandLayer.objects.select_related("uploaded_by")
        .defer("points")
        .filter(county=county)
    )


def access_demand_layer(user: User, county: Region, layer_id: int) -> DemandLayer:
    """Return the county's layer ``layer_id`` if ``user`` may plan for the county.

    A layer of another county is not found, so its existence is not revealed.
    """
    if not can_plan_county(user, county):
        raise NotCountyPlannerError()
    layer = DemandLayer.objects.filter(pk=layer_id, county=county).first()
    if layer is None:
        raise DemandLayerNotFoundError(layer_id=layer_id)
    return layer


def get_coverage_run(run_id: int) -> CoverageRun:
    run = (
        CoverageRun.objects.select_related(
            "county", "network", "created_by", "demand_layer"
        )
        .defer("demand_layer__points")
        .filter(pk=run_id)
        .first()
    )
    if run is None:
        raise CoverageRunNotFoundError()
    return run


def access_coverage_run(user: User, run_id: int) -> CoverageRun:
    """Return the run if ``user`` may plan for its county.

    Another county's run is "not found", like a missing one: ids reveal nothing.
    """
    if not list_plannable_counties(user).exists():
        raise NotCountyPlannerError()
    run = get_coverage_run(run_id)
    if not can_plan_county(user, run.county):
        raise CoverageRunNotFoundError()
    return run


def list_coverage_runs(county: Region) -> QuerySet[CoverageRun]:
    return CoverageRun.objects.select_related("county", "network", "created_by").filter(
        county=county
    )


@dataclass(frozen=True)
class CoverageRunView:
    """A run as the planner page polls it; ``as_json`` gives the JSON it needs."""

    id: int
    status: str
    is_finished: bool
    progress_percent: int
    progress_message: str
    parameters: dict[str, Any]
    method: str
    network_name: str | None
    network_is_generated: bool
    result: dict[str, Any] | None
    error_code: str
    error_message: str

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "status": self.status,
            "is_finished": self.is_finished,
            "progress_percent": self.progress_percent,
            "progress_message": self.progress_message,
            "parameters": self.parameters,
            "method": self.method,
            "network": None
            if self.network_name is None
            else {"name": self.network_name, "is_generated": self.network_is_generated},
            "result": self.result,
            "error": None
            if not self.error_code
            else {"code": self.error_code, "message": self.error_message},
        }


def describe_coverage_run(run: CoverageRun) -> CoverageRunView:
    """Return the run's state with its messages in the active language."""
    error_message = (
        error_from_code(run.error_code, run.error_params).detail
        if run.error_code
        else ""
    )
    network = run.network
    return CoverageRunView(
        id=run.pk,
        status=run.status,
        is_finished=run.status in {CoverageRunStatus.DONE, CoverageRunStatus.FAILED},
        progress_percent=run.progress_percent,
        progress_message=str(run.get_progress_stage_display()),
        parameters=dict(run.parameters),
        method="network" if network is not None else "straight_line",
        network_name=network.name if network is not None else None,
        network_is_generated=network.is_generated if network is not None else False,
        result=run.result,
        error_code=run.error_code,
        error_message=error_message,
    )


@dataclass(frozen=True)
class PlannerView:
    """The planner page of one county: its network in use, stations and recent runs.

    ``recent_runs`` carry ``covered_share`` (None until done) and no result, so the list
    stays light however large the results are.
    """

    county: Region
    network: RoadNetwork | None
    station_count: int
    recent_runs: list[CoverageRun]


RECENT_RUN_COUNT = 20


def summarise_planner(county: Region) -> PlannerView:
    """Return what the planner page of ``county`` shows."""
    runs = (
        list_coverage_runs(county)
        .defer("result", "error_params")
        .annotate(
            covered_share=Cast(
                KT("result__demand__covered_share"), output_field=FloatField()
            )
        )
    )
    return PlannerView(
        county=county,
        network=find_active_network(county),
        station_count=list_county_stations(county).count(),
        recent_runs=list(runs[:RECENT_RUN_COUNT]),
    )


def get_plannable_county(user: User, code: str | None) -> Region:
    """Return the county ``code`` names, or the user's first one when none is named.

    Raises ``UnknownCountyError`` for an unknown code and ``NotCountyPlannerError`` when
    the user may not plan for it (or for any county).
    """
    if code:
        named = get_county(code)
        if not can_plan_county(user, named):
            raise NotCountyPlannerError()
        return named
    counties = list_plannable_counties(user).order_by("code")
    own = counties.filter(pk=user.region_id).first() if user.region_id else None
    county = own or counties.first()
    if county is None:
        raise NotCountyPlannerError()
    return county
