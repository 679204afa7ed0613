"""Playwright driving Debian's Chromium (a browser download is not possible here)."""

import importlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from django.apps import apps
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

# Playwright's sync API keeps an event loop in this thread; the ORM calls the tests make
# between browser steps are ordinary synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 360, "height": 640}
DESK = {"width": 1280, "height": 900}
YANGQU_SEAT = {"latitude": 38.06, "longitude": 112.68}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


def _migration(app: str, name: str) -> ModuleType:
    return importlib.import_module(f"warmbee.{app}.migrations.{name}")


@pytest.fixture(autouse=True)
def reference_data(transactional_db: None) -> None:
    """Reload what the data migrations load: transactional tests flush every table."""
    from warmbee.regions.models import Region

    if not Region.objects.exists():
        _migration("regions", "0002_load_yangqu_divisions").load(apps, None)
        _migration("stations", "0002_load_amenity_catalogue").load(apps, None)
        _migration("workers", "0002_publish_privacy_notices_v1").publish(apps, None)
        _migration("workers", "0005_publish_location_notice_v1").publish(apps, None)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if shutil.which(CHROMIUM) is None and not Path(CHROMIUM).exists():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: apt-get install chromium (see .ci/run)"
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def phone(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        geolocation=YANGQU_SEAT,
        permissions=["geolocation"],
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
    )
    # No map tiles from the internet here: the pages must work without them.
    context.route("https://**/*", lambda route: route.abort())
    yield context
    context.close()


@pytest.fixture
def page(phone: BrowserContext) -> Iterator[Page]:
    page = phone.new_page()
    page.set_default_timeout(15_000)
    yield page
    page.close()


@pytest.fixture
def desk(browser: Browser) -> Iterator[BrowserContext]:
    """A desktop browser, as county administrators use, without map tiles."""
    context = browser.new_context(
        viewport=DESK, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    # No map tiles from the internet here: the map must show its layers without them.
    context.route("https://**/*", lambda route: route.abort())
    yield context
    context.close()


@pytest.fixture
def desk_page(desk: BrowserContext) -> Iterator[Page]:
    page = desk.new_page()
    page.set_default_timeout(20_000)
    yield page
    page.close()


def screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    # A full-page capture briefly re-lays the page out beyond the phone's screen, and Chromium
    # can drop parts of the mobile emulation on the way (playwright#42607). A test that taps
    # right after it once hit stale positions under load on CI: set the phone's screen again
    # and let two frames draw before the next tap.
    if page.viewport_size is not None:
        page.set_viewport_size(page.viewport_size)
    page.evaluate(
        "new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"
    )
