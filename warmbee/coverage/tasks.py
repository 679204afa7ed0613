"""Background tasks of the coverage app, run by the database-queue worker (db_worker)."""

from django_tasks import task

from warmbee.coverage.network_imports import execute_network_import
from warmbee.coverage.services import execute_coverage_run


@task()
def compute_coverage(run_id: int) -> str:
    """Compute one queued coverage run; return its final status for the task log."""
    run = execute_coverage_run(run_id=run_id)
    return "skipped" if run is None else run.status


@task()
def import_network(import_id: int) -> str:
    """Import one uploaded road network extract; return its final status for the log."""
    item = execute_network_import(import_id=import_id)
    return "skipped" if item is None else item.status
