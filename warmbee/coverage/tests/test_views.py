"""Planner pages: who may see and start plans, what the pages show, and the exports."""

import io
import json
from dataclasses import dataclass
from urllib.parse import quote

import numpy as np
import openpyxl
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from warmbee.accounts.models import Role, User
from warmbee.coverage.engine.synthetic import perturbed_grid
from warmbee.coverage.models import CoverageRun, DemandLayer
from warmbee.coverage.services import (
    check_coverage_parameters,
    execute_coverage_run,
    import_road_network,
    install_road_network,
)
from warmbee.coverage.tests.test_services import SEGMENT_KM
from warmbee.coverage.tests.test_tasks import run_queued_tasks
from warmbee.factories import YANGQU_CODE, StationFactory, make_user
from warmbee.regions.models import Region, RegionLevel
from warmbee.reports.tests.factories import send_report
from warmbee.workers.tests.factories import give_consent, make_worker

pytestmark = pytest.mark.django_db

ANONYMOUS = "anonymous"
WORKER = "worker"
STATION_STAFF = "station_staff"
DOCTOR = "doctor"
HANDLER = "department_handler"
COUNTY_ADMIN = "county_admin"
OTHER_COUNTY_ADMIN = "other_county_admin"
PROVINCE_ADMIN = "province_admin"
SUPERUSER = "superuser"
ROLES = [
    ANONYMOUS,
    WORKER,
    STATION_STAFF,
    DOCTOR,
    HANDLER,
    COUNTY_ADMIN,
    OTHER_COUNTY_ADMIN,
    PROVINCE_ADMIN,
    SUPERUSER,
]
PLANNERS = {COUNTY_ADMIN, PROVINCE_ADMIN, SUPERUSER}
LOGIN = "login"
QINGXU_CODE = "140121000000"


@dataclass(frozen=True)
class World:
    yangqu: Region
    qingxu: Region
    users: dict[str, User]


@pytest.fixture
def world() -> World:
    yangqu = Region.objects.get(code=YANGQU_CODE)
    qingxu = Region.objects.create(
        code=QINGXU_CODE,
        name="清徐县",
        name_en="Qingxu County",
        level=RegionLevel.COUNTY,
        parent=Region.objects.get(code="140100000000"),
    )
    station = StationFactory(
        name="新阳驿站", name_en="Xinyang Station", lat_deg=38.06, lon_deg=112.68
    )
    users = {
        WORKER: give_consent(make_user(Role.WORKER)).worker,
        STATION_STAFF: make_user(Role.STATION_STAFF),
        DOCTOR: make_user(Role.DOCTOR),
        HANDLER: make_user(Role.DEPARTMENT_HANDLER),
        COUNTY_ADMIN: make_user(Role.COUNTY_ADMIN, is_staff=True),
        OTHER_COUNTY_ADMIN: make_user(Role.COUNTY_ADMIN, region=qingxu, is_staff=True),
        PROVINCE_ADMIN: make_user(Role.PROVINCE_ADMIN, is_staff=True),
        SUPERUSER: make_user(Role.PROVINCE_ADMIN, is_staff=True, is_superuser=True),
    }
    station.staff.add(users[STATION_STAFF])
    return World(yangqu, qingxu, users)


def client_as(world: World, role: str) -> Client:
    client = Client()
    if role != ANONYMOUS:
        client.force_login(world.users[role])
    return client


@pytest.fixture
def done_run(world, street_pbf) -> CoverageRun:
    """A walking plan on a straight street with the station at its west end, k = 1."""
    network = import_road_network(county=world.yangqu, path=street_pbf)
    run = CoverageRun.objects.create(
        county=world.yangqu,
        network=network,
        created_by=world.users[COUNTY_ADMIN],
        parameters=check_coverage_parameters(
            {"mode": "walk", "new_sites": 1, "candidate_source": "demand_points"}
        ),
    )
    execute_coverage_run(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == "done"
    return run


@pytest.fixture
def queued_run(world) -> CoverageRun:
    return CoverageRun.objects.create(
        county=world.yangqu,
        created_by=world.users[COUNTY_ADMIN],
        parameters=check_coverage_parameters({}),
    )


def assert_outcome(response, expected, url):
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"] == f"/accounts/login/?next={quote(url)}"
    else:
        assert response.status_code == expected


def run_pages(run: CoverageRun) -> dict[str, str]:
    return {
        "run": reverse("coverage:run", args=[run.pk]),
        "status": reverse("coverage:run_status", args=[run.pk]),
        "geojson": reverse("coverage:export_geojson", args=[run.pk]),
        "xlsx": reverse("coverage:export_xlsx", args=[run.pk]),
    }


# ------------------------------------------------------------------ permissions


PLANNER_PAGE = {
    ANONYMOUS: LOGIN,
    WORKER: 403,
    STATION_STAFF: 403,
    DOCTOR: 403,
    HANDLER: 403,
    COUNTY_ADMIN: 200,
    OTHER_COUNTY_ADMIN: 200,  # their own county
    PROVINCE_ADMIN: 200,
    SUPERUSER: 200,
}


@pytest.mark.parametrize(("role", "expected"), PLANNER_PAGE.items())
def test_the_planner_page_is_for_county_administrators(world, role, expected):
    url = reverse("coverage:planner")

    response = client_as(world, role).get(url)

    assert_outcome(response, expected, url)


@pytest.mark.parametrize(
    ("role", "expected"),
    {**PLANNER_PAGE, OTHER_COUNTY_ADMIN: 403}.items(),
)
def test_the_planner_of_yangqu_is_for_its_administrators(world, role, expected):
    url = reverse("coverage:planner") + "?county=140122"

    response = client_as(world, role).get(url)

    assert_outcome(response, expected, url)
    if expected == 200:
        assert response.context["planner"].county == world.yangqu


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", ["run", "status", "geojson", "xlsx"])
def test_run_pages_and_exports_are_for_the_countys_planners(
    world, done_run, role, page
):
    url = run_pages(done_run)[page]
    expected = LOGIN if role == ANONYMOUS else 200 if role in PLANNERS else 403
    if role == OTHER_COUNTY_ADMIN:
        expected = 404  # another county's run is "not found", like a missing one

    response = client_as(world, role).get(url)

    assert_outcome(response, expected, url)


@pytest.mark.parametrize("role", ROLES)
def test_only_the_countys_planners_start_a_plan(world, role):
    url = reverse("coverage:planner")
    expected = LOGIN if role == ANONYMOUS else 302 if role in PLANNERS else 403

    response = client_as(world, role).post(
        url,
        {
            "county": "140122000000",
            "mode": "walk",
            "minutes": "10",
            "new_sites": "2",
            "candidate_source": "cells",
        },
    )

    assert_outcome(response, expected, url)
    if expected == 302:
        run = CoverageRun.objects.get()
        assert response["Location"] == reverse("coverage:run", args=[run.pk])
        assert (run.county, run.created_by, run.status) == (
            world.yangqu,
            world.users[role],
            "queued",
        )
        assert run.parameters == {
            "mode": "walk",
            "minutes": 10.0,
            "new_sites": 2,
            "candidate_source": "cells",
            "demand_layer": "uniform",
            "demand_layer_id": None,
        }
    else:
        assert not CoverageRun.objects.exists()


def test_an_unknown_run_is_not_found(world):
    response = client_as(world, COUNTY_ADMIN).get(reverse("coverage:run", args=[999]))

    assert response.status_code == 404


def test_an_unknown_county_is_not_found(world):
    response = client_as(world, PROVINCE_ADMIN).get("/coverage/?county=149999")

    assert response.status_code == 404


# ------------------------------------------------------------------ planner page


def test_without_a_network_the_planner_says_straight_line_is_used(world):
    response = client_as(world, COUNTY_ADMIN).get("/en/coverage/")

    page = response.content.decode()
    assert response.status_code == 200
    assert (
        "No road network is loaded for this county: travel times are estimated as "
        "straight-line distance × 1.3." in page
    )
    assert 'data-testid="generated-label"' not in page
    assert "1 station in service" in page


def test_a_generated_network_is_labelled_as_such(world, queued_run):
    network = install_road_network(
        county=world.yangqu,
        network=perturbed_grid(
            rows=5,
            columns=5,
            spacing_m=200,
            rng=np.random.default_rng(1),
            missing_share=0.0,
            origin_lat_deg=38.059,
            origin_lon_deg=112.679,
        ),
        name="demo-grid",
        is_generated=True,
    )
    CoverageRun.objects.filter(pk=queued_run.pk).update(network=network)

    planner = client_as(world, COUNTY_ADMIN).get("/en/coverage/").content.decode()
    run_page = (
        client_as(world, COUNTY_ADMIN)
        .get(f"/en/coverage/runs/{queued_run.pk}/")
        .content.decode()
    )

    assert "demo-grid" in planner
    assert "25 nodes" in planner
    # Once for the network in use, once in the recent plans list.
    assert planner.count("generated street network, not real roads") == 2
    assert "generated street network, not real roads" in run_page
    assert "straight-line distance" not in planner


def test_a_province_admin_picks_a_county(world):
    client = client_as(world, PROVINCE_ADMIN)

    default = client.get("/en/coverage/")
    qingxu = client.get("/en/coverage/?county=140121")

    assert [county.code for county in default.context["counties"]] == [
        QINGXU_CODE,
        YANGQU_CODE,
    ]
    assert default.context["planner"].county == world.qingxu  # first by code
    assert qingxu.context["planner"].county == world.qingxu
    assert 'name="county" value="140121000000"' in qingxu.content.decode()


def test_a_county_admin_sees_their_own_county_without_a_choice(world):
    response = client_as(world, COUNTY_ADMIN).get("/en/coverage/")

    assert response.context["planner"].county == world.yangqu
    assert 'id="id_county_choice"' not in response.content.decode()


@pytest.mark.parametrize(
    ("field", "value"),
    [("minutes", "0"), ("minutes", "61"), ("mode", "car"), ("new_sites", "-1")],
)
def test_bad_settings_are_refused_and_nothing_is_started(world, field, value):
    data = {
        "mode": "walk",
        "minutes": "15",
        "new_sites": "1",
        "candidate_source": "cells",
    }

    with translation.override("en"):
        response = client_as(world, COUNTY_ADMIN).post(
            "/en/coverage/", {**data, field: value}
        )

    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert 'role="alert"' in response.content.decode()
    assert not CoverageRun.objects.exists()


def test_recent_plans_are_listed_without_a_query_per_plan(
    world, done_run, django_assert_num_queries
):
    client = client_as(world, COUNTY_ADMIN)
    client.get("/en/coverage/")  # warm the session and caches
    with django_assert_num_queries(11) as few:
        first = client.get("/en/coverage/")
    for _ in range(4):
        CoverageRun.objects.create(
            county=world.yangqu,
            network=done_run.network,
            created_by=world.users[PROVINCE_ADMIN],
            parameters=check_coverage_parameters({}),
        )
    with django_assert_num_queries(len(few.captured_queries)):
        more = client.get("/en/coverage/")

    assert first.status_code == more.status_code == 200
    assert more.content.decode().count('data-testid="recent-run"') == 5
    rows = more.context["planner"].recent_runs
    assert rows[-1].pk == done_run.pk
    assert rows[-1].covered_share == pytest.approx(12.5 / 39, abs=1e-5)
    assert rows[0].covered_share is None
    assert "32 %" in more.content.decode()


# --------------------------------------------------------------------- run page


def test_a_queued_run_shows_its_progress_and_refreshes_without_javascript(
    world, queued_run
):
    client = client_as(world, COUNTY_ADMIN)

    page = client.get(f"/en/coverage/runs/{queued_run.pk}/").content.decode()
    status = client.get(f"/en/coverage/runs/{queued_run.pk}/status.json").json()

    assert "Waiting for the background worker" in page
    assert f'data-status-url="/en/coverage/runs/{queued_run.pk}/status.json"' in page
    assert '<noscript><meta http-equiv="refresh" content="5"></noscript>' in page
    assert 'id="coverage-map"' not in page
    assert (status["status"], status["is_finished"], status["progress_percent"]) == (
        "queued",
        False,
        0,
    )
    assert status["progress_message"] == "Waiting for the background worker"
    assert status["method"] == "straight_line"


def test_a_failed_run_shows_why(world, queued_run):
    CoverageRun.objects.filter(pk=queued_run.pk).update(
        status="failed",
        error_code="too_many_sites",
        error_params={"k": "41", "candidates": "40"},
    )

    response = client_as(world, COUNTY_ADMIN).get(f"/en/coverage/runs/{queued_run.pk}/")

    page = response.content.decode()
    assert (
        "41 new sites were asked for, but there are only 40 candidate places." in page
    )
    assert "refresh" not in page
    assert 'id="coverage-map"' not in page


def test_a_done_run_shows_the_map_data_and_the_figures(world, done_run):
    response = client_as(world, COUNTY_ADMIN).get(f"/en/coverage/runs/{done_run.pk}/")

    page = response.content.decode()
    map_data = response.context["map_data"]
    kinds = [feature["properties"]["kind"] for feature in map_data["features"]]
    assert '<script id="coverage-map-data" type="application/json">' in page
    assert kinds.count("station_area") == kinds.count("station") == 1
    assert kinds.count("recommended_site") == 1
    assert kinds.count("uncovered_cell") == len(done_run.result["uncovered_cells"])
    assert "Travel times on the road network" in page
    assert "(40 nodes)" in page
    assert 'data-testid="covered-share">32.1 %' in page
    assert 'data-testid="covered-share-after">96.2 %' in page
    # The heuristic meets its Lagrangian bound here, so HiGHS is not needed.
    assert "proven optimal · greedy with swaps" in page
    assert page.count('data-testid="station-row"') == 1
    assert "Xinyang Station" in page
    assert page.count('data-testid="site-row"') == 1
    assert f"/en/coverage/runs/{done_run.pk}/export.geojson" in page
    assert "generated street network" not in page


def test_a_straight_line_run_says_so(world, queued_run):
    execute_coverage_run(run_id=queued_run.pk)

    page = (
        client_as(world, COUNTY_ADMIN)
        .get(f"/en/coverage/runs/{queued_run.pk}/")
        .content.decode()
    )

    assert (
        "No road network was loaded: travel times are estimated as straight-line "
        "distance × 1.3." in page
    )
    assert (
        "Demand: spread evenly over the area around the stations, counted in km²"
        in page
    )


def test_a_plan_started_on_the_page_is_computed_by_the_worker(
    world, street_pbf, settings, django_capture_on_commit_callbacks, monkeypatch
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    import_road_network(county=world.yangqu, path=street_pbf)
    client = client_as(world, COUNTY_ADMIN)
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(
            "/en/coverage/",
            {
                "county": "140122",
                "mode": "walk",
                "minutes": "15",
                "new_sites": "1",
                "candidate_source": "demand_points",
            },
        )
    run = CoverageRun.objects.get()
    assert started["Location"] == f"/en/coverage/runs/{run.pk}/"
    assert client.get(f"/en/coverage/runs/{run.pk}/status.json").json()["status"] == (
        "queued"
    )

    run_queued_tasks(monkeypatch)

    status = client.get(f"/en/coverage/runs/{run.pk}/status.json").json()
    page = client.get(f"/en/coverage/runs/{run.pk}/").content.decode()
    assert (status["status"], status["is_finished"], status["progress_percent"]) == (
        "done",
        True,
        100,
    )
    assert status["result"]["demand"]["covered_share"] == pytest.approx(
        12.5 / 39, abs=1e-5
    )
    assert 'id="coverage-map"' in page
    assert "data-run-progress" not in page


# ---------------------------------------------------------------------- exports


def test_the_geojson_export_holds_areas_cells_and_sites(world, done_run):
    response = client_as(world, COUNTY_ADMIN).get(
        f"/en/coverage/runs/{done_run.pk}/export.geojson"
    )

    assert response["Content-Type"] == "application/geo+json; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="coverage-140122-run-{done_run.pk}.geojson"'
    )
    document = json.loads(response.content)
    assert document["type"] == "FeatureCollection"
    assert document["coverage_run"]["method"] == "network"
    assert document["coverage_run"]["network_is_generated"] is False
    by_kind: dict[str, list[dict]] = {}
    for feature in document["features"]:
        assert feature["type"] == "Feature"
        by_kind.setdefault(feature["properties"]["kind"], []).append(feature)
    cells = done_run.result["uncovered_cells"]
    assert {kind: len(items) for kind, items in by_kind.items()} == {
        "uncovered_cell": len(cells),
        "station_area": 1,
        "station": 1,
        "recommended_site": 1,
    }
    [station] = by_kind["station"]
    assert station["geometry"] == {"type": "Point", "coordinates": [112.68, 38.06]}
    assert station["properties"]["covered_weight"] == pytest.approx(
        12.5 * SEGMENT_KM, rel=1e-5
    )
    [area] = by_kind["station_area"]
    assert area["geometry"]["type"] in {"Polygon", "MultiPolygon"}
    polygons = (
        [area["geometry"]["coordinates"]]
        if area["geometry"]["type"] == "Polygon"
        else area["geometry"]["coordinates"]
    )
    for polygon in polygons:
        for ring in polygon:
            assert ring[0] == ring[-1]
            assert all(112.6 < lon < 112.8 and 38.0 < lat < 38.1 for lon, lat in ring)
    first_cell = by_kind["uncovered_cell"][0]
    assert first_cell["properties"]["cell"] == cells[0]["cell"]
    assert first_cell["properties"]["uncovered_weight"] == cells[0]["weight"]
    assert len(first_cell["geometry"]["coordinates"][0]) == 7  # hexagon, closed
    [site] = by_kind["recommended_site"]
    assert site["properties"]["rank"] == 1
    assert site["properties"]["added_weight"] == pytest.approx(
        25 * SEGMENT_KM, rel=1e-5
    )
    assert site["geometry"]["coordinates"][0] in (
        pytest.approx(112.705),
        pytest.approx(112.706),
    )


def test_the_excel_export_has_four_sheets_of_figures(world, done_run):
    response = client_as(world, COUNTY_ADMIN).get(
        f"/en/coverage/runs/{done_run.pk}/export.xlsx"
    )

    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == [
        "Summary",
        "Stations",
        "Recommended sites",
        "Uncovered cells",
    ]
    summary = dict(workbook["Summary"].iter_rows(values_only=True))
    assert summary["Covered share"] == pytest.approx(12.5 / 39, abs=1e-5)
    assert summary["Solver status"] == "proven optimal"
    assert summary["Road network"] == done_run.network.name
    stations = list(workbook["Stations"].iter_rows(values_only=True))
    assert stations[0][0] == "Station"
    assert stations[1][:4] == ("Xinyang Station", 38.06, 112.68, "yes")
    sites = list(workbook["Recommended sites"].iter_rows(values_only=True))
    assert len(sites) == 2
    assert sites[1][0] == 1
    assert sites[1][3] == pytest.approx(25 * SEGMENT_KM, rel=1e-5)
    cells = list(workbook["Uncovered cells"].iter_rows(values_only=True))
    assert len(cells) == 1 + len(done_run.result["uncovered_cells"])


def test_the_excel_export_follows_the_page_language(world, done_run):
    response = client_as(world, COUNTY_ADMIN).get(
        f"/coverage/runs/{done_run.pk}/export.xlsx"
    )

    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    with translation.override("zh-hans"):
        expected = [
            gettext("Summary"),
            gettext("Stations"),
            gettext("Recommended sites"),
            gettext("Uncovered cells"),
        ]
        header = [gettext("Station"), gettext("Latitude")]
    assert workbook.sheetnames == expected
    assert list(next(workbook[expected[1]].iter_rows(values_only=True)))[:2] == header
    # The station's Chinese name, not the English one.
    assert workbook[expected[1]].cell(row=2, column=1).value == "新阳驿站"


def test_a_run_without_a_result_has_nothing_to_export(world, queued_run):
    client = client_as(world, COUNTY_ADMIN)

    geojson = client.get(f"/coverage/runs/{queued_run.pk}/export.geojson")
    xlsx = client.get(f"/coverage/runs/{queued_run.pk}/export.xlsx")

    assert geojson.status_code == xlsx.status_code == 404


def test_a_generated_network_is_named_in_the_exports(world, done_run):
    done_run.network.__class__.objects.filter(pk=done_run.network_id).update(
        is_generated=True
    )
    client = client_as(world, COUNTY_ADMIN)

    geojson = client.get(f"/en/coverage/runs/{done_run.pk}/export.geojson").json()
    xlsx = client.get(f"/en/coverage/runs/{done_run.pk}/export.xlsx")

    assert geojson["coverage_run"]["network_is_generated"] is True
    assert geojson["coverage_run"]["note"] == "generated street network, not real roads"
    summary = dict(
        openpyxl.load_workbook(io.BytesIO(xlsx.content))["Summary"].iter_rows(
            values_only=True
        )
    )
    assert summary["Note"] == "generated street network, not real roads"


# -------------------------------------------------------------------- dashboard


@pytest.mark.parametrize(
    ("role", "shown"),
    [(COUNTY_ADMIN, True), (PROVINCE_ADMIN, True), (STATION_STAFF, False)],
)
def test_the_staff_dashboard_links_administrators_to_the_planner(world, role, shown):
    page = client_as(world, role).get(reverse("staff:dashboard")).content.decode()

    assert ('data-testid="planner-link"' in page) is shown


# ---------------------------------------------------------------- demand layers

PLACES_FILE = b"name,lat,lon,weight\nNear,38.06,112.6857,3\nFar,38.06,112.794,5\n"


def places_upload(name="spots.csv", data=PLACES_FILE):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="text/csv")


@pytest.fixture
def yangqu_layer(world):
    from warmbee.coverage.services import create_demand_layer

    return create_demand_layer(
        user=world.users[COUNTY_ADMIN],
        county=world.yangqu,
        name="Xinyang market",
        file_name="spots.csv",
        data=PLACES_FILE,
    )


@pytest.mark.parametrize(
    ("role", "expected"),
    {**PLANNER_PAGE, OTHER_COUNTY_ADMIN: 403}.items(),
)
def test_yangqus_imported_places_are_for_its_administrators(
    world, yangqu_layer, role, expected
):
    url = reverse("coverage:layers") + "?county=140122"

    response = client_as(world, role).get(url)

    assert_outcome(response, expected, url)
    if expected == 200:
        assert "Xinyang market" in response.content.decode()


def test_another_countys_administrator_sees_only_their_own_places(world, yangqu_layer):
    response = client_as(world, OTHER_COUNTY_ADMIN).get("/en/coverage/layers/")
    planner = client_as(world, OTHER_COUNTY_ADMIN).get("/en/coverage/")

    assert response.context["county"] == world.qingxu
    assert list(response.context["layers"]) == []
    assert "Xinyang market" not in response.content.decode()
    assert "Xinyang market" not in planner.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_only_the_countys_planners_import_places(world, role):
    url = reverse("coverage:layers")
    expected = LOGIN if role == ANONYMOUS else 302 if role in PLANNERS else 403

    response = client_as(world, role).post(
        url, {"county": "140122", "name": "spots", "file": places_upload()}
    )

    assert_outcome(response, expected, url)
    if expected == 302:
        layer = DemandLayer.objects.get()
        assert response["Location"] == f"{url}?county=140122000000"
        assert (layer.county, layer.uploaded_by, layer.point_count) == (
            world.yangqu,
            world.users[role],
            2,
        )
    else:
        assert not DemandLayer.objects.exists()


def test_a_wrong_file_lists_its_rows_and_saves_nothing(world):
    bad = b"name,lat,lon,weight\nNear,38.06,112.6857,3\n,38.06,abc,1\nFar,30,112.68,2\n"

    response = client_as(world, COUNTY_ADMIN).post(
        "/en/coverage/layers/",
        {"county": "140122", "name": "spots", "file": places_upload(data=bad)},
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert 'data-testid="upload-problems"' in page
    assert "The file was not imported, and nothing was saved:" in page
    assert "Row 3: the name is empty." in page
    assert "Row 3: the longitude “abc” is not a number." in page
    assert "Row 4: the place (30, 112.68) is 896 km from the nearest station" in page
    assert not DemandLayer.objects.exists()


def test_only_csv_files_are_taken(world):
    response = client_as(world, COUNTY_ADMIN).post(
        "/en/coverage/layers/",
        {"county": "140122", "name": "x", "file": places_upload(name="spots.xlsx")},
    )

    assert response.status_code == 400
    assert response.context["form"].errors["file"]
    assert not DemandLayer.objects.exists()


def test_the_planner_offers_every_layer(world, yangqu_layer):
    page = client_as(world, COUNTY_ADMIN).get("/en/coverage/").content.decode()

    assert 'name="demand_layer" value="workers"' in page
    assert 'name="demand_layer" value="checkin_origins"' in page
    assert 'name="demand_layer" value="hazard_reports"' in page
    assert "Where safety hazards were reported: 0 reports in the last 12 months" in page
    assert 'name="demand_layer" value="places"' in page
    assert f'<option value="{yangqu_layer.pk}">Xinyang market (2 places' in page
    assert 'data-testid="layers-link"' in page


def test_the_hazard_layer_choice_counts_its_reports_in_both_languages(world):
    StationFactory()  # a station in Xinyang for the report's area
    reporter = make_worker().user
    send_report(reporter)
    admin = client_as(world, COUNTY_ADMIN)

    english = admin.get("/en/coverage/").content.decode()
    chinese = admin.get("/coverage/").content.decode()

    assert (
        "Where safety hazards were reported: 1 report in the last 12 months" in english
    )
    assert "安全隐患上报的位置：最近12个月共1条上报" in chinese


def test_a_plan_on_imported_places_is_started_from_the_planner(world, yangqu_layer):
    response = client_as(world, COUNTY_ADMIN).post(
        "/en/coverage/",
        {
            "county": "140122",
            "mode": "walk",
            "minutes": "15",
            "new_sites": "1",
            "candidate_source": "demand_points",
            "demand_layer": "places",
            "demand_layer_id": str(yangqu_layer.pk),
        },
    )

    run = CoverageRun.objects.get()
    assert response.status_code == 302
    assert run.demand_layer == yangqu_layer
    assert run.parameters["demand_layer"] == "places"
    assert run.parameters["demand_layer_id"] == yangqu_layer.pk


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"demand_layer": "places"}, "demand_layer_id"),
        ({"demand_layer": "places", "demand_layer_id": "999"}, "demand_layer_id"),
        ({"demand_layer": "everyone"}, "demand_layer"),
    ],
)
def test_a_plan_needs_a_layer_of_its_own_county(world, extra, field):
    response = client_as(world, COUNTY_ADMIN).post(
        "/en/coverage/",
        {
            "county": "140122",
            "mode": "walk",
            "minutes": "15",
            "new_sites": "0",
            "candidate_source": "cells",
            **extra,
        },
    )

    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert not CoverageRun.objects.exists()


def test_the_run_page_and_exports_name_the_layer_and_its_unit(world, yangqu_layer):
    run = CoverageRun.objects.create(
        county=world.yangqu,
        created_by=world.users[COUNTY_ADMIN],
        demand_layer=yangqu_layer,
        parameters=check_coverage_parameters(
            {
                "mode": "walk",
                "demand_layer": "places",
                "demand_layer_id": yangqu_layer.pk,
            }
        ),
    )
    execute_coverage_run(run_id=run.pk)
    client = client_as(world, COUNTY_ADMIN)

    page = client.get(f"/en/coverage/runs/{run.pk}/").content.decode()
    geojson = client.get(f"/en/coverage/runs/{run.pk}/export.geojson").json()
    workbook = openpyxl.load_workbook(
        io.BytesIO(client.get(f"/en/coverage/runs/{run.pk}/export.xlsx").content)
    )

    statement = "Demand: imported places “Xinyang market”, counted in places, 2 points."
    assert statement in page
    assert "imported places “Xinyang market”" in page  # in the settings line too
    assert "3.00 / 8.00 places" in page
    assert geojson["coverage_run"]["demand_layer"] == "places"
    assert geojson["coverage_run"]["demand_layer_id"] == yangqu_layer.pk
    assert geojson["coverage_run"]["unit"] == "places"
    assert geojson["coverage_run"]["unit_label"] == "places"
    assert geojson["coverage_run"]["demand_statement"] == statement
    summary = dict(workbook["Summary"].iter_rows(values_only=True))
    assert summary["Demand layer"] == "imported places “Xinyang market”"
    assert summary["Demand unit"] == "places"
    assert summary["Points too far from a road"] == 0


def test_a_workers_run_page_lists_the_communities_not_placed(world):
    from warmbee.workers.tests.factories import make_worker

    placed = Region.objects.get(code="140122400001")
    unplaced = (
        Region.objects.filter(level=RegionLevel.COMMUNITY, code__startswith="140122")
        .exclude(pk=placed.pk)
        .first()
    )
    make_worker().work_communities.set([placed])
    make_worker().work_communities.set([placed, unplaced])
    run = CoverageRun.objects.create(
        county=world.yangqu,
        created_by=world.users[COUNTY_ADMIN],
        parameters=check_coverage_parameters({"demand_layer": "workers"}),
    )
    execute_coverage_run(run_id=run.pk)
    client = client_as(world, COUNTY_ADMIN)

    page = client.get(f"/en/coverage/runs/{run.pk}/").content.decode()
    geojson = client.get(f"/en/coverage/runs/{run.pk}/export.geojson").json()

    assert "Demand: registered workers' usual work areas, counted in workers" in page
    shown_name = unplaced.name_en or unplaced.name
    assert (
        f"0.5 workers name communities without a station, which have no position, "
        f"and are not in the figures: {shown_name} (0.5)." in page
    )
    assert geojson["coverage_run"]["not_placed"] == [
        {"name": shown_name, "weight": 0.5}
    ]
    run.refresh_from_db()
    assert run.result["demand"]["total_weight"] == 1.5


# ---------------------------------------------------------------------- what-if


def test_a_done_run_offers_the_what_if_form_with_the_countys_stations(world, done_run):
    page = (
        client_as(world, COUNTY_ADMIN)
        .get(f"/en/coverage/runs/{done_run.pk}/")
        .content.decode()
    )

    assert f'action="/en/coverage/runs/{done_run.pk}/scenario/"' in page
    assert page.count('data-testid="remove-station"') == 1
    assert "Xinyang Station" in page
    assert 'name="add_positions"' in page
    assert "coverage/js/scenario.js" in page


def test_a_queued_run_has_no_what_if_form(world, queued_run):
    page = (
        client_as(world, COUNTY_ADMIN)
        .get(f"/en/coverage/runs/{queued_run.pk}/")
        .content.decode()
    )

    assert "data-scenario-form" not in page


def test_a_what_if_is_started_from_the_form_and_compared_on_its_page(
    world, done_run, django_capture_on_commit_callbacks
):
    client = client_as(world, COUNTY_ADMIN)
    [station] = done_run.result["stations"]
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(
            f"/en/coverage/runs/{done_run.pk}/scenario/",
            {
                "remove_station_ids": [str(station["id"])],
                "add_positions": "38.06, 112.705\n\n38.06，112.71\n",
            },
        )
    scenario = CoverageRun.objects.exclude(pk=done_run.pk).get()
    assert response.status_code == 302
    assert response["Location"] == f"/en/coverage/runs/{scenario.pk}/"
    assert scenario.parameters["scenario"] == {
        "remove_station_ids": [station["id"]],
        "add_positions": [[38.06, 112.705], [38.06, 112.71]],
    }
    assert scenario.parameters["based_on_run_id"] == done_run.pk
    assert scenario.network_id == done_run.network_id

    execute_coverage_run(run_id=scenario.pk)
    page = client.get(response["Location"]).content.decode()

    assert (
        "Scenario: removed Xinyang Station; added 2 stations at 38.06000, 112.70500; "
        "38.06000, 112.71000." in page
    )
    assert f"Before (plan #{done_run.pk}): 32.1 % covered; after:" in page
    assert 'data-testid="scenario-comparison"' in page
    assert page.count("Added station") >= 2
    assert page.count('data-testid="station-row"') == 2


def test_removing_the_only_station_leaves_nothing_covered(world, done_run):
    client = client_as(world, COUNTY_ADMIN)
    [station] = done_run.result["stations"]
    client.post(
        f"/en/coverage/runs/{done_run.pk}/scenario/",
        {"remove_station_ids": [str(station["id"])]},
    )
    scenario = CoverageRun.objects.exclude(pk=done_run.pk).get()

    execute_coverage_run(run_id=scenario.pk)
    scenario.refresh_from_db()
    page = client.get(f"/en/coverage/runs/{scenario.pk}/").content.decode()

    assert scenario.status == "done"
    assert scenario.result["demand"]["covered_weight"] == 0
    assert scenario.result["stations"] == []
    assert "after: 0.0 % (-32.1 percentage points)" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "choose at least one station to remove or a position to add"),
        ({"add_positions": "38.06 north"}, "Line 1: “38.06 north” is not"),
        ({"add_positions": "39.9, 116.4"}, "is more than 50 km from every station"),
        ({"remove_station_ids": ["999999"]}, "Select a valid choice"),
    ],
)
def test_a_bad_what_if_shows_the_error_and_starts_nothing(
    world, done_run, data, message
):
    response = client_as(world, COUNTY_ADMIN).post(
        f"/en/coverage/runs/{done_run.pk}/scenario/", data
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert message in page
    assert 'role="alert"' in page
    assert 'id="coverage-map"' in page  # the plan is still shown
    assert list(CoverageRun.objects.all()) == [done_run]


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (ANONYMOUS, LOGIN),
        (STATION_STAFF, 403),
        (WORKER, 403),
        (OTHER_COUNTY_ADMIN, 404),
        (PROVINCE_ADMIN, 302),
    ],
)
def test_only_the_countys_planners_start_a_what_if(world, done_run, role, expected):
    url = f"/coverage/runs/{done_run.pk}/scenario/"
    [station] = done_run.result["stations"]

    response = client_as(world, role).post(
        url, {"remove_station_ids": [str(station["id"])]}
    )

    assert_outcome(response, expected, url)
    assert CoverageRun.objects.count() == (2 if expected == 302 else 1)


def test_a_what_if_form_is_only_posted(world, done_run):
    response = client_as(world, COUNTY_ADMIN).get(
        f"/coverage/runs/{done_run.pk}/scenario/"
    )

    assert response.status_code == 405


def test_the_exports_of_a_what_if_name_the_scenario(world, done_run):
    client = client_as(world, COUNTY_ADMIN)
    [station] = done_run.result["stations"]
    client.post(
        f"/en/coverage/runs/{done_run.pk}/scenario/",
        {"remove_station_ids": [str(station["id"])], "add_positions": "38.06,112.7"},
    )
    scenario = CoverageRun.objects.exclude(pk=done_run.pk).get()
    execute_coverage_run(run_id=scenario.pk)

    document = client.get(f"/en/coverage/runs/{scenario.pk}/export.geojson").json()
    workbook = openpyxl.load_workbook(
        io.BytesIO(client.get(f"/en/coverage/runs/{scenario.pk}/export.xlsx").content)
    )

    what_if = document["coverage_run"]["scenario"]
    assert what_if["removed_stations"] == ["Xinyang Station"]
    assert what_if["added_positions"] == [[38.06, 112.7]]
    assert what_if["based_on_run_id"] == done_run.pk
    assert what_if["before_covered_share"] == pytest.approx(12.5 / 39, abs=1e-5)
    summary = {
        row[0]: row[1] for row in workbook["Summary"].iter_rows(values_only=True)
    }
    assert summary["What-if"].startswith(
        "Scenario: removed Xinyang Station; added 1 station at"
    )
    assert summary["Compared with plan"] == done_run.pk
    assert summary["Covered share before"] == pytest.approx(12.5 / 39, abs=1e-5)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("x")', '\'=HYPERLINK("x")'),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("新阳", "新阳"),
        (3, 3),
    ],
)
def test_excel_cells_that_look_like_formulas_stay_text(value, expected):
    from warmbee.coverage.exports.workbook import _as_text_if_formula_like

    assert _as_text_if_formula_like(value) == expected
