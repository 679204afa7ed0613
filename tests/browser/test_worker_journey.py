"""A rider finds the nearest open station with a microwave, opens it, navigates, checks in."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import screenshot
from warmbee.core import geo
from warmbee.devtools.demo import load_demo
from warmbee.stations.models import Station
from warmbee.visits.models import Visit

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def demo() -> None:
    load_demo(visits=0)
    # Open round the clock so the journey does not depend on when the suite runs.
    Station.objects.update(opening_hours="24/7")


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_worker_finds_open_station_with_microwave_navigates_and_checks_in(
    page: Page, live_server, demo, prefix
):
    language = "en" if prefix else "zh"
    page.goto(f"{live_server.url}{prefix}/")
    screenshot(page, f"{language}-1-home")

    page.get_by_test_id("preset-microwave").click()
    results = page.get_by_test_id("result")
    expect(results.first).to_be_visible()
    expect(page.get_by_test_id("travel-time-note")).to_be_visible()
    screenshot(page, f"{language}-2-results")

    nearest = Station.objects.get(name="商贸新街社区暖蜂驿站")
    expect(results.first).to_contain_text(nearest.name_en if prefix else nearest.name)
    results.first.get_by_role("link").last.click()
    expect(page).to_have_url(re.compile(rf"{prefix}/stations/{nearest.pk}/$"))
    screenshot(page, f"{language}-3-station")

    gcj = geo.wgs84_to_gcj02(nearest.lat_deg, nearest.lon_deg)
    amap = page.get_by_test_id("nav-amap").get_attribute("href")
    assert f"{gcj.lon_deg:.6f}%2C{gcj.lat_deg:.6f}" in amap
    bd = geo.wgs84_to_bd09(nearest.lat_deg, nearest.lon_deg)
    baidu = page.get_by_test_id("nav-baidu").get_attribute("href")
    assert f"{bd.lat_deg:.6f}%2C{bd.lon_deg:.6f}" in baidu

    page.get_by_test_id("checkin-link").click()
    page.get_by_label(re.compile("Microwave|微波炉")).check()
    page.get_by_test_id("checkin-submit").click()
    expect(page.get_by_test_id("checkin-status")).to_have_attribute(
        "data-state", "sent"
    )
    screenshot(page, f"{language}-4-checked-in")

    visit = Visit.objects.get(station=nearest)
    assert list(visit.services.values_list("code", flat=True)) == ["microwave"]
    assert visit.worker is None


def test_check_in_without_signal_is_sent_later_with_its_original_time(
    page: Page, live_server, demo
):
    station = Station.objects.get(name="城南街社区暖蜂驿站")
    page.goto(f"{live_server.url}/s/{station.checkin_code}/")
    page.context.set_offline(True)
    page.get_by_test_id("checkin-submit").click()
    expect(page.get_by_test_id("checkin-status")).to_have_attribute(
        "data-state", "queued"
    )
    screenshot(page, "zh-5-checkin-queued")
    assert Visit.objects.filter(station=station).count() == 0

    page.wait_for_timeout(1500)
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.get_by_test_id("checkin-status")).to_have_attribute(
        "data-state", "sent"
    )
    visit = Visit.objects.get(station=station)
    assert (visit.received_at - visit.visited_at).total_seconds() >= 1.0


def test_results_map_opens_without_tiles(page: Page, live_server, demo):
    page.goto(f"{live_server.url}/find/?lat=38.06&lon=112.68&amenity=microwave")
    page.locator("[data-map-open]").click()
    expect(page.locator("#map .leaflet-interactive").first).to_be_visible()
    screenshot(page, "zh-6-map")
