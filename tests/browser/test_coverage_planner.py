"""A county admin imports a road network, plans new stations, reads the map, exports it."""

import json
import re
from collections import Counter

import numpy as np
import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import screenshot
from warmbee.accounts.models import User
from warmbee.coverage.engine.synthetic import write_grid_extract
from warmbee.coverage.models import CoverageRun, RoadNetworkImport
from warmbee.coverage.selectors import find_active_network
from warmbee.coverage.tests.test_tasks import run_queued_tasks
from warmbee.devtools.demo import DEMO_NETWORK_NAME, DEMO_PASSWORD, load_demo
from warmbee.factories import YANGQU_CODE
from warmbee.regions.models import Region

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

COUNTY_ADMIN_PHONE = "13800000001"


def test_county_admin_plans_new_stations_and_exports_the_map(
    desk_page: Page, live_server, settings, tmp_path, monkeypatch
):
    settings.NETWORK_DIR = tmp_path / "networks"
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    load_demo(visits=0)  # with its generated street network, labelled as such
    admin = User.objects.get_by_natural_key(COUNTY_ADMIN_PHONE)
    yangqu = Region.objects.get(code=YANGQU_CODE)
    demo_network = find_active_network(yangqu)
    assert demo_network is not None
    assert demo_network.is_generated
    # The extract the administrator uploads: a street grid around the county seat written
    # as an .osm.pbf (no real extract of Yangqu ships in any package), 10 km x 7 km,
    # streets every 180 m.
    extract = tmp_path / "yangqu-streets.osm.pbf"
    write_grid_extract(
        extract,
        rows=40,
        columns=55,
        spacing_m=180.0,
        rng=np.random.default_rng(4),
        origin_lat_deg=38.03,
        origin_lon_deg=112.63,
    )
    page = desk_page

    page.goto(f"{live_server.url}/accounts/login/?next=/staff/")
    page.locator("#id_username").fill(COUNTY_ADMIN_PHONE)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator("button[type=submit]").click()
    page.get_by_test_id("planner-link").click()
    expect(page.get_by_test_id("network-name")).to_have_text(DEMO_NETWORK_NAME)
    expect(page.get_by_test_id("generated-label")).to_be_visible()
    expect(page.get_by_test_id("planner-county")).to_contain_text("12")
    screenshot(page, "zh-coverage-1-planner")

    # Replace the demo network with the extract, on the road network page.
    page.get_by_test_id("network-link").click()
    expect(page.get_by_test_id("network-name")).to_have_text(DEMO_NETWORK_NAME)
    expect(page.get_by_test_id("generated-label")).to_be_visible()
    expect(page.locator("input[type=file]")).to_have_attribute(
        "accept", ".pbf,.osm.pbf"
    )
    page.locator("input[type=file]").set_input_files(str(extract))
    page.get_by_test_id("upload-network").click()
    expect(page.get_by_test_id("import-progress")).to_be_visible()
    expect(page.get_by_test_id("import-file")).to_have_text(extract.name)
    upload = RoadNetworkImport.objects.get()
    assert (upload.status, upload.uploaded_by) == ("pending", admin)
    assert find_active_network(yangqu) == demo_network  # until the import succeeds
    screenshot(page, "zh-coverage-1a-network-import")

    # The background worker imports it; the page polls and shows the outcome by itself.
    run_queued_tasks(monkeypatch)
    upload.refresh_from_db()
    assert upload.status == "done"
    network = find_active_network(yangqu)
    assert network is not None
    assert (network, network.name, network.is_generated) == (
        upload.network,
        extract.name,
        False,
    )
    expect(page.get_by_test_id("import-status")).to_have_attribute(
        "data-status", "done"
    )
    expect(page.get_by_test_id("import-summary")).to_be_visible()
    expect(page.get_by_test_id("network-name")).to_have_text(extract.name)
    expect(page.get_by_test_id("node-count")).to_have_text(str(network.node_count))
    expect(page.get_by_test_id("stations-on-network")).to_have_text("12 / 12")
    expect(page.get_by_test_id("import-progress")).to_have_count(0)
    screenshot(page, "zh-coverage-1b-network-imported")

    page.get_by_test_id("import-summary").get_by_role("link").click()
    expect(page.get_by_test_id("network-name")).to_have_text(extract.name)
    expect(page.get_by_test_id("generated-label")).to_have_count(0)

    page.locator("#id_mode").select_option("walk")
    page.locator("#id_minutes").fill("15")
    page.locator("#id_new_sites").fill("3")
    page.get_by_test_id("start-plan").click()
    expect(page.get_by_test_id("run-progress")).to_be_visible()
    run = CoverageRun.objects.get()
    assert (run.status, run.network_id, run.created_by) == ("queued", network.pk, admin)
    expect(page.get_by_test_id("method")).to_contain_text(extract.name)
    expect(page.get_by_test_id("generated-label")).to_have_count(0)
    screenshot(page, "zh-coverage-2-queued")

    # The background worker's part, here in the test's process; the page polls its
    # status every 2 s and shows the result by itself.
    run_queued_tasks(monkeypatch)
    run.refresh_from_db()
    assert run.status == "done"

    expect(page.get_by_test_id("coverage-map")).to_have_attribute("data-ready", "true")
    expect(page.locator(".coverage-site-marker")).to_have_count(3)
    expect(page.locator("path.coverage-station")).to_have_count(12)
    areas = page.locator("path.coverage-area")
    assert areas.count() == sum(1 for row in run.result["stations"] if row["cells"])
    assert page.locator("path.coverage-uncovered").count() == len(
        run.result["uncovered_cells"]
    )
    expect(page.get_by_test_id("site-row")).to_have_count(3)
    expect(page.get_by_test_id("station-row")).to_have_count(12)
    expect(page.get_by_test_id("generated-label")).to_have_count(0)
    page.locator(".coverage-site-marker").first.click()
    expect(page.locator(".leaflet-popup-content")).to_contain_text("1")
    expect(page.locator(".leaflet-popup")).to_have_css("opacity", "1")  # faded in
    screenshot(page, "zh-coverage-3-result")

    with page.expect_download() as download_info:
        page.get_by_test_id("export-geojson").click()
    download = download_info.value
    assert download.suggested_filename == f"coverage-140122-run-{run.pk}.geojson"
    document = json.loads(download.path().read_text(encoding="utf-8"))
    kinds = Counter(feature["properties"]["kind"] for feature in document["features"])
    assert kinds["recommended_site"] == 3
    assert kinds["station"] == 12
    assert kinds["uncovered_cell"] == len(run.result["uncovered_cells"])
    assert document["coverage_run"]["network_is_generated"] is False

    workbook = page.request.get(
        live_server.url + page.get_by_test_id("export-xlsx").get_attribute("href")
    )
    assert workbook.status == 200
    assert workbook.body()[:2] == b"PK"  # a zip container, as .xlsx files are

    # What if the station serving the most demand closed? Dropping a marker on the map
    # adds a position line; tapping the marker takes it away again.
    busiest = max(run.result["stations"], key=lambda row: row["covered_weight"])
    what_if = page.get_by_test_id("scenario-form")
    expect(what_if).to_have_attribute("data-map-ready", "true")
    page.get_by_test_id("coverage-map").click(position={"x": 60, "y": 300})
    expect(page.locator(".coverage-dropped-marker")).to_have_count(1)
    expect(what_if.locator("textarea")).to_have_value(
        re.compile(r"^38\.\d+, 112\.\d+$")
    )
    page.locator(".coverage-dropped-marker").click()
    expect(page.locator(".coverage-dropped-marker")).to_have_count(0)
    expect(what_if.locator("textarea")).to_have_value("")
    what_if.locator(f"input[value='{busiest['id']}']").check()
    page.get_by_test_id("compare").click()
    expect(page.get_by_test_id("run-progress")).to_be_visible()
    scenario = CoverageRun.objects.exclude(pk=run.pk).get()
    assert scenario.parameters["scenario"]["remove_station_ids"] == [busiest["id"]]

    run_queued_tasks(monkeypatch)
    scenario.refresh_from_db()
    assert scenario.status == "done"
    before = run.result["demand"]["covered_share"]
    after = scenario.result["demand"]["covered_share"]
    assert after < before
    expect(page.get_by_test_id("scenario")).to_contain_text(busiest["name"])
    expect(page.get_by_test_id("scenario-comparison")).to_contain_text(
        f"{100 * before:.1f} %"
    )
    expect(page.get_by_test_id("covered-share")).to_have_text(f"{100 * after:.1f} %")
    expect(page.get_by_test_id("station-row")).to_have_count(11)
    expect(page.get_by_test_id("coverage-map")).to_have_attribute("data-ready", "true")
    screenshot(page, "zh-coverage-4-what-if")
