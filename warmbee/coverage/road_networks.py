"""Writes for road networks: install a county's network from an extract or from arrays.

The network file is written first, then the row is activated in one transaction; the
previous network stays in use if anything fails.
"""

import os
import secrets
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from warmbee.accounts.models import User
from warmbee.core.audit import record_audit
from warmbee.core.models import AuditAction
from warmbee.coverage.engine.errors import CoverageEngineError
from warmbee.coverage.engine.network import RoadNetwork as EngineNetwork
from warmbee.coverage.engine.osm_import import ImportProgress, import_osm_network
from warmbee.coverage.engine.snapping import NodeSnapper
from warmbee.coverage.engine.storage import save_network
from warmbee.coverage.errors import (
    NetworkChangedError,
    NotACountyError,
    from_engine_error,
)
from warmbee.coverage.models import RoadNetwork
from warmbee.coverage.routing import forget_network_bounds
from warmbee.coverage.selectors import list_county_stations
from warmbee.regions.models import Region, RegionLevel

ImportProgressCallback = Callable[[ImportProgress], None]


def check_county(county: Region) -> None:
    if county.level != RegionLevel.COUNTY:
        raise NotACountyError(region=county.name)


def _network_file_name(county: Region) -> str:
    stamp = timezone.now().strftime("%Y%m%dT%H%M%S")
    return f"{county.code[:6]}-{stamp}-{secrets.token_hex(4)}.npz"


def _stations_on_network(county: Region, network: EngineNetwork) -> tuple[int, int]:
    """Return (stations in service, those within snapping distance of a road)."""
    positions = np.asarray(
        list(list_county_stations(county).values_list("lat_deg", "lon_deg")),
        dtype=np.float64,
    ).reshape(-1, 2)
    if positions.shape[0] == 0:
        return 0, 0
    snap = NodeSnapper(network.lat_deg, network.lon_deg).snap(
        positions[:, 0], positions[:, 1]
    )
    return int(positions.shape[0]), int(snap.on_network.sum())


@transaction.atomic
def _activate(
    *,
    county: Region,
    file_name: str,
    name: str,
    network: EngineNetwork,
    is_generated: bool,
    user: User | None,
    summary: dict[str, Any],
) -> RoadNetwork:
    # Lock the county's current network so two imports cannot both replace it.
    current = list(
        RoadNetwork.objects.select_for_update().filter(county=county, is_active=True)
    )
    RoadNetwork.objects.filter(pk__in=[item.pk for item in current]).update(
        is_active=False
    )
    facts = network.summary()
    road_network = RoadNetwork(
        county=county,
        name=name[:200],
        file_name=file_name,
        node_count=facts.node_count,
        edge_count=facts.edge_count,
        road_length_km=round(facts.road_length_km, 3),
        min_lat_deg=float(network.lat_deg.min()),
        min_lon_deg=float(network.lon_deg.min()),
        max_lat_deg=float(network.lat_deg.max()),
        max_lon_deg=float(network.lon_deg.max()),
        is_generated=is_generated,
        imported_by=user,
        summary=summary,
        is_active=True,
    )
    road_network.full_clean()
    road_network.save()
    record_audit(
        actor=user,
        action=AuditAction.CREATE,
        target=road_network,
        fields=["county", "name", "is_generated", "is_active"],
    )
    # The finder caches which networks are active: let it see this one at once.
    transaction.on_commit(forget_network_bounds)
    return road_network


def install_road_network(
    *,
    county: Region,
    network: EngineNetwork,
    name: str,
    user: User | None = None,
    is_generated: bool = False,
    summary: Mapping[str, Any] | None = None,
) -> RoadNetwork:
    """Save the arrays next to the database and make them the county's active network.

    The file gets a new name, so the previous network's file stays untouched; the swap
    of the active network happens in one transaction, and the new file is removed again
    if it fails. Also used for generated (demo) networks.
    """
    check_county(county)
    file_name = _network_file_name(county)
    path = Path(settings.NETWORK_DIR) / file_name
    stations_total, stations_on_network = _stations_on_network(county, network)
    full_summary = {
        **(summary or {}),
        "stations_in_service": stations_total,
        "stations_on_network": stations_on_network,
    }
    save_network(network, path)
    try:
        return _activate(
            county=county,
            file_name=file_name,
            name=name,
            network=network,
            is_generated=is_generated,
            user=user,
            summary=full_summary,
        )
    except IntegrityError as error:
        path.unlink(missing_ok=True)
        raise NetworkChangedError() from error
    except ValidationError as error:
        path.unlink(missing_ok=True)
        if "__all__" in getattr(error, "error_dict", {}):
            raise NetworkChangedError() from error
        raise
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def import_road_network(
    *,
    county: Region,
    path: str | os.PathLike[str],
    user: User | None = None,
    is_generated: bool = False,
    progress: ImportProgressCallback | None = None,
    name: str | None = None,
) -> RoadNetwork:
    """Import an ``.osm.pbf`` extract as the county's road network.

    The network is named ``name`` (default: the file's name). A missing, empty or
    corrupt file, or one without routable ways, raises a ``DomainError`` with a
    translated message and leaves the previous network active.
    """
    check_county(county)
    source = Path(path)
    started = time.perf_counter()
    last: list[ImportProgress] = []

    def track(step: ImportProgress) -> None:
        last[:] = [step]
        if progress is not None:
            progress(step)

    try:
        network = import_osm_network(source, progress=track)
    except CoverageEngineError as error:
        raise from_engine_error(error) from error
    done = last[0] if last else None
    summary: dict[str, Any] = {
        "source_bytes": source.stat().st_size,
        "ways_read": done.ways_read if done else None,
        "routable_ways": done.routable_ways if done else None,
        "built_node_count": done.built_node_count if done else None,
        "kept_node_count": network.node_count,
        "import_time_s": round(time.perf_counter() - started, 3),
    }
    return install_road_network(
        county=county,
        network=network,
        name=name or source.name,
        user=user,
        is_generated=is_generated,
        summary=summary,
    )
