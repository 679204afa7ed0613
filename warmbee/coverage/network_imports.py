"""Road network imports from the planner's page: upload, import in the worker, read back.

The import itself is ``services.import_road_network``; this module only keeps the
uploaded extract and the ``RoadNetworkImport`` that follows it. No page logic here.
"""

import datetime as dt
import logging
import struct
import uuid
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from warmbee.accounts.models import User
from warmbee.core.errors import DomainError
from warmbee.coverage.engine.errors import CoverageEngineError
from warmbee.coverage.engine.osm_import import ImportProgress
from warmbee.coverage.errors import (
    NetworkImportFailedUnexpectedlyError,
    NetworkImportInProgressError,
    NetworkImportNotFoundError,
    NetworkUploadTooLargeError,
    NotACountyError,
    NotAnExtractError,
    NotCountyPlannerError,
    error_from_code,
    from_engine_error,
)
from warmbee.coverage.models import (
    NETWORK_UPLOAD_FOLDER,
    RoadNetwork,
    RoadNetworkImport,
    RoadNetworkImportStage,
    RoadNetworkImportStatus,
)
from warmbee.coverage.permissions import can_plan_county, list_plannable_counties
from warmbee.coverage.selectors import find_active_network
from warmbee.coverage.services import import_road_network
from warmbee.regions.models import Region, RegionLevel

logger = logging.getLogger(__name__)

BYTES_PER_MB = 1024 * 1024
# The PBF format caps a blob header at 64 KiB; the first blob's type is "OSMHeader".
MAX_BLOB_HEADER_BYTES = 64 * 1024
# An import that has waited or run this long is taken as lost (its worker was killed,
# e.g. out of memory), so it no longer blocks the county's next upload. A province-sized
# extract imports in minutes.
STALE_IMPORT_AFTER = dt.timedelta(hours=2)
RECENT_IMPORT_COUNT = 10
OPEN_STATUSES = (RoadNetworkImportStatus.PENDING, RoadNetworkImportStatus.RUNNING)
_STAGES = {
    "reading": RoadNetworkImportStage.READING,
    "building": RoadNetworkImportStage.BUILDING,
    "done": RoadNetworkImportStage.SAVING,
}


# ----------------------------------------------------------------------------- writes


def _starts_like_pbf(stream: UploadedFile) -> bool:
    """Return whether the file opens with a PBF blob header of type "OSMHeader".

    A cheap sniff that catches the wrong kind of file at once; a damaged extract is
    still found by the importer.
    """
    stream.seek(0)
    start = stream.read(4)
    if len(start) < 4:
        return False
    (header_bytes,) = struct.unpack(">I", start)
    if not 0 < header_bytes <= MAX_BLOB_HEADER_BYTES:
        return False
    header = stream.read(header_bytes)
    stream.seek(0)
    return b"OSMHeader" in header


def _store(upload: UploadedFile, path: Path, limit_bytes: int) -> int:
    """Copy the upload to ``path`` chunk by chunk; return its size in bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    size_bytes = 0
    with path.open("xb") as target:
        for chunk in upload.chunks():
            size_bytes += len(chunk)
            if size_bytes > limit_bytes:
                raise NetworkUploadTooLargeError(
                    size_mb=_megabytes(size_bytes), limit_mb=limit_bytes // BYTES_PER_MB
                )
            target.write(chunk)
    return size_bytes


def _megabytes(size_bytes: int) -> str:
    return f"{size_bytes / BYTES_PER_MB:.1f}"


def _release_stale_import(county: Region) -> None:
    """Mark the county's lost import failed, so that it no longer blocks an upload."""
    cutoff = timezone.now() - STALE_IMPORT_AFTER
    for item in RoadNetworkImport.objects.filter(
        county=county, status__in=OPEN_STATUSES, created_at__lt=cutoff
    ):
        if (item.started_at or item.created_at) < cutoff:
            _fail(item, NetworkImportFailedUnexpectedlyError())
            item.upload_path.unlink(missing_ok=True)


def start_network_import(
    *, user: User, county: Region, upload: UploadedFile
) -> RoadNetworkImport:
    """Keep an uploaded ``.osm.pbf`` extract and queue its import for the county.

    Checks the caller (an administrator who may plan the county), the size
    (``settings.NETWORK_UPLOAD_MAX_MB``), that the file starts like a PBF extract and
    that no other import of the county waits or runs; any refusal saves nothing. The
    worker runs ``execute_network_import`` (``tasks.import_network``) after commit.
    """
    if county.level != RegionLevel.COUNTY:
        raise NotACountyError(region=county.name)
    if not can_plan_county(user, county):
        raise NotCountyPlannerError()
    original_name = PurePath(str(upload.name or "")).name[:200]
    limit_bytes = int(settings.NETWORK_UPLOAD_MAX_MB) * BYTES_PER_MB
    if (upload.size or 0) > limit_bytes:
        raise NetworkUploadTooLargeError(
            size_mb=_megabytes(upload.size or 0),
            limit_mb=settings.NETWORK_UPLOAD_MAX_MB,
        )
    if not _starts_like_pbf(upload):
        raise NotAnExtractError(name=original_name)
    _release_stale_import(county)
    if find_open_network_import(county) is not None:
        raise NetworkImportInProgressError()
    upload_file_name = f"{NETWORK_UPLOAD_FOLDER}/{uuid.uuid4().hex}.osm.pbf"
    path = Path(settings.NETWORK_DIR) / upload_file_name
    try:
        size_bytes = _store(upload, path, limit_bytes)
        item = _create_import(
            user=user,
            county=county,
            original_name=original_name,
            upload_file_name=upload_file_name,
            size_bytes=size_bytes,
        )
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return item


@transaction.atomic
def _create_import(
    *,
    user: User,
    county: Region,
    original_name: str,
    upload_file_name: str,
    size_bytes: int,
) -> RoadNetworkImport:
    item = RoadNetworkImport(
        county=county,
        uploaded_by=user,
        original_file_name=original_name,
        upload_file_name=upload_file_name,
        size_bytes=size_bytes,
    )
    item.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError as error:
        # Another upload of the county got in first (one open import per county).
        raise NetworkImportInProgressError() from error
    # Imported here: the task module imports this one.
    from warmbee.coverage.tasks import import_network

    import_id = item.pk
    transaction.on_commit(lambda: import_network.enqueue(import_id=import_id))
    return item


def _claim_import(import_id: int) -> RoadNetworkImport | None:
    with transaction.atomic():
        item = (
            RoadNetworkImport.objects.select_for_update(of=("self",))
            .select_related("county", "uploaded_by")
            .filter(pk=import_id)
            .first()
        )
        if item is None or item.status != RoadNetworkImportStatus.PENDING:
            return None  # gone, or already taken by another attempt
        item.status = RoadNetworkImportStatus.RUNNING
        item.started_at = timezone.now()
        item.progress_stage = RoadNetworkImportStage.READING
        item.save(update_fields=["status", "started_at", "progress_stage"])
        return item


def _record_progress(import_id: int, step: ImportProgress) -> None:
    RoadNetworkImport.objects.filter(pk=import_id).update(
        progress_stage=_STAGES.get(step.stage, RoadNetworkImportStage.READING),
        ways_read=step.ways_read,
        routable_ways=step.routable_ways,
    )


def _fail(item: RoadNetworkImport, error: DomainError) -> None:
    params = {key: str(value) for key, value in error.params.items()}
    if "path" in params:
        # The administrator knows the file by the name it was uploaded with.
        params["path"] = item.original_file_name
    RoadNetworkImport.objects.filter(pk=item.pk).update(
        status=RoadNetworkImportStatus.FAILED,
        error_code=error.code,
        error_params=params,
        finished_at=timezone.now(),
    )


def execute_network_import(*, import_id: int) -> RoadNetworkImport | None:
    """Import a pending upload as its county's road network, recording the progress.

    Returns None when the import is gone or not pending (a repeated task does nothing).
    Ends done (with the new network in use) or failed (with the error's code; the
    previous network stays in use); an unexpected error also propagates. The uploaded
    file is deleted either way.
    """
    item = _claim_import(import_id)
    if item is None:
        return None
    try:
        network = import_road_network(
            county=item.county,
            path=item.upload_path,
            user=item.uploaded_by,
            name=item.original_file_name,
            progress=lambda step: _record_progress(import_id, step),
        )
        RoadNetworkImport.objects.filter(pk=import_id).update(
            status=RoadNetworkImportStatus.DONE,
            network=network,
            progress_stage=RoadNetworkImportStage.FINISHED,
            finished_at=timezone.now(),
        )
    except DomainError as error:
        _fail(item, error)
    except CoverageEngineError as error:
        _fail(item, from_engine_error(error))
    except BaseException:
        # Also a worker stopped mid-import: never "running" for ever.
        logger.exception("Road network import %s failed", import_id)
        _fail(item, NetworkImportFailedUnexpectedlyError())
        raise
    finally:
        item.upload_path.unlink(missing_ok=True)
    item.refresh_from_db()
    return item


# ------------------------------------------------------------------------------ reads


def find_open_network_import(county: Region) -> RoadNetworkImport | None:
    """Return the county's import that waits or runs, or None."""
    return RoadNetworkImport.objects.filter(
        county=county, status__in=OPEN_STATUSES
    ).first()


def list_network_imports(county: Region) -> QuerySet[RoadNetworkImport]:
    """Return the county's imports, newest first."""
    return RoadNetworkImport.objects.select_related(
        "county", "uploaded_by", "network"
    ).filter(county=county)


def access_network_import(user: User, import_id: int) -> RoadNetworkImport:
    """Return the import if ``user`` may plan for its county.

    Another county's import is "not found", like a missing one: ids reveal nothing.
    """
    if not list_plannable_counties(user).exists():
        raise NotCountyPlannerError()
    item = (
        RoadNetworkImport.objects.select_related("county", "uploaded_by", "network")
        .filter(pk=import_id)
        .first()
    )
    if item is None or not can_plan_county(user, item.county):
        raise NetworkImportNotFoundError()
    return item


@dataclass(frozen=True)
class NetworkImportView:
    """An import as its page polls it; ``as_json`` gives the JSON it needs."""

    id: int
    status: str
    status_label: str
    is_finished: bool
    progress_stage: str
    progress_message: str
    ways_read: int
    routable_ways: int
    network: RoadNetwork | None
    error_code: str
    error_message: str

    def as_json(self) -> dict[str, Any]:
        network = self.network
        return {
            "id": self.id,
            "status": self.status,
            "status_label": self.status_label,
            "is_finished": self.is_finished,
            "progress_stage": self.progress_stage,
            "progress_message": self.progress_message,
            "ways_read": self.ways_read,
            "routable_ways": self.routable_ways,
            "network": None
            if network is None
            else {
                "id": network.pk,
                "name": network.name,
                "node_count": network.node_count,
                "edge_count": network.edge_count,
                "road_length_km": network.road_length_km,
                "is_active": network.is_active,
            },
            "error": None
            if not self.error_code
            else {"code": self.error_code, "message": self.error_message},
        }


def describe_network_import(item: RoadNetworkImport) -> NetworkImportView:
    """Return the import's state with its messages in the active language."""
    error_message = (
        error_from_code(
            item.error_code,
            item.error_params,
            unknown=NetworkImportFailedUnexpectedlyError,
        ).detail
        if item.error_code
        else ""
    )
    return NetworkImportView(
        id=item.pk,
        status=item.status,
        status_label=str(item.get_status_display()),
        is_finished=item.status not in OPEN_STATUSES,
        progress_stage=item.progress_stage,
        progress_message=str(item.get_progress_stage_display()),
        ways_read=item.ways_read,
        routable_ways=item.routable_ways,
        network=item.network,
        error_code=item.error_code,
        error_message=error_message,
    )


@dataclass(frozen=True)
class NetworkPageView:
    """The network page of one county: the network in use and the recent imports."""

    county: Region
    network: RoadNetwork | None
    open_import: RoadNetworkImport | None
    recent_imports: list[RoadNetworkImport]
    upload_limit_mb: int


def summarise_network_page(county: Region) -> NetworkPageView:
    """Return what the road network page of ``county`` shows."""
    recent = list(list_network_imports(county)[:RECENT_IMPORT_COUNT])
    return NetworkPageView(
        county=county,
        network=find_active_network(county),
        open_import=next(
            (item for item in recent if item.status in OPEN_STATUSES), None
        ),
        recent_imports=recent,
        upload_limit_mb=int(settings.NETWORK_UPLOAD_MAX_MB),
    )
