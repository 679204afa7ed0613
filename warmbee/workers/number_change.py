"""Changing a worker's mobile number, on their own phone or at a station.

On their phone, a signed-in worker types the new number and the code texted to it: the
new number is confirmed at once. At a station (the old phone is lost, so the worker
cannot log in), staff who may open the file type the new number; it stays unconfirmed,
so nobody can log in with it, until the worker tells staff the code texted to it
(``walk_ins.confirm_phone``). Either way the change is audited, every other session of
the account ends (``User.get_session_auth_hash`` covers the number), and the old number
is told by text message, so a change the worker did not make does not go unnoticed.
"""

import datetime as dt
import logging

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext

from warmbee.accounts.models import User, mask_phone
from warmbee.accounts.otp import (
    check_lookup_rate,
    check_mainland_mobile,
    send_one_time_code,
    verify_one_time_code,
)
from warmbee.accounts.sms import get_sms_backend
from warmbee.core.audit import record_audit
from warmbee.core.clients import client_address
from warmbee.core.models import AuditAction
from warmbee.regions.models import Region
from warmbee.stations import errors as station_errors
from warmbee.stations.permissions import serves_at_a_station
from warmbee.workers import errors, permissions
from warmbee.workers.choices import CodePurpose
from warmbee.workers.models import WorkerProfile

logger = logging.getLogger(__name__)


def check_new_number(user: User, raw: str, request: HttpRequest | None) -> str:
    """Return the normalised new number, or raise why it cannot be the account's.

    Saying whether a number is registered is rate-limited per address, as on the
    registration page.
    """
    phone = check_mainland_mobile(raw)
    if phone == user.phone:
        raise errors.SameNumberError()
    check_lookup_rate(client_address(request))
    if User.objects.find_by_phone(phone) is not None:
        raise errors.PhoneAlreadyRegisteredError()
    return phone


def send_new_number_code(
    *, worker: User, new_phone: str, request: HttpRequest | None = None
) -> str:
    """Text a code to the number the signed-in worker wants; return it normalised."""
    phone = check_new_number(worker, new_phone, request)
    send_one_time_code(
        phone=phone, purpose=CodePurpose.NEW_NUMBER, ip_address=client_address(request)
    )
    return phone


def change_own_number(
    *,
    worker: User,
    new_phone: str,
    code: str,
    request: HttpRequest | None = None,
    now: dt.datetime | None = None,
) -> User:
    """Switch the worker to ``new_phone`` once the code texted to it is typed back.

    The code is checked outside the transaction, so a wrong try is counted.
    """
    now = now or timezone.now()
    phone = check_new_number(worker, new_phone, request)
    verify_one_time_code(
        phone=phone, code=code, purpose=CodePurpose.NEW_NUMBER, now=now
    )
    return _switch_number(
        user=worker, phone=phone, confirmed_at=now, actor=worker, request=request
    )


def change_number_at_station(
    *,
    staff: User,
    profile_id: int,
    new_phone: str,
    request: HttpRequest | None = None,
) -> WorkerProfile:
    """Give the file a new, unconfirmed number, typed by station staff with the worker.

    Only staff serving at a station who may open the file; the worker then confirms the
    number with a code at the station, as after a registration on a signature.
    """
    if not serves_at_a_station(staff):
        raise station_errors.NotStationStaffError()
    profile = permissions.list_visible_profiles(staff).filter(pk=profile_id).first()
    if profile is None:
        raise errors.WorkerFileNotFoundError()
    phone = check_new_number(profile.user, new_phone, request)
    _switch_number(
        user=profile.user,
        phone=phone,
        confirmed_at=None,
        actor=staff,
        request=request,
        county=permissions.audit_county(staff),
    )
    return profile


def _switch_number(
    *,
    user: User,
    phone: str,
    confirmed_at: dt.datetime | None,
    actor: User,
    request: HttpRequest | None,
    county: Region | None = None,
) -> User:
    old_phone = user.phone
    try:
        with transaction.atomic():
            user.phone = phone
            user.phone_confirmed_at = confirmed_at
            user.save(update_fields=["phone", "phone_confirmed_at"])
            record_audit(
                actor=actor,
                action=AuditAction.UPDATE,
                target=user,
                fields=["phone", "phone_confirmed_at"],
                request=request,
                county=county,
            )
    except IntegrityError as error:
        # Another account took the number meanwhile (the lookup hash is unique).
        user.phone = old_phone
        raise errors.PhoneAlreadyRegisteredError() from error
    _tell_old_number(old_phone, phone)
    return user


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
