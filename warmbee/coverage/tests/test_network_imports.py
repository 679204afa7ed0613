"""Road network imports from the planner's page: the services, the worker and the pages."""

import datetime as dt
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks_db.models import DBTaskResult

from warmbee.accounts.models import Role
from warmbee.coverage import network_imports
from warmbee.coverage.errors import (
    NetworkImportInProgressError,
    NetworkUploadTooLargeError,
    NotAnExtractError,
    NotCountyPlannerError,
)
from warmbee.coverage.models import RoadNetwork, RoadNetworkImport
from warmbee.coverage.network_imports import (
    execute_network_import,
    start_network_import,
)
from warmbee.coverage.selectors import find_active_network
from warmbee.coverage.services import import_road_network
from warmbee.coverage.tests import test_views
from warmbee.coverage.tests.conftest import STREET_NODES
from warmbee.coverage.tests.test_tasks import run_queued_tasks
from warmbee.coverage.tests.test_views import (
    ANONYMOUS,
    COUNTY_ADMIN,
    LOGIN,
    OTHER_COUNTY_ADMIN,
    PLANNER_PAGE,
    PLANNERS,
    PROVINCE_ADMIN,
    ROLES,
    assert_outcome,
    client_as,
)
from warmbee.factories import YANGQU_CODE, StationFactory, make_user
from warmbee.regions.models import Region

pytestmark = pytest.mark.django_db

FILE_NAME = "yangqu-streets.osm.pbf"
# The planner pages' users of every role, in Yangqu and in a second county.
world = test_views.world


@pytest.fixture
def yangqu():
    return Region.objects.get(code=YANGQU_CODE)


@pytest.fixture
def county_admin():
    return make_user(Role.COUNTY_ADMIN)


def upload_of(path: Path, name: str = FILE_NAME) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, path.read_bytes())


def uploads(settings) -> list[str]:
    folder = Path(settings.NETWORK_DIR) / "uploads"
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


def network_files(settings) -> list[str]:
    folder = Path(settings.NETWORK_DIR)
    return sorted(path.name for path in folder.glob("*.npz"))


@pytest.fixture
def pending_import(
    yangqu, county_admin, street_pbf, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        return start_network_import(
            user=county_admin, county=yangqu, upload=upload_of(street_pbf)
        )


# --------------------------------------------------------------------- services


def test_an_upload_is_kept_and_its_import_queued_after_commit(
    yangqu, county_admin, street_pbf, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        item = start_network_import(
            user=county_admin, county=yangqu, upload=upload_of(street_pbf)
        )

    assert len(callbacks) == 1
    assert (item.status, item.progress_stage) == ("pending", "waiting")
    assert (item.county, item.uploaded_by) == (yangqu, county_admin)
    assert item.original_file_name == FILE_NAME
    assert item.size_bytes == street_pbf.stat().st_size
    assert item.upload_file_name.startswith("uploads/")
    assert item.upload_file_name.endswith(".osm.pbf")
    assert item.upload_path.read_bytes() == street_pbf.read_bytes()
    assert item.network is None
    assert find_active_network(yangqu) is None


def test_an_uploaded_extract_becomes_the_countys_network(
    yangqu,
    county_admin,
    street_pbf,
    settings,
    immediate_tasks,
    django_capture_on_commit_callbacks,
):
    StationFactory(lat_deg=38.0601, lon_deg=112.681)

    with django_capture_on_commit_callbacks(execute=True):
        item = start_network_import(
            user=county_admin, county=yangqu, upload=upload_of(street_pbf)
        )

    item.refresh_from_db()
    network = find_active_network(yangqu)
    assert network is not None
    assert (item.status, item.progress_stage, item.network) == (
        "done",
        "finished",
        network,
    )
    assert (item.ways_read, item.routable_ways) == (1, 1)
    assert item.error_code == ""
    assert item.started_at is not None
    assert item.finished_at is not None
    assert item.started_at <= item.finished_at
    assert (network.name, network.node_count, network.edge_count) == (
        FILE_NAME,
        40,
        78,
    )
    assert not network.is_generated  # an upload is a real extract
    assert network.imported_by == county_admin
    assert network.summary["stations_on_network"] == 1
    assert uploads(settings) == []  # the upload is deleted once imported
    assert network_files(settings) == [network.file_name]


@pytest.mark.parametrize(
    ("extract", "error_code", "message"),
    [
        (
            "truncated",
            "extract_corrupt",
            f"The file {FILE_NAME} is not a readable OpenStreetMap extract (.osm.pbf)",
        ),
        (
            "header_only",
            "extract_empty",
            f"The file {FILE_NAME} contains no OpenStreetMap data.",
        ),
        (
            "no_roads",
            "extract_no_routable_ways",
            f"The extract {FILE_NAME} has no roads or paths usable on foot, by "
            "e-bike or by car.",
        ),
    ],
)
def test_a_bad_extract_fails_and_the_previous_network_stays_in_use(
    yangqu,
    county_admin,
    street_pbf,
    write_extract,
    settings,
    django_capture_on_commit_callbacks,
    extract,
    error_code,
    message,
):
    previous = import_road_network(county=yangqu, path=street_pbf)
    files_before = network_files(settings)
    bad = {
        "truncated": lambda: _truncated(street_pbf, write_extract),
        "header_only": lambda: write_extract([], []),
        "no_roads": lambda: write_extract(
            STREET_NODES[:3], [(9, [100, 101, 102], {"building": "yes"})]
        ),
    }[extract]()
    with django_capture_on_commit_callbacks(execute=False):
        item = start_network_import(
            user=county_admin, county=yangqu, upload=upload_of(bad)
        )

    done = execute_network_import(import_id=item.pk)

    assert done is not None
    assert (done.status, done.error_code, done.network) == ("failed", error_code, None)
    assert done.finished_at is not None
    assert done.error_params["path"] == FILE_NAME  # not the stored upload's name
    with translation.override("en"):
        assert network_imports.describe_network_import(done).error_message.startswith(
            message
        )
    assert find_active_network(yangqu) == previous
    assert RoadNetwork.objects.count() == 1
    assert network_files(settings) == files_before
    assert uploads(settings) == []


def _truncated(street_pbf: Path, write_extract) -> Path:
    """The street extract cut in the middle: it still starts like a PBF file."""
    path = write_extract([], [])
    path.write_bytes(street_pbf.read_bytes()[: street_pbf.stat().st_size // 2])
    return path


def test_an_upload_over_the_size_limit_is_refused_and_nothing_is_kept(
    yangqu, county_admin, street_pbf, settings
):
    settings.NETWORK_UPLOAD_MAX_MB = 1
    content = street_pbf.read_bytes()
    too_large = content + bytes(1024 * 1024 + 1 - len(content))

    with pytest.raises(NetworkUploadTooLargeError) as caught:
        start_network_import(
            user=county_admin,
            county=yangqu,
            upload=SimpleUploadedFile(FILE_NAME, too_large),
        )

    with translation.override("en"):
        assert caught.value.detail.startswith(
            "The file is 1.0 MB; at most 1 MB can be uploaded here."
        )
    assert not RoadNetworkImport.objects.exists()
    assert uploads(settings) == []


def test_an_upload_at_the_size_limit_is_accepted(
    yangqu, county_admin, street_pbf, settings, django_capture_on_commit_callbacks
):
    settings.NETWORK_UPLOAD_MAX_MB = 1
    content = street_pbf.read_bytes()
    exactly = content + bytes(1024 * 1024 - len(content))

    with django_capture_on_commit_callbacks(execute=False):
        item = start_network_import(
            user=county_admin,
            county=yangqu,
            upload=SimpleUploadedFile("a.pbf", exactly),
        )

    assert item.size_bytes == 1024 * 1024
    assert uploads(settings) == [Path(item.upload_file_name).name]


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"<?xml version='1.0' encoding='UTF-8'?>\n<osm version=\"0.6\"></osm>\n",
        b"PK\x03\x04" + bytes(200),  # a .zip
        b"BZh91AY&SY" + bytes(200),  # an .osm.bz2
        b"\x00\x00\x00\x0d\n\tOSMData\x00\x00\x00",  # a PBF's data block, no header
        b"\xff\xff\xff\xff" + b"OSMHeader",  # a header length beyond the format's cap
    ],
)
def test_a_file_that_is_not_a_pbf_extract_is_refused(
    yangqu, county_admin, settings, content
):
    with pytest.raises(NotAnExtractError) as caught:
        start_network_import(
            user=county_admin,
            county=yangqu,
            upload=SimpleUploadedFile("roads.osm.pbf", content),
        )

    with translation.override("en"):
        assert caught.value.detail == (
            "The file roads.osm.pbf is not an OpenStreetMap extract in the .osm.pbf "
            "format (not .osm, .osm.bz2, .shp or .zip); nothing was imported."
        )
    assert not RoadNetworkImport.objects.exists()
    assert uploads(settings) == []


def test_one_import_at_a_time_per_county(
    yangqu, county_admin, street_pbf, settings, pending_import
):
    with pytest.raises(NetworkImportInProgressError):
        start_network_import(
            user=make_user(Role.PROVINCE_ADMIN),
            county=yangqu,
            upload=upload_of(street_pbf, "second.osm.pbf"),
        )

    assert list(RoadNetworkImport.objects.all()) == [pending_import]
    assert uploads(settings) == [Path(pending_import.upload_file_name).name]


def test_the_next_import_may_start_once_one_has_finished(
    yangqu, county_admin, street_pbf, pending_import, django_capture_on_commit_callbacks
):
    execute_network_import(import_id=pending_import.pk)

    with django_capture_on_commit_callbacks(execute=False):
        second = start_network_import(
            user=county_admin, county=yangqu, upload=upload_of(street_pbf, "b.osm.pbf")
        )

    assert second.status == "pending"
    assert RoadNetworkImport.objects.count() == 2


def test_the_database_refuses_a_second_open_import_of_a_county(
    yangqu, county_admin, pending_import
):
    with pytest.raises(NetworkImportInProgressError):
        network_imports._create_import(
            user=county_admin,
            county=yangqu,
            original_name="raced.osm.pbf",
            upload_file_name="uploads/raced.osm.pbf",
            size_bytes=1,
        )

    assert list(RoadNetworkImport.objects.all()) == [pending_import]


def test_a_lost_import_no_longer_blocks_the_county(
    yangqu, county_admin, street_pbf, settings, pending_import
):
    # Its worker was killed two hours ago, before it could record an outcome.
    long_ago = timezone.now() - dt.timedelta(hours=2, minutes=1)
    RoadNetworkImport.objects.filter(pk=pending_import.pk).update(
        status="running", created_at=long_ago, started_at=long_ago
    )

    second = start_network_import(
        user=county_admin, county=yangqu, upload=upload_of(street_pbf, "b.osm.pbf")
    )

    pending_import.refresh_from_db()
    assert (pending_import.status, pending_import.error_code) == (
        "failed",
        "network_import_crashed",
    )
    assert second.status == "pending"
    assert uploads(settings) == [Path(second.upload_file_name).name]


def test_a_recent_running_import_still_blocks_the_county(
    yangqu, county_admin, street_pbf, pending_import
):
    long_ago = timezone.now() - dt.timedelta(hours=3)
    RoadNetworkImport.objects.filter(pk=pending_import.pk).update(
        status="running",
        created_at=long_ago,
        started_at=timezone.now() - dt.timedelta(minutes=30),
    )

    with pytest.raises(NetworkImportInProgressError):
        start_network_import(
            user=county_admin, county=yangqu, upload=upload_of(street_pbf, "b.osm.pbf")
        )

    pending_import.refresh_from_db()
    assert pending_import.status == "running"


@pytest.mark.parametrize(
    "role",
    [Role.WORKER, Role.STATION_STAFF, Role.DOCTOR, Role.DEPARTMENT_HANDLER],
)
def test_only_the_countys_administrators_import(yangqu, street_pbf, settings, role):
    with pytest.raises(NotCountyPlannerError):
        start_network_import(
            user=make_user(role), county=yangqu, upload=upload_of(street_pbf)
        )

    assert not RoadNetworkImport.objects.exists()
    assert uploads(settings) == []


def test_another_countys_administrator_cannot_import(yangqu, street_pbf, settings):
    qingxu = Region.objects.create(
        code="140121000000",
        name="清徐县",
        level="county",
        parent=yangqu.parent,
    )
    admin = make_user(Role.COUNTY_ADMIN, region=qingxu)

    with pytest.raises(NotCountyPlannerError):
        start_network_import(user=admin, county=yangqu, upload=upload_of(street_pbf))

    assert not RoadNetworkImport.objects.exists()


def test_an_import_is_run_once(pending_import):
    first = execute_network_import(import_id=pending_import.pk)
    again = execute_network_import(import_id=pending_import.pk)

    assert first is not None
    assert first.status == "done"
    assert again is None
    assert RoadNetwork.objects.count() == 1


def test_a_stopped_worker_leaves_the_import_failed_not_running(
    yangqu, street_pbf, settings, pending_import, monkeypatch
):
    previous = import_road_network(county=yangqu, path=street_pbf)

    def stop(**kwargs):
        raise SystemExit(0)  # what the worker's signal handler raises mid-import

    monkeypatch.setattr(network_imports, "import_road_network", stop)

    with pytest.raises(SystemExit):
        execute_network_import(import_id=pending_import.pk)

    pending_import.refresh_from_db()
    assert (pending_import.status, pending_import.error_code) == (
        "failed",
        "network_import_crashed",
    )
    assert find_active_network(yangqu) == previous
    assert uploads(settings) == []


def test_the_database_worker_imports_a_queued_upload(
    yangqu,
    county_admin,
    street_pbf,
    settings,
    django_capture_on_commit_callbacks,
    monkeypatch,
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        item = start_network_import(
            user=county_admin, county=yangqu, upload=upload_of(street_pbf)
        )
    [queued] = DBTaskResult.objects.all()
    assert queued.task_path == "warmbee.coverage.tasks.import_network"
    assert queued.args_kwargs == {"args": [], "kwargs": {"import_id": item.pk}}

    run_queued_tasks(monkeypatch)

    queued.refresh_from_db()
    item.refresh_from_db()
    assert (queued.status, queued.return_value) == ("SUCCESSFUL", "done")
    assert item.status == "done"
    assert find_active_network(yangqu) == item.network


# ------------------------------------------------------------------ permissions


def network_pages(item: RoadNetworkImport) -> dict[str, str]:
    return {
        "import": reverse("coverage:network_import", args=[item.pk]),
        "status": reverse("coverage:network_import_status", args=[item.pk]),
    }


@pytest.fixture
def yangqu_import(world, street_pbf, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        return start_network_import(
            user=world.users[COUNTY_ADMIN],
            county=world.yangqu,
            upload=upload_of(street_pbf),
        )


@pytest.mark.parametrize(
    ("role", "expected"),
    {**PLANNER_PAGE, OTHER_COUNTY_ADMIN: 403}.items(),
)
def test_the_network_page_of_yangqu_is_for_its_administrators(world, role, expected):
    url = reverse("coverage:network") + "?county=140122"

    response = client_as(world, role).get(url)

    assert_outcome(response, expected, url)
    if expected == 200:
        assert response.context["page"].county == world.yangqu


@pytest.mark.parametrize(("role", "expected"), PLANNER_PAGE.items())
def test_the_network_page_shows_the_administrators_own_county(world, role, expected):
    url = reverse("coverage:network")

    response = client_as(world, role).get(url)

    assert_outcome(response, expected, url)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", ["import", "status"])
def test_import_pages_are_for_the_countys_planners(world, yangqu_import, role, page):
    url = network_pages(yangqu_import)[page]
    expected = LOGIN if role == ANONYMOUS else 200 if role in PLANNERS else 403
    if role == OTHER_COUNTY_ADMIN:
        expected = 404  # another county's import is "not found", like a missing one

    response = client_as(world, role).get(url)

    assert_outcome(response, expected, url)


@pytest.mark.parametrize("role", ROLES)
def test_only_the_countys_planners_upload_an_extract(
    world, street_pbf, settings, role, django_capture_on_commit_callbacks
):
    url = reverse("coverage:network")
    expected = LOGIN if role == ANONYMOUS else 302 if role in PLANNERS else 403

    with django_capture_on_commit_callbacks(execute=False):
        response = client_as(world, role).post(
            url, {"county": "140122", "file": upload_of(street_pbf)}
        )

    assert_outcome(response, expected, url)
    if expected == 302:
        item = RoadNetworkImport.objects.get()
        assert response["Location"] == reverse(
            "coverage:network_import", args=[item.pk]
        )
        assert (item.county, item.uploaded_by, item.status) == (
            world.yangqu,
            world.users[role],
            "pending",
        )
    else:
        assert not RoadNetworkImport.objects.exists()
        assert uploads(settings) == []


def test_an_unknown_import_is_not_found(world):
    response = client_as(world, COUNTY_ADMIN).get(
        reverse("coverage:network_import", args=[999])
    )

    assert response.status_code == 404


# ---------------------------------------------------------------------- pages


def test_the_network_page_shows_the_form_and_where_to_get_an_extract(world):
    response = client_as(world, COUNTY_ADMIN).get("/en/coverage/network/")

    page = response.content.decode()
    assert response.status_code == 200
    assert 'type="file" name="file" accept=".pbf,.osm.pbf"' in page
    assert 'enctype="multipart/form-data"' in page
    assert "Geofabrik" in page
    assert "osmium extract" in page
    assert "At most 300 MB." in page
    assert "manage.py import_roads" in page
    assert "No road network is loaded for this county" in page
    assert "No network has been imported on this page yet." in page


def test_the_planner_links_to_the_network_page(world):
    page = client_as(world, COUNTY_ADMIN).get("/en/coverage/").content.decode()

    assert 'href="/en/coverage/network/?county=140122000000"' in page
    assert (
        "Files over 300 MB are imported by the server administrator with manage.py "
        "import_roads." in page
    )
    assert "An administrator imports one with manage.py" not in page


def test_an_upload_on_the_page_goes_to_its_progress_page(
    world, street_pbf, django_capture_on_commit_callbacks
):
    client = client_as(world, COUNTY_ADMIN)
    with django_capture_on_commit_callbacks(execute=False):
        started = client.post(
            "/en/coverage/network/",
            {"county": "140122", "file": upload_of(street_pbf)},
        )
    item = RoadNetworkImport.objects.get()

    page = client.get(started["Location"]).content.decode()
    status = client.get(f"/en/coverage/network/imports/{item.pk}/status.json").json()
    network_page = client.get("/en/coverage/network/").content.decode()

    assert started["Location"] == f"/en/coverage/network/imports/{item.pk}/"
    assert "Waiting for the background worker" in page
    assert (
        f'data-status-url="/en/coverage/network/imports/{item.pk}/status.json"' in page
    )
    assert '<noscript><meta http-equiv="refresh" content="5"></noscript>' in page
    assert "coverage/js/network_import.js" in page
    assert FILE_NAME in page
    assert status == {
        "id": item.pk,
        "status": "pending",
        "status_label": "waiting",
        "is_finished": False,
        "progress_stage": "waiting",
        "progress_message": "Waiting for the background worker",
        "ways_read": 0,
        "routable_ways": 0,
        "network": None,
        "error": None,
    }
    assert 'data-testid="open-import"' in network_page
    assert 'data-testid="network-upload-form"' not in network_page
    assert network_page.count('data-testid="network-import"') == 1


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "roads.osm",
            b"<osm></osm>",
            "File extension \u201cosm\u201d is not allowed.",
        ),
        ("roads.osm.pbf", b"", "The submitted file is empty."),
        (
            "roads.osm.pbf",
            b"PK\x03\x04" + bytes(100),
            "The file roads.osm.pbf is not an OpenStreetMap extract",
        ),
    ],
)
def test_a_bad_file_on_the_page_is_refused_clearly_and_changes_nothing(
    world, settings, name, content, message
):
    response = client_as(world, COUNTY_ADMIN).post(
        "/en/coverage/network/",
        {"county": "140122", "file": SimpleUploadedFile(name, content)},
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert message in page
    assert 'data-testid="upload-error"' in page
    assert not RoadNetworkImport.objects.exists()
    assert uploads(settings) == []


def test_a_file_too_large_on_the_page_is_refused(world, street_pbf, settings):
    settings.NETWORK_UPLOAD_MAX_MB = 1
    content = street_pbf.read_bytes()

    response = client_as(world, COUNTY_ADMIN).post(
        "/en/coverage/network/",
        {
            "county": "140122",
            "file": SimpleUploadedFile(
                FILE_NAME, content + bytes(2 * 1024 * 1024 - len(content))
            ),
        },
    )

    assert response.status_code == 400
    assert "The file is 2.0 MB; at most 1 MB can be uploaded here." in (
        response.content.decode()
    )
    assert not RoadNetworkImport.objects.exists()
    assert uploads(settings) == []


def test_a_second_upload_while_one_is_open_is_refused_on_the_page(
    world, yangqu_import, street_pbf
):
    response = client_as(world, PROVINCE_ADMIN).post(
        "/en/coverage/network/",
        {"county": "140122", "file": upload_of(street_pbf, "second.osm.pbf")},
    )

    assert response.status_code == 400
    assert (
        "A road network is already being imported for this county"
        in response.content.decode()
    )
    assert list(RoadNetworkImport.objects.all()) == [yangqu_import]


def test_a_finished_import_shows_the_network_summary(world, yangqu_import):
    StationFactory(lat_deg=38.5, lon_deg=113.5)  # far from the street
    execute_network_import(import_id=yangqu_import.pk)
    client = client_as(world, COUNTY_ADMIN)

    page = client.get(
        f"/en/coverage/network/imports/{yangqu_import.pk}/"
    ).content.decode()
    status = client.get(
        f"/en/coverage/network/imports/{yangqu_import.pk}/status.json"
    ).json()
    network_page = client.get("/en/coverage/network/").content.decode()

    network = find_active_network(world.yangqu)
    assert network is not None
    assert 'data-status="done"' in page
    assert "Imported: this road network is now in use" in page
    assert f'data-testid="network-name">{FILE_NAME}<' in page
    assert 'data-testid="node-count">40<' in page
    assert 'data-testid="stations-on-network">1 / 2<' in page
    assert "Some stations are far from every road of this extract" in page
    assert "data-import-progress" not in page
    assert "network_import.js" not in page
    assert "generated street network" not in page
    assert (status["status"], status["is_finished"], status["error"]) == (
        "done",
        True,
        None,
    )
    assert status["network"] == {
        "id": network.pk,
        "name": FILE_NAME,
        "node_count": 40,
        "edge_count": 78,
        "road_length_km": network.road_length_km,
        "is_active": True,
    }
    assert f'data-testid="network-name">{FILE_NAME}<' in network_page
    assert "· in use" in network_page
    assert 'data-testid="network-upload-form"' in network_page


def test_a_failed_import_says_why_and_that_nothing_changed(
    world, write_extract, django_capture_on_commit_callbacks
):
    empty = write_extract([], [])
    with django_capture_on_commit_callbacks(execute=False):
        item = start_network_import(
            user=world.users[COUNTY_ADMIN],
            county=world.yangqu,
            upload=upload_of(empty, "empty.osm.pbf"),
        )
    execute_network_import(import_id=item.pk)
    client = client_as(world, COUNTY_ADMIN)

    page = client.get(f"/en/coverage/network/imports/{item.pk}/").content.decode()
    status = client.get(f"/en/coverage/network/imports/{item.pk}/status.json").json()

    assert 'data-status="failed"' in page
    assert "The file empty.osm.pbf contains no OpenStreetMap data." in page
    assert "Nothing was changed: the previous road network stays in use." in page
    assert "data-import-progress" not in page
    assert status["error"] == {
        "code": "extract_empty",
        "message": "The file empty.osm.pbf contains no OpenStreetMap data.",
    }


def test_recent_imports_are_listed_without_a_query_per_import(
    world, street_pbf, django_assert_num_queries, django_capture_on_commit_callbacks
):
    client = client_as(world, COUNTY_ADMIN)

    def add_import() -> None:
        with django_capture_on_commit_callbacks(execute=False):
            item = start_network_import(
                user=world.users[COUNTY_ADMIN],
                county=world.yangqu,
                upload=upload_of(street_pbf),
            )
        execute_network_import(import_id=item.pk)

    add_import()
    client.get("/en/coverage/network/")  # warm the session and caches
    with django_assert_num_queries(6) as few:
        first = client.get("/en/coverage/network/")
    for _ in range(3):
        add_import()
    with django_assert_num_queries(len(few.captured_queries)):
        more = client.get("/en/coverage/network/")

    assert first.status_code == more.status_code == 200
    assert more.content.decode().count('data-testid="network-import"') == 4
