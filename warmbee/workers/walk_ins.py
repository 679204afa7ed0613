"""Station staff register a walk-in worker: consent on the worker's phone or by signature.

With a code, the worker confirms the number and the consent on their own phone. With a
signature (no phone at hand, no signal), the number is taken as told and the consent is
the worker's signature, kept encrypted with the consent.
"""

import base64
import binascii
import datetime as dt
import io

import numpy as np
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from PIL import Image, UnidentifiedImageError

from warmbee.accounts.models import User
from warmbee.accounts.otp import (
    check_lookup_rate,
    check_mainland_mobile,
    send_one_time_code,
    verify_one_time_code,
)
from warmbee.core.audit import record_audit
from warmbee.core.clients import client_address
from warmbee.core.models import AuditAction
from warmbee.stations.permissions import serves_at_a_station
from warmbee.workers import errors, permissions, services
from warmbee.workers.choices import CodePurpose, ConsentChannel
from warmbee.workers.models import WorkerProfile

SIGNATURE_PREFIX = "data:image/png;base64,"
MAX_SIGNATURE_BYTES = 300 * 1024
MIN_INKED_PIXELS = 50
MAX_SIGNATURE_SIDE_PX = 2000
INK_LUMINANCE = 128


def _check_staff(staff: User) -> None:
    if not serves_at_a_station(staff):
        raise errors.WalkInNotAllowedError()


def start_walk_in(
    *, staff: User, phone: str, send_code: bool, request: HttpRequest
) -> None:
    """Check the number is new; text it a walk-in code when consent is given by phone.

    The walk-in message tells the worker to give the code to the staff only if they
    agree to the notice; every other code message says never to tell anyone.
    """
    _check_staff(staff)
    phone = check_mainland_mobile(phone)
    address = client_address(request)
    check_lookup_rate(address)
    if User.objects.find_by_phone(phone) is not None:
        raise errors.PhoneAlreadyRegisteredError()
    if send_code:
        send_one_time_code(phone=phone, purpose=CodePurpose.WALK_IN, ip_address=address)


def register_walk_in_by_code(
    *,
    staff: User,
    phone: str,
    code: str,
    details: services.WorkerDetails,
    general_notice_version: int | None,
    health_notice_version: int | None,
    request: HttpRequest | None = None,
) -> WorkerProfile:
    """Register the worker once the code from their phone checks."""
    _check_staff(staff)
    return services.register_worker(
        phone=phone,
        code=code,
        details=details,
        general_notice_version=general_notice_version,
        health_notice_version=health_notice_version,
        channel=ConsentChannel.STAFF_CONFIRMED_ON_WORKER_PHONE,
        registered_by=staff,
        code_purpose=CodePurpose.WALK_IN,
        request=request,
    )


def register_walk_in(
    *,
    staff: User,
    phone: str,
    by_signature: bool,
    details: services.WorkerDetails,
    general_notice_version: int | None,
    health_notice_version: int | None,
    code: str = "",
    signature_data_url: str = "",
    request: HttpRequest | None = None,
) -> WorkerProfile:
    """Register the worker on their signature, or on the code from their phone."""
    if by_signature:
        return register_walk_in_by_signature(
            staff=staff,
            phone=phone,
            details=details,
            general_notice_version=general_notice_version,
            health_notice_version=health_notice_version,
            signature_data_url=signature_data_url,
            request=request,
        )
    return register_walk_in_by_code(
        staff=staff,
        phone=phone,
        code=code,
        details=details,
        general_notice_version=general_notice_version,
        health_notice_version=health_notice_version,
        request=request,
    )


def check_signature(data_url: str) -> str:
    """Return the base64 PNG of a drawn signature, refusing anything else or a blank pad."""
    if not data_url.startswith(SIGNATURE_PREFIX):
        raise errors.InvalidSignatureError()
    encoded = data_url.removeprefix(SIGNATURE_PREFIX)
    try:
        raw = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise errors.InvalidSignatureError() from None
    if len(raw) > MAX_SIGNATURE_BYTES:
        raise errors.InvalidSignatureError()
    try:
        with Image.open(io.BytesIO(raw)) as image:
            if image.format != "PNG" or max(image.size) > MAX_SIGNATURE_SIDE_PX:
                raise errors.InvalidSignatureError()
            pixels = np.asarray(image.convert("LA"))
    except (UnidentifiedImageError, OSError):
        raise errors.InvalidSignatureError() from None
    # Ink: dark pixels that are not transparent (the pad's background is either).
    inked = int(((pixels[..., 1] > 0) & (pixels[..., 0] < INK_LUMINANCE)).sum())
    if inked < MIN_INKED_PIXELS:
        raise errors.InvalidSignatureError()
    return encoded


def register_walk_in_by_signature(
    *,
    staff: User,
    phone: str,
    details: services.WorkerDetails,
    general_notice_version: int | None,
    health_notice_version: int | None,
    signature_data_url: str,
    request: HttpRequest | None = None,
    now: dt.datetime | None = None,
) -> WorkerProfile:
    """Register the worker on their signature; the number is not confirmed by a code."""
    _check_staff(staff)
    now = now or timezone.now()
    phone, notices, profile = services.prepare_registration(
        phone=phone,
        details=details,
        general_notice_version=general_notice_version,
        health_notice_version=health_notice_version,
        registered_by=staff,
        now=now,
    )
    signature_png = check_signature(signature_data_url)
    return services.create_worker_account(
        phone=phone,
        profile=profile,
        details=details,
        notices=notices,
        channel=ConsentChannel.STAFF_SIGNATURE,
        request=request,
        now=now,
        phone_is_confirmed=False,
        signature_png=signature_png,
    )


def _unconfirmed_profile(staff: User, profile_id: int) -> WorkerProfile:
    _check_staff(staff)
    profile = permissions.list_visible_profiles(staff).filter(pk=profile_id).first()
    if profile is None:
        raise errors.WorkerFileNotFoundError()
    if profile.user.phone_confirmed_at is not None:
        raise errors.PhoneAlreadyConfirmedError()
    return profile


def send_confirmation_code(
    *, staff: User, profile_id: int, request: HttpRequest
) -> None:
    """Text a walk-in code to the unconfirmed number of a file registered on a signature."""
    profile = _unconfirmed_profile(staff, profile_id)
    send_one_time_code(
        phone=profile.user.phone,
        purpose=CodePurpose.WALK_IN,
        ip_address=client_address(request),
    )


def confirm_phone(
    *,
    staff: User,
    profile_id: int,
    code: str,
    request: HttpRequest | None = None,
    now: dt.datetime | None = None,
) -> WorkerProfile:
    """Mark the number confirmed once the worker, at the station, tells the code back.

    The code is checked outside the transaction, so a wrong try is counted.
    """
    profile = _unconfirmed_profile(staff, profile_id)
    now = now or timezone.now()
    user = profile.user
    verify_one_time_code(
        phone=user.phone, code=code, purpose=CodePurpose.WALK_IN, now=now
    )
    with transaction.atomic():
        user.phone_confirmed_at = now
        user.save(update_fields=["phone_confirmed_at"])
        record_audit(
            actor=staff,
            action=AuditAction.UPDATE,
            target=user,
            fields=["phone_confirmed_at"],
            request=request,
            county=permissions.audit_county(staff),
        )
    return profile
