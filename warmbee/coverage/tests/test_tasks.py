import pytest
from django_tasks_db.management.commands import db_worker
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from warmbee.accounts.models import Role
from warmbee.coverage.services import start_coverage_run
from warmbee.factories import YANGQU_CODE, StationFactory, make_user
from warmbee.regions.models import Region

pytestmark = pytest.mark.django_db


def run_queued_tasks(monkeypatch):
    """Run what is queued, as `manage.py db_worker --batch` does, then return."""
    # The worker drops connections outside autocommit between tasks, which would end
    # the test's transaction (and its rollback) on PostgreSQL.
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    ).run()


def test_the_database_worker_computes_a_queued_run(
    settings, django_capture_on_commit_callbacks, monkeypatch
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    StationFactory(lat_deg=38.06, lon_deg=112.68)
    yangqu = Region.objects.get(code=YANGQU_CODE)
    with django_capture_on_commit_callbacks(execute=True):
        run = start_coverage_run(
            user=make_user(Role.COUNTY_ADMIN), county=yangqu, parameters={}
        )
    [queued] = DBTaskResult.objects.all()
    assert queued.status == "READY"
    assert queued.task_path == "warmbee.coverage.tasks.compute_coverage"
    assert queued.args_kwargs == {"args": [], "kwargs": {"run_id": run.pk}}
    run.refresh_from_db()
    assert run.status == "queued"

    run_queued_tasks(monkeypatch)

    queued.refresh_from_db()
    run.refresh_from_db()
    assert (queued.status, queued.return_value) == ("SUCCESSFUL", "done")
    assert queued.worker_ids == ["test-worker"]
    assert (run.status, run.progress_percent) == ("done", 100)
    assert run.result["method"] == "straight_line"
