"""Coverage housekeeping for cron: fail runs whose worker died, remove unused files.

It never touches a queued run, and never removes a network file that a queued or
running run, the finder or a recent run may still need.
"""

import logging
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from warmbee.core.audit import record_audit
from warmbee.core.models import AuditAction
from warmbee.coverage.errors import CoverageRunStalledError
from warmbee.coverage.models import (
    NETWORK_UPLOAD_FOLDER,
    CoverageRun,
    CoverageRunStatus,
    RoadNetwork,
    RoadNetworkImport,
    RoadNetworkImportStatus,
)

logger = logging.getLogger(__name__)

# A file no network row names is left over by an import that crashed between writing
# the file and saving the row; younger ones may belong to an import still running. An
# upload no waiting or running import names was left by a request that failed after
# storing it, or by an import whose worker was killed.
STRAY_FILE_MIN_AGE = timedelta(days=1)
# What `services.install_road_network` writes (`engine.storage.save_network` writes a
# temporary file first): uploads waiting for an import also live in NETWORK_DIR.
NETWORK_FILE_PATTERNS = ("*.npz", ".*.npz.*.tmp")


def fail_stalled_runs(*, now: datetime | None = None) -> int:
    """Mark failed each run still running ``COVERAGE_RUN_STALL_AFTER_S`` after it started.

    Its worker was killed (SIGKILL, a reboot) before it could write an outcome, so the
    run would poll for ever and count against its planner's limit of waiting runs.
    Queued runs are left alone: they wait for a worker. The update is conditional, so a
    run that finishes meanwhile keeps its outcome. Return how many runs were failed.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.COVERAGE_RUN_STALL_AFTER_S)
    stalled = Q(status=CoverageRunStatus.RUNNING, started_at__lt=cutoff)
    run_ids = list(CoverageRun.objects.filter(stalled).values_list("pk", flat=True))
    if not run_ids:
        return 0
    error = CoverageRunStalledError()
    failed = CoverageRun.objects.filter(stalled, pk__in=run_ids).update(
        status=CoverageRunStatus.FAILED,
        error_code=error.code,
        error_params={},
        finished_at=now,
    )
    logger.warning(
        "Coverage runs %s were running since before %s: %s marked failed.",
        run_ids,
        cutoff.isoformat(),
        failed,
    )
    return failed


def list_unused_networks(*, keep_days: int, now: datetime) -> QuerySet[RoadNetwork]:
    """Return the networks whose file no page, run or finder search still needs.

    Kept: the active networks; those of queued or running runs, however old (the worker
    loads the file when it starts); those of runs created within ``keep_days``; and
    those in use within ``keep_days`` (the county's next import, which replaced them,
    is that recent; a network no import replaced is kept, as when it stopped being used
    is unknown). Finished runs' pages, exports and what-ifs read no network file.
    """
    cutoff = now - timedelta(days=keep_days)
    replaced_at = (
        RoadNetwork.objects.filter(
            county=OuterRef("county"), imported_at__gt=OuterRef("imported_at")
        )
        .order_by("imported_at")
        .values("imported_at")[:1]
    )
    needed_by_runs = CoverageRun.objects.filter(network=OuterRef("pk")).filter(
        Q(status__in=[CoverageRunStatus.QUEUED, CoverageRunStatus.RUNNING])
        | Q(created_at__gte=cutoff)
    )
    return (
        RoadNetwork.objects.select_related("county")
        .annotate(replaced_at=Subquery(replaced_at))
        .filter(is_active=False, replaced_at__lt=cutoff)
        .exclude(Exists(needed_by_runs))
        .order_by("pk")
    )


def remove_unused_network_files(
    *, keep_days: int | None = None, now: datetime | None = None
) -> list[str]:
    """Delete unused network files from ``NETWORK_DIR``; return their names, sorted.

    Removes the files of ``list_unused_networks`` (``keep_days`` defaults to
    ``COVERAGE_NETWORK_KEEP_DAYS``) and, older than a day, network files that no row
    names, and uploads that no waiting or running import names (``uploads/`` names are
    relative to ``NETWORK_DIR``). The rows stay (runs refer to them); each removed file
    of a row is recorded in the audit log. A run that later needs a removed file fails with
    ``NetworkFileMissingError``.
    """
    now = now or timezone.now()
    days = settings.COVERAGE_NETWORK_KEEP_DAYS if keep_days is None else keep_days
    removed = []
    for network in list_unused_networks(keep_days=days, now=now):
        if _remove(network.path):
            record_audit(
                actor=None,
                action=AuditAction.DELETE,
                target=network,
                fields=["file_name"],
                county=network.county,
            )
            removed.append(network.file_name)
    folder = Path(settings.NETWORK_DIR)
    named = set(RoadNetwork.objects.values_list("file_name", flat=True))
    removed.extend(_remove_stray_files(folder, NETWORK_FILE_PATTERNS, named, now=now))
    waiting = set(
        RoadNetworkImport.objects.filter(
            status__in=[
                RoadNetworkImportStatus.PENDING,
                RoadNetworkImportStatus.RUNNING,
            ]
        ).values_list("upload_file_name", flat=True)
    )
    uploads = (f"{NETWORK_UPLOAD_FOLDER}/*",)
    removed.extend(_remove_stray_files(folder, uploads, waiting, now=now))
    return sorted(removed)


def _remove_stray_files(
    folder: Path, patterns: tuple[str, ...], named: set[str], *, now: datetime
) -> list[str]:
    """Remove files matching ``patterns`` older than a day unless ``named`` lists them.

    Names are relative to ``folder``, as rows store them.
    """
    if not folder.is_dir():
        return []
    files = {path for pattern in patterns for path in folder.glob(pattern)}
    oldest_kept_s = (now - STRAY_FILE_MIN_AGE).timestamp()
    removed = []
    for path in sorted(files):
        name = path.relative_to(folder).as_posix()
        if name in named or path.is_symlink():
            continue
        try:
            is_old = path.is_file() and path.stat().st_mtime < oldest_kept_s
        except FileNotFoundError:
            continue  # an import's temporary file, renamed meanwhile
        if is_old and _remove(path):
            removed.append(name)
    return removed


def _remove(path: Path) -> bool:
    try:
        path.unlink()
    except FileNotFoundError:
        return False  # removed before (an earlier run of the command)
    logger.info("Removed the unused road network file %s.", path.name)
    return True
