"""Changing a worker's mobile number on their own phone.

The signed-in worker types the new number; a code goes to it and another to the current
number, and both must be typed back. So a phone left logged in (a borrowed phone, a
shared tablet) is not enough to move the account, and the new number is proven. The
change is audited, the old number's codes and failed log-ins are erased, every other
session ends, and the old number is told by text message.

There is deliberately no way for staff to set a number: whoever types it could confirm
a number of their own and take the account. A worker whose old number is gone gets a
replacement SIM for it from the carrier, or registers the new number and asks the
county to merge the two files (``merging``).
"""

import datetime as dt
import logging

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext

from warmbee.accounts.models import User, mask_phone
from warmbee.accounts.otp import (
    check_code_limits,
    check_lookup_rate,
    check_mainland_mobile,
    send_one_time_code,
    verify_one_time_code,
)
from warmbee.accounts.sms import get_sms_backend
from warmbee.core.audit import record_audit
from warmbee.core.clients import client_address
from warmbee.core.models import AuditAction
from warmbee.workers import errors
from warmbee.workers.choices import CodePurpose
from warmbee.workers.rights import erase_number_traces

logger = logging.getLogger(__name__)


def check_new_number(worker: User, raw: str, request: HttpRequest | None) -> str:
    """Return the normalised new number, or raise why it cannot be the account's.

    Saying whether a number is registered is rate-limited per address, as on the
    registration page.
    """
    phone = check_mainland_mobile(raw)
    if phone == worker.phone:
        raise errors.SameNumberError()
    check_lookup_rate(client_address(request))
    if User.objects.find_by_phone(phone) is not None:
        raise errors.PhoneAlreadyRegisteredError()
    return phone


def send_number_change_codes(
    *, worker: User, new_phone: str, request: HttpRequest | None = None
) -> str:
    """Text a code to the new number and one to the current number; return the new one.

    Both numbers' limits are checked before either is texted, so a refusal (a code
    sent less than a minute ago, say right after logging in) texts neither.
    """
    phone = check_new_number(worker, new_phone, request)
    address = client_address(request)
    for number in (phone, worker.phone):
        check_code_limits(number, ip_address=address)
    send_one_time_code(phone=phone, purpose=CodePurpose.NEW_NUMBER, ip_address=address)
    send_one_time_code(
        phone=worker.phone, purpose=CodePurpose.NEW_NUMBER, ip_address=address
    )
    return phone


def change_own_number(
    *,
    worker: User,
    new_phone: str,
    new_code: str,
    current_code: str,
    request: HttpRequest | None = None,
    now: dt.datetime | None = None,
) -> User:
    """Switch the worker to ``new_phone`` once both codes are typed back.

    The codes are checked outside the transaction, so wrong tries are counted.
    """
    now = now or timezone.now()
    phone = check_new_number(worker, new_phone, request)
    verify_one_time_code(
        phone=worker.phone, code=current_code, purpose=CodePurpose.NEW_NUMBER, now=now
    )
    verify_one_time_code(
        phone=phone, code=new_code, purpose=CodePurpose.NEW_NUMBER, now=now
    )
    old_phone, old_hash = worker.phone, worker.phone_hash
    try:
        with transaction.atomic():
            worker.phone = phone
            worker.phone_confirmed_at = now
            # A new random unusable password ends every session of the account, even if
            # the number later changes back; a usable password (staff, demo accounts)
            # is left alone.
            if not worker.has_usable_password():
                worker.set_unusable_password()
            worker.save(update_fields=["phone", "phone_confirmed_at", "password"])
            record_audit(
                actor=worker,
                action=AuditAction.UPDATE,
                target=worker,
                fields=["phone", "phone_confirmed_at"],
                request=request,
            )
            erase_number_traces(old_hash)
    except IntegrityError as error:
        # Another account took the number meanwhile (the lookup hash is unique).
        worker.refresh_from_db()
        raise errors.PhoneAlreadyRegisteredError() from error
    _tell_old_number(old_phone, phone)
    return worker


def _tell_old_number(old_phone: str, new_phone: str) -> None:
    """Text the old number that the account moved; a failure is logged, not raised.

    The change is made and audited either way; the old number may be out of service.
    """
    masked = mask_phone(new_phone)
    text = gettext(
        "Warm Bee: the number of your account was changed to %(number)s. If you did "
        "not ask for this, tell the staff at any station."
    ) % {"number": masked}
    try:
        get_sms_backend().send(
            old_phone, text, template="number_changed", params={"number": masked}
        )
    except Exception:
        logger.exception("SMS backend failed to tell the old number of a change")
