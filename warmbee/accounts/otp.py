"""One-time codes by text message: sending with rate limits, and single-use checking.

Only keyed hashes of the number and the code are stored. Callers decide who may ask for
a code (registration or log-in rules live in the workers app); this module does not.
"""

import datetime as dt
import hmac
import logging
import re
import secrets

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from warmbee.accounts import errors
from warmbee.accounts.models import (
    MAINLAND_MOBILE_REGEX,
    normalise_phone,
    phone_lookup_hash,
)
from warmbee.accounts.sms import get_sms_backend
from warmbee.core.crypto import keyed_hash
from warmbee.workers.choices import CodePurpose
from warmbee.workers.models import MAX_CODE_ATTEMPTS, OneTimeCode

logger = logging.getLogger(__name__)

CODE_DIGITS = 6
CODE_LIFETIME = dt.timedelta(minutes=5)
RESEND_INTERVAL = dt.timedelta(seconds=60)
MAX_CODES_PER_PHONE_PER_HOUR = 5
MAX_CODES_PER_ADDRESS_PER_HOUR = 20


MAX_NUMBER_LOOKUPS_PER_ADDRESS_PER_HOUR = 30


def check_lookup_rate(ip_address: str | None) -> None:
    """Count a "is this number registered?" question from ``ip_address``; refuse past the limit.

    The code-request pages answer that question, so it is rate-limited before the lookup,
    not only when a code is sent.
    """
    if not ip_address:
        return
    key = f"otp:lookups:{ip_address}"
    cache.add(key, 0, timeout=3600)
    if cache.incr(key) > MAX_NUMBER_LOOKUPS_PER_ADDRESS_PER_HOUR:
        raise errors.TooManyCodesFromAddressError()


def check_mainland_mobile(raw: str) -> str:
    """Return the normalised number, or raise InvalidPhoneError."""
    phone = normalise_phone(raw)
    if not re.fullmatch(MAINLAND_MOBILE_REGEX, phone):
        raise errors.InvalidPhoneError()
    return phone


def _code_hash(phone_hash: str, purpose: str, code: str) -> str:
    return keyed_hash(f"otp:{phone_hash}:{purpose}:{code}")


def _check_rate_limits(
    phone_hash: str, ip_address: str | None, now: dt.datetime
) -> None:
    hour_ago = now - dt.timedelta(hours=1)
    recent = OneTimeCode.objects.filter(phone_hash=phone_hash, created_at__gt=hour_ago)
    last = recent.order_by("-created_at").first()
    if last is not None and last.created_at > now - RESEND_INTERVAL:
        wait_s = (last.created_at + RESEND_INTERVAL - now).total_seconds()
        raise errors.CodeRequestedTooSoonError(seconds=max(1, round(wait_s)))
    if recent.count() >= MAX_CODES_PER_PHONE_PER_HOUR:
        raise errors.TooManyCodesForPhoneError()
    if ip_address is not None:
        from_address = OneTimeCode.objects.filter(
            requested_from_ip=ip_address, created_at__gt=hour_ago
        )
        if from_address.count() >= MAX_CODES_PER_ADDRESS_PER_HOUR:
            raise errors.TooManyCodesFromAddressError()


def check_code_limits(
    phone: str, *, ip_address: str | None, now: dt.datetime | None = None
) -> None:
    """Raise the error ``send_one_time_code`` would give for ``phone`` now, sending
    nothing: for a step that texts two numbers and must not text one alone."""
    phone = check_mainland_mobile(phone)
    _check_rate_limits(phone_lookup_hash(phone), ip_address, now or timezone.now())


@transaction.atomic
def _create_code(
    *, phone_hash: str, purpose: CodePurpose, ip_address: str | None, now: dt.datetime
) -> tuple[OneTimeCode, str]:
    _check_rate_limits(phone_hash, ip_address, now)
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    one_time_code = OneTimeCode.objects.create(
        phone_hash=phone_hash,
        code_hash=_code_hash(phone_hash, purpose, code),
        purpose=purpose,
        created_at=now,
        expires_at=now + CODE_LIFETIME,
        requested_from_ip=ip_address,
    )
    return one_time_code, code


def _message(purpose: CodePurpose, code: str, minutes: int) -> tuple[str, str]:
    """Return the provider template name and the text of a code message."""
    params = {"code": code, "minutes": minutes}
    if purpose == CodePurpose.WALK_IN:
        # The one code a worker is meant to tell someone: the staff registering them.
        return "walk_in_code", gettext(
            "Warm Bee code: %(code)s. Give it to the station staff only if you agree "
            "to the Warm Bee privacy notice they showed you. It expires in "
            "%(minutes)s minutes."
        ) % params
    return "one_time_code", gettext(
        "Warm Bee code: %(code)s. It expires in %(minutes)s minutes. "
        "Never tell anyone this code."
    ) % params


def send_one_time_code(
    *,
    phone: str,
    purpose: CodePurpose,
    ip_address: str | None,
    now: dt.datetime | None = None,
) -> OneTimeCode:
    """Create a code for ``phone`` and text it; a newer code replaces older ones.

    Limits: one code per number per minute, five per number and twenty per address per
    hour; a refused request creates nothing. The message is sent after the code is
    committed and outside any transaction of this function, so a slow provider holds no
    lock; call it outside a transaction. If the provider fails, the code is removed and
    SmsNotSentError raised.
    """
    phone = check_mainland_mobile(phone)
    now = now or timezone.now()
    one_time_code, code = _create_code(
        phone_hash=phone_lookup_hash(phone),
        purpose=purpose,
        ip_address=ip_address,
        now=now,
    )
    minutes = int(CODE_LIFETIME.total_seconds() // 60)
    template, text = _message(purpose, code, minutes)
    try:
        get_sms_backend().send(
            phone,
            text,
            template=template,
            params={"code": code, "minutes": str(minutes)},
        )
    except Exception as error:
        logger.exception("SMS backend failed to send a one-time code")
        OneTimeCode.objects.filter(pk=one_time_code.pk).delete()
        raise errors.SmsNotSentError() from error
    return one_time_code


def _latest_usable_code(
    phone_hash: str, purpose: CodePurpose, now: dt.datetime
) -> OneTimeCode:
    """Return the newest code, row-locked, or raise why it cannot be used."""
    one_time_code = (
        OneTimeCode.objects.select_for_update()
        .filter(phone_hash=phone_hash, purpose=purpose)
        .order_by("-created_at", "-id")
        .first()
    )
    if one_time_code is None:
        raise errors.NoCodeSentError()
    if one_time_code.used_at is not None:
        raise errors.CodeAlreadyUsedError()
    if one_time_code.attempts >= MAX_CODE_ATTEMPTS:
        raise errors.TooManyWrongCodesError()
    if one_time_code.expires_at <= now:
        minutes = int(CODE_LIFETIME.total_seconds() // 60)
        raise errors.CodeExpiredError(minutes=minutes)
    return one_time_code


def verify_one_time_code(
    *, phone: str, code: str, purpose: CodePurpose, now: dt.datetime | None = None
) -> OneTimeCode:
    """Check ``code`` against the newest code sent to ``phone`` and use it up.

    A code works once, for five minutes, and dies after five wrong tries. A wrong try is
    committed before the error is raised, so call this outside a transaction that the
    error would roll back.
    """
    phone = check_mainland_mobile(phone)
    code = re.sub(r"\s", "", code or "")
    if not re.fullmatch(rf"[0-9]{{{CODE_DIGITS}}}", code):
        raise errors.MalformedCodeError()
    now = now or timezone.now()
    phone_hash = phone_lookup_hash(phone)
    with transaction.atomic():
        one_time_code = _latest_usable_code(phone_hash, purpose, now)
        given = _code_hash(phone_hash, purpose, code)
        if hmac.compare_digest(one_time_code.code_hash, given):
            one_time_code.used_at = now
            one_time_code.save(update_fields=["used_at"])
            return one_time_code
        one_time_code.attempts += 1
        one_time_code.save(update_fields=["attempts"])
    # Raised after the block so that the wrong try is counted, not rolled back.
    remaining = MAX_CODE_ATTEMPTS - one_time_code.attempts
    if remaining:
        raise errors.WrongCodeError(remaining=remaining)
    raise errors.TooManyWrongCodesError()
