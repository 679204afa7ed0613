"""Station staff log in, mark an amenity broken in two taps, record a walk-in, get the poster."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import screenshot
from warmbee.devtools.demo import DEMO_PASSWORD, load_demo
from warmbee.stations.models import Station, StationAmenity
from warmbee.visits.models import Visit, VisitChannel

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_staff_update_amenity_record_walk_in_and_print_poster(page: Page, live_server):
    load_demo(visits=0)
    station = Station.objects.get(name="新阳东街社区暖蜂驿站")
    page.goto(f"{live_server.url}/accounts/login/?next=/staff/")
    page.locator("#id_username").fill("13800000002")
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator("button[type=submit]").click()
    expect(page.get_by_test_id("staff-station")).to_have_count(2)
    screenshot(page, "zh-staff-1-dashboard")

    page.get_by_test_id("staff-station").filter(has_text=station.name).click()
    page.get_by_test_id("status-microwave-broken").click()
    expect(page.get_by_test_id("status-microwave-broken")).to_have_attribute(
        "aria-pressed", "true"
    )
    row = StationAmenity.objects.get(station=station, amenity__code="microwave")
    assert row.status == "broken"
    assert row.verified_by is not None and row.verified_by.phone == "13800000002"

    page.locator("#id_count").fill("2")
    page.get_by_test_id("walk-in-submit").click()
    expect(page.locator(".messages li").first).to_be_visible()
    screenshot(page, "zh-staff-2-station")
    assert (
        Visit.objects.filter(station=station, channel=VisitChannel.STAFF).count() == 2
    )

    poster_path = page.get_by_test_id("poster-link").get_attribute("href") or ""
    response = page.request.get(f"{live_server.url}{poster_path}")
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
