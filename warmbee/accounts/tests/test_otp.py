import datetime as dt
import re

import pytest
from django.utils import timezone, translation

from warmbee.accounts import errors, sms
from warmbee.accounts.models import phone_lookup_hash
from warmbee.accounts.otp import (
    check_mainland_mobile,
    send_one_time_code,
    verify_one_time_code,
)
from warmbee.workers.choices import CodePurpose
from warmbee.workers.models import OneTimeCode

pytestmark = pytest.mark.django_db

PHONE = "13812345678"
ADDRESS = "203.0.113.7"
REGISTER = CodePurpose.REGISTER


@pytest.fixture(autouse=True)
def outbox(settings):
    settings.SMS_BACKEND = "warmbee.accounts.sms.LocmemSmsBackend"
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


@pytest.fixture
def now():
    return timezone.now()


def _send(now, phone=PHONE, address=ADDRESS, purpose=REGISTER):
    send_one_time_code(phone=phone, purpose=purpose, ip_address=address, now=now)
    return re.search(r"\b(\d{6})\b", sms.outbox[-1].text).group(1)


def _wrong(code):
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_sends_a_six_digit_code_and_stores_only_hashes(outbox, now):
    code = _send(now)
    row = OneTimeCode.objects.get()
    assert [message.phone for message in outbox] == [PHONE]
    assert outbox[0].params == {"code": code, "minutes": "5"}
    assert "5" in outbox[0].text
    assert row.phone_hash == phone_lookup_hash(PHONE)
    assert code not in row.code_hash
    assert PHONE not in row.phone_hash
    assert row.purpose == REGISTER
    assert row.expires_at - row.created_at == dt.timedelta(minutes=5)
    assert row.requested_from_ip == ADDRESS
    assert (row.attempts, row.used_at) == (0, None)


def test_message_is_in_the_active_language(outbox, now):
    with translation.override("en"):
        code = _send(now)
    assert outbox[0].text == (
        f"Warm Bee code: {code}. It expires in 5 minutes. Never tell anyone this code."
    )


def test_accepts_numbers_typed_with_spaces_and_country_code(outbox, now):
    _send(now, phone="+86 138-1234 5678")
    assert outbox[0].phone == PHONE
    assert OneTimeCode.objects.get().phone_hash == phone_lookup_hash(PHONE)


@pytest.mark.parametrize(
    "phone", ["", "1381234567", "138123456789", "23812345678", "12812345678", "abc"]
)
def test_refuses_a_malformed_number_and_sends_nothing(outbox, now, phone):
    with pytest.raises(errors.InvalidPhoneError):
        send_one_time_code(phone=phone, purpose=REGISTER, ip_address=ADDRESS, now=now)
    assert OneTimeCode.objects.count() == 0
    assert outbox == []


def test_invalid_number_error_speaks_plainly():
    with pytest.raises(errors.InvalidPhoneError) as raised:
        check_mainland_mobile("12345")
    with translation.override("en"):
        detail = raised.value.detail
    assert detail == (
        "Enter an 11-digit mainland China mobile number, for example 13812345678."
    )


def test_refuses_a_second_code_within_a_minute(outbox, now):
    _send(now)
    with pytest.raises(errors.CodeRequestedTooSoonError) as raised:
        _send(now + dt.timedelta(seconds=45))
    assert raised.value.params == {"seconds": 15}
    assert raised.value.status_code == 429
    assert OneTimeCode.objects.count() == 1
    assert len(outbox) == 1


def test_allows_a_new_code_after_a_minute(outbox, now):
    _send(now)
    _send(now + dt.timedelta(seconds=61))
    assert OneTimeCode.objects.count() == 2


def test_refuses_a_sixth_code_to_one_number_within_an_hour(outbox, now):
    for minute in range(5):
        _send(now + dt.timedelta(minutes=minute * 2))
    with pytest.raises(errors.TooManyCodesForPhoneError):
        _send(now + dt.timedelta(minutes=30))
    assert OneTimeCode.objects.count() == 5
    assert len(outbox) == 5


def test_counts_codes_for_one_number_over_the_last_hour_only(now):
    for minute in range(5):
        _send(now + dt.timedelta(minutes=minute * 2))
    _send(now + dt.timedelta(minutes=61))
    assert OneTimeCode.objects.count() == 6


def test_refuses_a_twenty_first_code_from_one_address_within_an_hour(outbox, now):
    for index in range(20):
        _send(now, phone=f"1390000{index:04d}")
    with pytest.raises(errors.TooManyCodesFromAddressError):
        _send(now, phone="13700000000")
    assert OneTimeCode.objects.count() == 20
    _send(now, phone="13700000000", address="198.51.100.1")
    assert OneTimeCode.objects.count() == 21


def test_removes_the_code_when_the_text_message_cannot_be_sent(settings, now):
    settings.SMS_BACKEND = "warmbee.accounts.sms.BaseSmsBackend"  # send() raises
    with pytest.raises(errors.SmsNotSentError):
        send_one_time_code(phone=PHONE, purpose=REGISTER, ip_address=ADDRESS, now=now)
    assert OneTimeCode.objects.count() == 0


def test_verifies_the_code_once(now):
    code = _send(now)
    verify_one_time_code(
        phone=PHONE, code=code, purpose=REGISTER, now=now + dt.timedelta(minutes=1)
    )
    row = OneTimeCode.objects.get()
    assert row.used_at == now + dt.timedelta(minutes=1)
    assert row.attempts == 0


def test_accepts_a_code_typed_with_spaces(now):
    code = _send(now)
    verify_one_time_code(
        phone=PHONE, code=f" {code[:3]} {code[3:]} ", purpose=REGISTER, now=now
    )
    assert OneTimeCode.objects.get().used_at == now


def test_refuses_a_reused_code(now):
    code = _send(now)
    verify_one_time_code(phone=PHONE, code=code, purpose=REGISTER, now=now)
    with pytest.raises(errors.CodeAlreadyUsedError):
        verify_one_time_code(phone=PHONE, code=code, purpose=REGISTER, now=now)
    row = OneTimeCode.objects.get()
    assert (row.used_at, row.attempts) == (now, 0)


def test_refuses_an_expired_code(now):
    code = _send(now)
    with pytest.raises(errors.CodeExpiredError) as raised:
        verify_one_time_code(
            phone=PHONE, code=code, purpose=REGISTER, now=now + dt.timedelta(minutes=5)
        )
    with translation.override("en"):
        detail = raised.value.detail
    assert detail == (
        "This code has expired (a code lasts 5 minutes). Ask for a new code."
    )
    assert OneTimeCode.objects.get().used_at is None


def test_counts_a_wrong_code_and_says_how_many_tries_are_left(now):
    code = _send(now)
    with pytest.raises(errors.WrongCodeError) as raised:
        verify_one_time_code(phone=PHONE, code=_wrong(code), purpose=REGISTER, now=now)
    assert raised.value.params == {"remaining": 4}
    row = OneTimeCode.objects.get()
    assert (row.attempts, row.used_at) == (1, None)


def test_five_wrong_codes_kill_the_code_even_for_the_right_sixth_try(now):
    code = _send(now)
    for _try in range(4):
        with pytest.raises(errors.WrongCodeError):
            verify_one_time_code(
                phone=PHONE, code=_wrong(code), purpose=REGISTER, now=now
            )
    with pytest.raises(errors.TooManyWrongCodesError):
        verify_one_time_code(phone=PHONE, code=_wrong(code), purpose=REGISTER, now=now)
    with pytest.raises(errors.TooManyWrongCodesError):
        verify_one_time_code(phone=PHONE, code=code, purpose=REGISTER, now=now)
    row = OneTimeCode.objects.get()
    assert (row.attempts, row.used_at) == (5, None)


def test_a_malformed_code_is_refused_without_counting_a_try(now):
    _send(now)
    with pytest.raises(errors.MalformedCodeError):
        verify_one_time_code(phone=PHONE, code="12a456", purpose=REGISTER, now=now)
    assert OneTimeCode.objects.get().attempts == 0


def test_refuses_when_no_code_was_sent(now):
    with pytest.raises(errors.NoCodeSentError):
        verify_one_time_code(phone=PHONE, code="123456", purpose=REGISTER, now=now)
    assert OneTimeCode.objects.count() == 0


def test_a_new_code_replaces_the_older_one(now):
    old_code = _send(now)
    new_code = _send(now + dt.timedelta(seconds=61))
    later = now + dt.timedelta(seconds=62)
    if old_code != new_code:
        with pytest.raises(errors.WrongCodeError):
            verify_one_time_code(
                phone=PHONE, code=old_code, purpose=REGISTER, now=later
            )
    verify_one_time_code(phone=PHONE, code=new_code, purpose=REGISTER, now=later)
    assert OneTimeCode.objects.filter(used_at=later).count() == 1


def test_a_code_works_only_for_its_purpose(now):
    code = _send(now, purpose=CodePurpose.LOGIN)
    with pytest.raises(errors.NoCodeSentError):
        verify_one_time_code(phone=PHONE, code=code, purpose=REGISTER, now=now)
    assert OneTimeCode.objects.get().used_at is None


def test_a_code_works_only_for_its_number(now):
    code = _send(now)
    with pytest.raises(errors.NoCodeSentError):
        verify_one_time_code(phone="13912345678", code=code, purpose=REGISTER, now=now)
    assert OneTimeCode.objects.get().attempts == 0
