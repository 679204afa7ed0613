"""A rider registers on the phone with a texted code, gives consent and gets a QR card."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import screenshot
from warmbee.accounts import sms
from warmbee.accounts.models import User
from warmbee.workers.models import Consent, WorkerProfile

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_worker_registers_with_a_code_gives_consent_and_sees_the_card(
    page: Page, live_server, prefix
):
    language = "en" if prefix else "zh"
    page.goto(f"{live_server.url}{prefix}/workers/register/")
    page.locator("[name=phone]").fill("13812345678")
    page.get_by_test_id("send-code").click()
    expect(page.get_by_test_id("register-form")).to_be_visible()
    [message] = sms.outbox
    code = re.search(r"\b(\d{6})\b", message.text).group(1)
    screenshot(page, f"{language}-register-1-code")

    page.locator("[name=code]").fill(code)
    page.locator("[name=name]").fill("王师傅")
    page.locator("[name=occupation]").first.check()
    page.locator("[name=general_consent]").check()
    page.get_by_test_id("register-submit").click()
    expect(page.get_by_test_id("worker-card")).to_be_visible()
    expect(page.get_by_test_id("worker-card").locator("img")).to_be_visible()
    screenshot(page, f"{language}-register-2-card")

    worker = User.objects.get_by_natural_key("13812345678")
    assert worker.role == "worker"
    assert WorkerProfile.objects.get(user=worker).name == "王师傅"
    assert Consent.objects.filter(worker=worker, withdrawn_at__isnull=True).count() == 1
