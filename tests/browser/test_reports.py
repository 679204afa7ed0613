"""A rider reports a hazard from the phone; the department handler resolves it; the
rider is not satisfied and reopens it. A county admin plans on where hazards were
reported."""

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import DESK, screenshot
from tests.browser.test_coverage_planner import COUNTY_ADMIN_PHONE
from tests.browser.test_worker_file import RIDER, log_in_with_code
from warmbee.coverage.models import CoverageRun
from warmbee.coverage.tests.test_tasks import run_queued_tasks
from warmbee.devtools.demo import DEMO_PASSWORD, load_demo
from warmbee.reports.models import Report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HANDLER_PHONE = "13800000004"  # in the demo's urban management bureau
RIDER_NAME = "外卖骑手（演示）"


def photo_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (120, 90, 60)).save(buffer, format="JPEG")
    return buffer.getvalue()


def log_in_at_desk(page: Page, base: str, phone: str, next_path: str) -> None:
    page.goto(f"{base}/accounts/login/?next={next_path}")
    page.locator("#id_username").fill(phone)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator("button[type=submit]").click()


def test_rider_reports_a_hazard_the_department_resolves_it_and_the_rider_reopens_it(
    page: Page, browser: Browser, live_server, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    load_demo(visits=0)
    base = live_server.url
    log_in_with_code(page, base, RIDER)

    page.get_by_test_id("nav-reports").click()
    page.get_by_test_id("new-report-link").click()
    expect(page.locator("#report-form")).to_have_attribute("data-ready", "1")
    expect(page.get_by_test_id("position-status")).to_contain_text("已找到你的位置")
    page.get_by_test_id("category-manhole").check()
    page.locator("[name=description]").fill("井盖翻了，骑车差点掉进去")
    page.locator("[name=place_note]").fill("新阳东街与府前街路口北侧")
    page.locator("[name=photos]").set_input_files(
        [{"name": "IMG_0001.jpg", "mimeType": "image/jpeg", "buffer": photo_bytes()}]
    )
    screenshot(page, "zh-report-1-form")
    page.get_by_test_id("send-report").click()
    expect(page.get_by_test_id("report-status")).to_have_text("待受理")
    expect(page.get_by_test_id("report-history")).to_contain_text("阳曲县城市管理局")
    expect(page.locator(".report-photos img")).to_have_count(1)
    screenshot(page, "zh-report-2-sent")
    report = Report.objects.get(description="井盖翻了，骑车差点掉进去")
    assert (report.category, report.department.name) == ("manhole", "阳曲县城市管理局")
    assert report.photos.get().image.name.startswith("reports/")
    assert "IMG_0001" not in report.photos.get().image.name

    # Anyone sees it among the known hazards: what and roughly where, not who or the words.
    page.goto(f"{base}/")
    page.get_by_test_id("hazards-link").click()
    expect(page.get_by_test_id("public-hazards")).to_contain_text("井盖缺失或破损")
    expect(page.get_by_test_id("public-hazards")).not_to_contain_text("骑车差点掉进去")
    page.get_by_role("button", name=re.compile("地图")).click()
    expect(page.get_by_test_id("hazard-map")).to_have_attribute("data-ready", "true")
    screenshot(page, "zh-report-2b-hazards")
    page.goto(f"{base}/reports/mine/{report.pk}/")

    desk = browser.new_context(viewport=DESK, locale="zh-CN")
    handler = desk.new_page()
    log_in_at_desk(handler, base, HANDLER_PHONE, "/")
    handler.get_by_test_id("nav-inbox").click()
    handler.get_by_test_id("inbox-report").filter(has_text=report.reference).click()
    expect(handler.get_by_test_id("report-description")).to_have_text(
        "井盖翻了，骑车差点掉进去"
    )
    assert RIDER_NAME not in handler.content()
    assert RIDER[-4:] not in handler.content()
    handler.get_by_test_id("accept-report").click()
    expect(handler.get_by_test_id("report-status")).to_have_text("处理中")
    handler.locator("[name=note]").fill("已换新井盖并加固")
    screenshot(handler, "zh-report-3-handler")
    handler.get_by_test_id("resolve-report").click()
    expect(handler.get_by_test_id("report-status")).to_have_text("已办结")
    desk.close()

    page.reload()
    expect(page.get_by_test_id("report-status")).to_have_text("已办结")
    expect(page.get_by_test_id("report-history")).to_contain_text("已换新井盖并加固")
    page.get_by_label(re.compile("不满意")).check()
    page.locator("[name=note]").fill("新井盖还是晃")
    screenshot(page, "zh-report-4-feedback")
    page.get_by_test_id("send-feedback").click()
    expect(page.get_by_test_id("report-status")).to_have_text("处理中")
    expect(page.get_by_test_id("report-history")).to_contain_text("新井盖还是晃")
    report.refresh_from_db()
    assert (report.status, report.resolved_at) == ("accepted", None)


def test_county_admin_plans_on_where_hazards_were_reported(
    desk_page: Page, live_server, settings, tmp_path, monkeypatch
):
    settings.NETWORK_DIR = tmp_path / "networks"
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    load_demo(visits=0)
    hazards = Report.objects.filter(kind="hazard").count()
    page = desk_page
    log_in_at_desk(page, live_server.url, COUNTY_ADMIN_PHONE, "/en/coverage/")

    page.locator("#id_mode").select_option("walk")
    page.locator("#id_new_sites").fill("2")
    page.get_by_label(
        f"Where safety hazards were reported: {hazards} reports in the last 12 months"
    ).check()
    page.get_by_test_id("start-plan").click()
    expect(page.get_by_test_id("run-progress")).to_be_visible()
    run_queued_tasks(monkeypatch)

    expect(page.get_by_test_id("coverage-map")).to_have_attribute("data-ready", "true")
    expect(page.get_by_test_id("demand-layer")).to_contain_text(
        "where safety hazards were reported (last 12 months)"
    )
    run = CoverageRun.objects.get()
    assert run.result["demand"]["unit"] == "reports"
    assert run.result["demand"]["total_weight"] == hazards
    assert len(run.result["recommendation"]["sites"]) == 2
    expect(page.locator(".coverage-site-marker")).to_have_count(2)
    screenshot(page, "en-report-5-plan")
