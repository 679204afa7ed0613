"""Housekeeping: runs whose worker died are failed, unused network files are removed."""

import os
from datetime import datetime, timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone, translation

from warmbee.accounts.models import Role
from warmbee.core.models import AuditAction, AuditEntry
from warmbee.coverage.errors import NetworkFileMissingError
from warmbee.coverage.housekeeping import (
    fail_stalled_runs,
    remove_unused_network_files,
)
from warmbee.coverage.models import (
    CoverageRun,
    CoverageRunStatus,
    RoadNetwork,
    RoadNetworkImport,
)
from warmbee.coverage.selectors import describe_coverage_run, load_engine_network
from warmbee.coverage.services import (
    check_coverage_parameters,
    execute_coverage_run,
    install_road_network,
    start_coverage_run,
    start_scenario_run,
)
from warmbee.factories import YANGQU_CODE, StationFactory, make_user
from warmbee.regions.models import Region

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 7, 1, 12, 0, tzinfo=timezone.get_default_timezone())
STALL_AFTER_S = 690
KEEP_DAYS = 90


@pytest.fixture(autouse=True)
def _housekeeping_settings(settings):
    settings.COVERAGE_RUN_STALL_AFTER_S = STALL_AFTER_S
    settings.COVERAGE_NETWORK_KEEP_DAYS = KEEP_DAYS


@pytest.fixture
def yangqu():
    return Region.objects.get(code=YANGQU_CODE)


@pytest.fixture
def county_admin():
    return make_user(Role.COUNTY_ADMIN)


def make_run(county, *, status, started_at=None, user=None, network=None, **fields):
    run = CoverageRun.objects.create(
        county=county,
        network=network,
        created_by=user,
        parameters=check_coverage_parameters({}),
        status=status,
        started_at=started_at,
        **fields,
    )
    return run


def run_state(run):
    run.refresh_from_db()
    return (run.status, run.error_code, run.finished_at)


# --------------------------------------------------------------------- stalled runs


def test_a_run_running_past_the_limit_is_failed_as_stalled(yangqu):
    run = make_run(
        yangqu,
        status=CoverageRunStatus.RUNNING,
        started_at=NOW - timedelta(seconds=STALL_AFTER_S + 1),
    )

    failed = fail_stalled_runs(now=NOW)

    assert failed == 1
    assert run_state(run) == ("failed", "coverage_run_stalled", NOW)
    assert run.error_params == {}
    with translation.override("en"):
        view = describe_coverage_run(run)
    assert (view.is_finished, view.error_message) == (
        True,
        "The plan stopped: the background worker ended before it finished. Start it "
        "again.",
    )


def test_a_run_within_the_limit_keeps_running(yangqu):
    run = make_run(
        yangqu,
        status=CoverageRunStatus.RUNNING,
        started_at=NOW - timedelta(seconds=STALL_AFTER_S),
    )

    assert fail_stalled_runs(now=NOW) == 0

    assert run_state(run) == ("running", "", None)


def test_a_queued_run_waits_for_its_worker_however_old(yangqu):
    run = make_run(yangqu, status=CoverageRunStatus.QUEUED)
    CoverageRun.objects.filter(pk=run.pk).update(created_at=NOW - timedelta(days=3))

    assert fail_stalled_runs(now=NOW) == 0

    assert run_state(run) == ("queued", "", None)


def test_finished_runs_keep_their_outcome(yangqu):
    long_ago = NOW - timedelta(days=1)
    done = make_run(
        yangqu,
        status=CoverageRunStatus.DONE,
        started_at=long_ago,
        finished_at=long_ago,
        result={"demand": {}},
    )
    failed = make_run(
        yangqu,
        status=CoverageRunStatus.FAILED,
        started_at=long_ago,
        finished_at=long_ago,
        error_code="too_many_sites",
        error_params={"k": "41", "candidates": "40"},
    )

    assert fail_stalled_runs(now=NOW) == 0

    assert run_state(done) == ("done", "", long_ago)
    assert run_state(failed) == ("failed", "too_many_sites", long_ago)
    assert failed.error_params == {"k": "41", "candidates": "40"}


def test_a_run_that_finishes_while_it_is_failed_keeps_its_result(yangqu):
    run = make_run(
        yangqu,
        status=CoverageRunStatus.RUNNING,
        started_at=NOW - timedelta(hours=1),
    )
    finished = []

    def worker_finishes_first(execute, sql, params, many, context):
        if sql.lstrip().upper().startswith("UPDATE") and not finished:
            finished.append(NOW)
            CoverageRun.objects.filter(pk=run.pk).update(
                status=CoverageRunStatus.DONE, result={"demand": {}}, finished_at=NOW
            )
        return execute(sql, params, many, context)

    with connection.execute_wrapper(worker_finishes_first):
        failed = fail_stalled_runs(now=NOW)

    assert (failed, finished) == (0, [NOW])
    assert run_state(run) == ("done", "", NOW)


def test_a_slow_run_failed_as_stalled_still_gets_its_result(yangqu):
    StationFactory()
    run = make_run(yangqu, status=CoverageRunStatus.QUEUED)
    updates = []
    failed_meanwhile = []

    def housekeeping_during_the_run(execute, sql, params, many, context):
        outcome = execute(sql, params, many, context)
        if sql.lstrip().upper().startswith("UPDATE"):
            updates.append(sql)
            if len(updates) == 2:  # the claim, then the first progress update
                later = timezone.now() + timedelta(seconds=STALL_AFTER_S + 1)
                failed_meanwhile.append(fail_stalled_runs(now=later))
        return outcome

    with connection.execute_wrapper(housekeeping_during_the_run):
        execute_coverage_run(run_id=run.pk)

    assert failed_meanwhile == [1]
    run.refresh_from_db()
    assert (run.status, run.error_code, run.error_params) == ("done", "", {})
    assert run.result is not None


def test_a_stalled_run_no_longer_counts_against_the_planners_limit(
    yangqu, county_admin, django_capture_on_commit_callbacks
):
    now = timezone.now()
    stalled = make_run(
        yangqu,
        status=CoverageRunStatus.RUNNING,
        started_at=now - timedelta(seconds=STALL_AFTER_S + 60),
        user=county_admin,
    )
    for _ in range(2):
        make_run(yangqu, status=CoverageRunStatus.QUEUED, user=county_admin)

    with django_capture_on_commit_callbacks(execute=False):
        started = start_coverage_run(user=county_admin, county=yangqu, parameters={})

    assert started.status == "queued"
    assert run_state(stalled)[:2] == ("failed", "coverage_run_stalled")
    assert CoverageRun.objects.filter(created_by=county_admin).count() == 4


def test_a_what_if_is_not_refused_because_of_a_stalled_run(
    yangqu, county_admin, django_capture_on_commit_callbacks
):
    now = timezone.now()
    base = make_run(
        yangqu,
        status=CoverageRunStatus.DONE,
        user=county_admin,
        started_at=now,
        finished_at=now,
        result={"demand": {}},
    )
    stalled = make_run(
        yangqu,
        status=CoverageRunStatus.RUNNING,
        started_at=now - timedelta(seconds=STALL_AFTER_S + 60),
        user=county_admin,
    )
    for _ in range(2):
        make_run(yangqu, status=CoverageRunStatus.QUEUED, user=county_admin)

    station = StationFactory()

    with django_capture_on_commit_callbacks(execute=False):
        what_if = start_scenario_run(
            user=county_admin,
            run_id=base.pk,
            remove_station_ids=[station.pk],
            add_positions=[],
        )

    assert what_if.parameters["based_on_run_id"] == base.pk
    assert run_state(stalled)[:2] == ("failed", "coverage_run_stalled")


# -------------------------------------------------------------------- network files


def make_network(county, name, *, imported_at, is_active=False):
    network = RoadNetwork.objects.create(
        county=county,
        name=name,
        file_name=f"{name}.npz",
        node_count=2,
        edge_count=2,
        road_length_km=0.1,
        min_lat_deg=38.0,
        min_lon_deg=112.6,
        max_lat_deg=38.1,
        max_lon_deg=112.7,
        imported_at=imported_at,
        is_active=is_active,
    )
    network.path.parent.mkdir(parents=True, exist_ok=True)
    network.path.write_bytes(b"arrays")
    return network


def days_ago(days):
    return NOW - timedelta(days=days)


def write_file(settings, name, *, modified_at):
    path = Path(settings.NETWORK_DIR) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"arrays")
    os.utime(path, (modified_at.timestamp(), modified_at.timestamp()))
    return path


def files_in(settings):
    return sorted(path.name for path in Path(settings.NETWORK_DIR).iterdir())


@pytest.fixture
def networks(yangqu):
    """A county's imports, oldest first; each replaced the one before it."""
    made = {
        name: make_network(yangqu, name, imported_at=days_ago(age))
        for name, age in [
            ("unused", 500),
            ("old-run", 450),
            ("recent-run", 400),
            ("queued-run", 350),
            ("running-run", 300),
            ("replaced-recently", 200),
        ]
    }
    made["active"] = make_network(
        yangqu, "active", imported_at=days_ago(KEEP_DAYS - 1), is_active=True
    )
    old_run = make_run(
        yangqu,
        status=CoverageRunStatus.DONE,
        network=made["old-run"],
        result={"demand": {}},
    )
    recent_run = make_run(
        yangqu,
        status=CoverageRunStatus.FAILED,
        network=made["recent-run"],
        error_code="no_demand",
    )
    queued_run = make_run(
        yangqu, status=CoverageRunStatus.QUEUED, network=made["queued-run"]
    )
    running_run = make_run(
        yangqu,
        status=CoverageRunStatus.RUNNING,
        network=made["running-run"],
        started_at=days_ago(300),
    )
    for run, age in [
        (old_run, KEEP_DAYS + 1),
        (recent_run, KEEP_DAYS - 1),
        (queued_run, 340),
        (running_run, 300),
    ]:
        CoverageRun.objects.filter(pk=run.pk).update(created_at=days_ago(age))
    return made


def test_removes_only_the_files_no_network_in_use_or_recent_run_needs(
    networks, settings
):
    removed = remove_unused_network_files(now=NOW)

    assert removed == ["old-run.npz", "unused.npz"]
    assert files_in(settings) == [
        "active.npz",
        "queued-run.npz",
        "recent-run.npz",
        "replaced-recently.npz",
        "running-run.npz",
    ]
    assert RoadNetwork.objects.count() == 7
    entries = AuditEntry.objects.filter(target_type="coverage.roadnetwork")
    assert sorted(
        (entry.target_id, entry.action, entry.fields, entry.actor_label)
        for entry in entries
    ) == sorted(
        (str(networks[name].pk), AuditAction.DELETE, ["file_name"], "system")
        for name in ["old-run", "unused"]
    )


def test_a_shorter_keep_period_removes_more(networks, settings):
    removed = remove_unused_network_files(keep_days=KEEP_DAYS - 2, now=NOW)

    assert removed == [
        "old-run.npz",
        "recent-run.npz",
        "replaced-recently.npz",
        "unused.npz",
    ]


def test_a_second_pass_removes_nothing_more(networks):
    remove_unused_network_files(now=NOW)

    assert remove_unused_network_files(now=NOW) == []


def test_the_file_of_a_network_no_import_replaced_is_kept(yangqu, settings):
    # Not in use and old, but when it stopped being used is unknown.
    make_network(yangqu, "switched-off", imported_at=days_ago(500))

    assert remove_unused_network_files(now=NOW) == []
    assert files_in(settings) == ["switched-off.npz"]


def test_old_stray_network_files_are_removed_and_new_ones_kept(yangqu, settings):
    make_network(yangqu, "active", imported_at=days_ago(500), is_active=True)
    write_file(settings, "crashed-import.npz", modified_at=NOW - timedelta(hours=25))
    write_file(settings, ".half.npz.x1y2.tmp", modified_at=NOW - timedelta(days=3))
    write_file(settings, "import-running.npz", modified_at=NOW - timedelta(hours=23))
    write_file(settings, "upload.osm.pbf", modified_at=NOW - timedelta(days=3))

    removed = remove_unused_network_files(now=NOW)

    assert removed == [".half.npz.x1y2.tmp", "crashed-import.npz"]
    assert files_in(settings) == ["active.npz", "import-running.npz", "upload.osm.pbf"]


def test_old_uploads_no_waiting_import_names_are_removed(yangqu, settings):
    # One open import per county: the running one is another county's.
    qingxu = Region.objects.create(
        code="140121000000", name="清徐县", level="county", parent=yangqu.parent
    )
    statuses = {"pending": yangqu, "running": qingxu, "failed": yangqu}
    for name, county in statuses.items():
        RoadNetworkImport.objects.create(
            county=county,
            original_file_name=f"{name}.osm.pbf",
            upload_file_name=f"uploads/{name}.osm.pbf",
            size_bytes=6,
            status=name,
        )
        write_file(settings, f"uploads/{name}.osm.pbf", modified_at=days_ago(3))
    write_file(settings, "uploads/orphan.osm.pbf", modified_at=days_ago(3))
    write_file(settings, "uploads/just-stored.osm.pbf", modified_at=days_ago(0))

    removed = remove_unused_network_files(now=NOW)

    # A failed import deletes its upload; one left behind goes now.
    assert removed == ["uploads/failed.osm.pbf", "uploads/orphan.osm.pbf"]
    uploads = Path(settings.NETWORK_DIR) / "uploads"
    assert sorted(path.name for path in uploads.iterdir()) == [
        "just-stored.osm.pbf",
        "pending.osm.pbf",
        "running.osm.pbf",
    ]


def test_nothing_to_do_without_a_network_folder(settings):
    assert remove_unused_network_files(now=NOW) == []
    assert not Path(settings.NETWORK_DIR).exists()


def test_a_run_on_a_removed_network_file_fails_with_a_clear_message(
    yangqu, hand_network
):
    network = install_road_network(county=yangqu, network=hand_network, name="ways")
    network.path.unlink()
    run = make_run(yangqu, status=CoverageRunStatus.QUEUED, network=network)

    execute_coverage_run(run_id=run.pk)

    assert run_state(run)[:2] == ("failed", "network_file_missing")
    assert run.error_params == {"name": "ways"}
    with translation.override("en"):
        message = describe_coverage_run(run).error_message
    assert message == (
        "The road network ways is no longer stored on the server. Start the plan "
        "again; if it is still the county's road network, import it again first."
    )


def test_loading_a_removed_network_file_names_the_network(yangqu, hand_network):
    network = install_road_network(county=yangqu, network=hand_network, name="ways")
    load_engine_network(network)
    network.path.unlink()

    with pytest.raises(NetworkFileMissingError) as raised:
        load_engine_network(network)

    assert raised.value.params == {"name": "ways"}


# ------------------------------------------------------------------------ command


def test_the_command_fails_stalled_runs_and_lists_the_removed_files(yangqu, settings):
    now = timezone.now()
    make_run(
        yangqu,
        status=CoverageRunStatus.RUNNING,
        started_at=now - timedelta(seconds=STALL_AFTER_S + 60),
    )
    make_network(yangqu, "first", imported_at=now - timedelta(days=400))
    make_network(yangqu, "second", imported_at=now - timedelta(days=300))
    make_network(
        yangqu, "active", imported_at=now - timedelta(days=200), is_active=True
    )
    write_file(settings, "stray.npz", modified_at=now - timedelta(days=2))
    out = StringIO()

    call_command("coverage_housekeeping", stdout=out)

    assert out.getvalue() == (
        "Stalled coverage runs marked failed: 1 (running longer than 690 s).\n"
        "Unused road network files removed: 3.\n"
        "  first.npz\n"
        "  second.npz\n"
        "  stray.npz\n"
        "Check-in origins deleted: 0 (older than 12 months).\n"
    )
    assert files_in(settings) == ["active.npz"]


def test_the_command_says_when_there_was_nothing_to_do():
    out = StringIO()

    call_command("coverage_housekeeping", "--keep-days", "30", stdout=out)

    assert out.getvalue() == (
        "Stalled coverage runs marked failed: 0 (running longer than 690 s).\n"
        "Unused road network files removed: 0.\n"
        "Check-in origins deleted: 0 (older than 12 months).\n"
    )
