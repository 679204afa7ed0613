"""A rider's finder answers on the demo's generated street network, and a station's area."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import screenshot
from warmbee.coverage.models import RoadNetwork
from warmbee.devtools.demo import load_demo
from warmbee.factories import StationFactory
from warmbee.stations.models import Station

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def demo() -> None:
    load_demo(visits=0)
    # Open round the clock so the journey does not depend on when the suite runs.
    Station.objects.update(opening_hours="24/7")
    assert RoadNetwork.objects.get(is_active=True).is_generated


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_results_use_the_generated_network_and_the_station_shows_its_area(
    page: Page, live_server, demo, prefix
):
    language = "en" if prefix else "zh"
    page.goto(f"{live_server.url}{prefix}/find/?lat=38.06&lon=112.68&mode=walk")

    note = page.get_by_test_id("travel-time-note")
    expect(note).to_have_attribute("data-method", "network")
    expect(note).to_have_attribute("data-generated", "")
    if prefix:
        expect(note).to_contain_text("Travel times on the road network")
        expect(note).to_contain_text("generated street network, not real roads")
    expect(page.get_by_test_id("result").first).to_be_visible()
    screenshot(page, f"{language}-network-1-results")

    page.get_by_test_id("result").first.get_by_role("link").last.click()
    expect(page).to_have_url(re.compile(rf"{prefix}/stations/\d+/$"))
    expect(page.get_by_test_id("generated-network")).to_be_visible()
    # Tapped before the page's script is ready, the button would do nothing.
    page.locator("[data-map-open][data-ready]").wait_for()
    page.get_by_test_id("station-map-open").click()
    status = page.get_by_test_id("area-status")
    # The first area ever computed may compile the search kernel: allow for it.
    expect(status).to_have_attribute("data-mode", "walk", timeout=60_000)
    walk_cells = int(status.get_attribute("data-cells") or 0)
    assert walk_cells > 0
    expect(page.locator("#map path.leaflet-interactive").first).to_be_visible()
    screenshot(page, f"{language}-network-2-station-area-walk")

    page.locator("[data-area-mode=ebike]").click()
    expect(status).to_have_attribute("data-mode", "ebike")
    expect(page.locator("[data-area-mode=ebike]")).to_have_attribute(
        "aria-pressed", "true"
    )
    assert int(status.get_attribute("data-cells") or 0) > walk_cells
    screenshot(page, f"{language}-network-3-station-area-ebike")


def test_a_village_station_off_the_network_is_listed_with_a_straight_line_estimate(
    page: Page, live_server, demo
):
    # About 2 km north of the generated grid's northern edge (38.093 N): off it.
    StationFactory(
        name="北村驿站",
        name_en="North Village Station",
        lat_deg=38.112,
        lon_deg=112.68,
        opening_hours="24/7",
    )
    # On the grid, near its northern edge: network times for the demo stations.
    page.goto(f"{live_server.url}/en/find/?lat=38.09&lon=112.68&mode=ebike")

    expect(page.get_by_test_id("travel-time-note")).to_have_attribute(
        "data-method", "network"
    )
    village = page.get_by_test_id("result").filter(has_text="North Village Station")
    expect(village).to_have_attribute("data-method", "straight_line_with_detour")
    expect(village.get_by_test_id("straight-line-estimate")).to_have_text(
        "Estimated in a straight line: this station is off the road network."
    )
    on_network = page.locator("[data-testid=result][data-method=network]")
    expect(on_network.first).to_be_visible()
    expect(on_network.get_by_test_id("straight-line-estimate")).to_have_count(0)
    screenshot(page, "en-network-4-station-off-the-network")
