"""A rider changes their mobile number on the phone, with a code from each number, and
logs in with the new one."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import screenshot
from tests.browser.test_worker_file import RIDER, log_in_with_code
from warmbee.accounts import sms
from warmbee.accounts.models import User
from warmbee.devtools.demo import load_demo
from warmbee.workers.models import OneTimeCode

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW = "13911112222"


def code_sent_to(phone: str) -> str:
    text = [message.text for message in sms.outbox if message.phone == phone][-1]
    return re.search(r"\b(\d{6})\b", text).group(1)


def test_rider_changes_their_number_and_logs_in_with_the_new_one(
    page: Page, live_server
):
    load_demo(visits=0)
    base = live_server.url
    log_in_with_code(page, base, RIDER)
    # The page refuses to text a number that had a code less than a minute ago (the
    # log-in code): play the rider coming back a few minutes later.
    OneTimeCode.objects.all().delete()

    page.goto(f"{base}/workers/me/")
    page.get_by_test_id("change-number-link").first.click()
    page.locator("[name=phone]").fill(NEW)
    page.get_by_test_id("send-number-codes").click()
    expect(page.get_by_test_id("number-codes-form")).to_be_visible()
    page.locator("[name=new_code]").fill(code_sent_to(NEW))
    page.locator("[name=current_code]").fill(code_sent_to(RIDER))
    screenshot(page, "zh-number-1-codes")
    page.get_by_test_id("confirm-new-number").click()
    expect(page.locator(".messages li").first).to_contain_text("手机号已更换")
    screenshot(page, "zh-number-2-changed")
    assert User.objects.find_by_phone(NEW) is not None
    assert User.objects.find_by_phone(RIDER) is None
    assert sms.outbox[-1].phone == RIDER  # told of the change

    page.context.clear_cookies()
    OneTimeCode.objects.all().delete()  # later again: the new number may get a code
    log_in_with_code(page, base, NEW)
