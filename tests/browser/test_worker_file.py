"""The worker file: a rider logs in with a code, is checked in by staff scanning the card,
sees and exports the file, withdraws health consent and deletes the account; staff register
a walk-in on a signature, and a county administrator opens a file with a stated reason."""

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.conftest import screenshot
from warmbee.accounts import sms
from warmbee.accounts.models import User
from warmbee.core.models import AuditAction, AuditEntry
from warmbee.devtools.demo import DEMO_PASSWORD, load_demo
from warmbee.stations.models import Station
from warmbee.visits.models import Visit
from warmbee.workers.choices import ConsentChannel, NoticeKind
from warmbee.workers.models import Consent, WorkerProfile
from warmbee.workers.selectors import has_consent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RIDER = "13800000005"
STAFF = "13800000002"
COUNTY_ADMIN = "13800000001"
TABLET = {"width": 1024, "height": 768}


@pytest.fixture
def demo() -> None:
    load_demo(visits=0)
    Station.objects.update(opening_hours="24/7")


@pytest.fixture
def tablet(browser: Browser) -> BrowserContext:
    context = browser.new_context(
        viewport=TABLET, locale="zh-CN", timezone_id="Asia/Shanghai", has_touch=True
    )
    context.route("https://**/*", lambda route: route.abort())
    yield context
    context.close()


def log_in_with_password(page: Page, base: str, phone: str, next_url: str) -> None:
    page.goto(f"{base}/accounts/login/?next={next_url}")
    page.locator("#id_username").fill(phone)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator("button[type=submit]").click()


def log_in_with_code(page: Page, url: str, phone: str) -> None:
    page.goto(f"{url}/workers/login/")
    page.locator("[name=phone]").fill(phone)
    page.get_by_test_id("send-code").click()
    code = re.search(r"\b(\d{6})\b", sms.outbox[-1].text).group(1)
    page.locator("[name=code]").fill(code)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("worker-card")).to_be_visible()


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_rider_checks_in_with_the_card_sees_exports_and_deletes_the_file(
    page: Page, tablet: BrowserContext, live_server, demo, prefix
):
    language = "en" if prefix else "zh"
    base = f"{live_server.url}{prefix}"
    log_in_with_code(page, base, RIDER)
    screenshot(page, f"{language}-file-1-card")

    # Staff scan the card: the QR code holds the address of the staff card page.
    profile = WorkerProfile.objects.get(user=User.objects.find_by_phone(RIDER))
    staff_page = tablet.new_page()
    log_in_with_password(
        staff_page, live_server.url, STAFF, f"/workers/staff/card/{profile.card_code}/"
    )
    expect(staff_page.get_by_test_id("staff-card")).to_contain_text(profile.name)
    staff_page.get_by_test_id("card-checkin-submit").click()
    expect(staff_page.locator(".messages li").first).to_be_visible()
    screenshot(staff_page, f"{language}-file-2-staff-card-checkin")
    visit = Visit.objects.get(worker=profile.user)

    page.goto(f"{base}/workers/me/")
    timeline = page.get_by_test_id("timeline")
    expect(timeline).to_contain_text(visit.station.name)
    screenshot(page, f"{language}-file-3-my-file")

    page.get_by_test_id("export-link").click()
    expect(page.get_by_test_id("export-visits")).to_contain_text(visit.station.name)
    screenshot(page, f"{language}-file-4-export")
    with page.expect_download() as download:
        page.get_by_test_id("download-json").click()
    document = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert document["account"]["phone"] == RIDER
    assert len(document["visits"]) == 1

    page.goto(f"{base}/workers/me/consents/")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("withdraw-health").click()
    expect(page.get_by_test_id("grant-health")).to_be_visible()
    assert not has_consent(profile.user, NoticeKind.HEALTH)
    assert has_consent(profile.user, NoticeKind.GENERAL)
    screenshot(page, f"{language}-file-5-consents")

    page.goto(f"{base}/workers/me/")
    page.get_by_test_id("delete-link").click()
    word = "DELETE" if prefix else "删除"
    page.locator("[name=confirmation]").fill(word)
    screenshot(page, f"{language}-file-6-delete")
    page.get_by_test_id("confirm-delete").click()
    expect(page.locator(".messages li").first).to_be_visible()
    screenshot(page, f"{language}-file-7-deleted")
    profile.refresh_from_db()
    assert profile.anonymised_at is not None
    assert User.objects.find_by_phone(RIDER) is None
    assert Visit.objects.filter(pk=visit.pk, worker__isnull=True).exists()


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_staff_register_a_walk_in_on_a_signature_and_the_admin_opens_it_with_a_reason(
    tablet: BrowserContext, live_server, demo, prefix
):
    language = "en" if prefix else "zh"
    page = tablet.new_page()
    log_in_with_password(page, live_server.url, STAFF, f"{prefix}/staff/")
    page.get_by_test_id("walk-in-link").click()
    page.locator("[name=phone]").fill("13912345678")
    page.get_by_test_id("method-signature").click()
    page.locator("[name=name]").fill("孙师傅")
    page.locator("[name=occupation]").first.check()
    page.locator("[name=general_consent]").check()
    pad = page.get_by_test_id("signature-pad")
    box = pad.bounding_box()
    page.mouse.move(box["x"] + 30, box["y"] + 80)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(box["x"] + 30 + step * 22, box["y"] + 80 + (-1) ** step * 25)
    page.mouse.up()
    screenshot(page, f"{language}-walk-in-1-signature")
    page.get_by_test_id("register-walk-in").click()
    expect(page.locator(".messages li").first).to_be_visible()
    worker = User.objects.find_by_phone("13912345678")
    consent = Consent.objects.get(worker=worker)
    assert consent.channel == ConsentChannel.STAFF_SIGNATURE
    assert consent.signature_png

    admin = tablet.new_page()
    profile = WorkerProfile.objects.get(user=User.objects.find_by_phone(RIDER))
    log_in_with_password(
        admin,
        live_server.url,
        COUNTY_ADMIN,
        f"{prefix}/workers/staff/files/{profile.pk}/",
    )
    expect(admin.get_by_test_id("reason-form")).to_be_visible()
    admin.locator("[name=reason]").fill("骑手家属来电，核实紧急联系人")
    admin.get_by_test_id("open-sensitive").click()
    expect(admin.get_by_test_id("full-phone")).to_have_text(RIDER)
    screenshot(admin, f"{language}-file-admin-sensitive")
    entry = AuditEntry.objects.get(action=AuditAction.READ_SENSITIVE)
    assert entry.reason == "骑手家属来电，核实紧急联系人"
