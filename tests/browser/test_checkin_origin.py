"""A rider agrees to the location notice, finds a station, checks in, and the area the
finder located them in is noted for planning; after withdrawing, nothing more is noted.
A county admin then plans new stations on where workers came from."""

import re

import h3
import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import YANGQU_SEAT, screenshot
from tests.browser.test_coverage_planner import COUNTY_ADMIN_PHONE
from tests.browser.test_worker_file import RIDER, log_in_with_code
from warmbee.coverage.models import CoverageRun
from warmbee.coverage.tests.test_tasks import run_queued_tasks
from warmbee.devtools.demo import DEMO_PASSWORD, load_demo
from warmbee.stations.models import Station
from warmbee.visits.models import CheckInOriginCount
from warmbee.workers.models import Consent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ORIGIN_KEY = "warmbee.checkinOrigin"


@pytest.fixture
def demo() -> None:
    load_demo(visits=0)
    Station.objects.update(opening_hours="24/7")
    # The demo rider starts without the location consent.
    Consent.objects.filter(notice__kind="location").delete()


def find_a_station(page: Page, base: str) -> object:
    """Search by the phone's position, open the nearest station; return what the phone
    kept for the next check-in."""
    page.goto(f"{base}/")
    page.get_by_test_id("preset-drinking_water").click()
    page.get_by_test_id("result").first.get_by_role("link").last.click()
    return page.evaluate(f"JSON.parse(localStorage.getItem('{ORIGIN_KEY}'))")


def check_in(page: Page) -> None:
    page.get_by_test_id("checkin-link").click()
    page.locator("[data-checkin-form][data-ready]").wait_for()
    page.get_by_test_id("checkin-submit").click()
    expect(page.get_by_test_id("checkin-status")).to_have_attribute(
        "data-state", "sent"
    )


def noted() -> dict[str, int]:
    counts = CheckInOriginCount.objects.filter(is_demo=False)
    return dict(counts.values_list("h3_cell", "check_ins"))


def test_rider_shares_where_they_came_from_then_withdraws(
    page: Page, live_server, demo
):
    base = f"{live_server.url}/en"
    log_in_with_code(page, base, RIDER)

    assert find_a_station(page, base) is None  # no consent yet: the phone keeps nothing
    check_in(page)
    assert noted() == {}

    page.goto(f"{base}/workers/me/consents/")
    expect(page.get_by_test_id("consent-location")).to_contain_text("Not given")
    page.get_by_test_id("grant-location").click()
    expect(page.get_by_test_id("withdraw-location")).to_be_visible()
    screenshot(page, "en-origin-1-consent")

    kept = find_a_station(page, base)
    assert kept["lat"] == YANGQU_SEAT["latitude"]  # rounded to 0.001 degrees
    assert kept["lon"] == YANGQU_SEAT["longitude"]
    check_in(page)
    expect(page.get_by_test_id("checkin-status")).to_contain_text(
        "Where you came from is noted, without your name"
    )
    screenshot(page, "en-origin-2-checked-in")
    seat = h3.latlng_to_cell(YANGQU_SEAT["latitude"], YANGQU_SEAT["longitude"], 8)
    assert noted() == {seat: 1}
    assert page.evaluate(f"localStorage.getItem('{ORIGIN_KEY}')") is None  # used up

    page.goto(f"{base}/workers/me/consents/")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("withdraw-location").click()
    expect(page.get_by_test_id("grant-location")).to_be_visible()

    assert find_a_station(page, base) is None
    check_in(page)
    expect(page.get_by_test_id("checkin-status")).not_to_contain_text(
        re.compile("noted")
    )
    assert noted() == {seat: 1}


def test_county_admin_plans_on_where_workers_came_from(
    desk_page: Page, live_server, settings, tmp_path, monkeypatch, demo
):
    settings.NETWORK_DIR = tmp_path / "networks"
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    page = desk_page
    page.goto(f"{live_server.url}/accounts/login/?next=/coverage/")
    page.locator("#id_username").fill(COUNTY_ADMIN_PHONE)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator("button[type=submit]").click()

    page.locator("#id_mode").select_option("walk")
    page.locator("#id_new_sites").fill("2")
    page.get_by_label(re.compile("^劳动者签到前从哪里来（经本人同意）")).check()
    page.get_by_test_id("start-plan").click()
    expect(page.get_by_test_id("run-progress")).to_be_visible()
    run_queued_tasks(monkeypatch)

    expect(page.get_by_test_id("coverage-map")).to_have_attribute("data-ready", "true")
    expect(page.get_by_test_id("demand-layer")).to_contain_text(
        "劳动者签到前从哪里来（最近12个月）"
    )
    run = CoverageRun.objects.get()
    assert run.result["demand"]["unit"] == "checkins"
    assert run.result["demand"]["total_weight"] == 400  # the demo's made-up origins
    assert run.result["demand"]["covered_share"] < 1
    sites = run.result["recommendation"]["sites"]
    assert len(sites) == 2
    expect(page.locator(".coverage-site-marker")).to_have_count(2)
    screenshot(page, "zh-origin-3-plan")
