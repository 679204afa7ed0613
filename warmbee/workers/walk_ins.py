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
from django.http import HttpRequest
from django.utils import timezone
from PIL import Image, UnidentifiedImageError

from warmbee.accounts.models import User
from warmbee.accounts.otp import check_lookup_rate, check_mainland_mobile
from warmbee.core.clients import client_address
from warmbee.stations.permissions import is_station_manager
from warmbee.workers import errors, services
from warmbee.workers.choices import ConsentChannel
from warmbee.workers.models import WorkerProfile

SIGNATURE_PREFIX = "data:image/png;base64,"
MAX_SIGNATURE_BYTES = 300 * 1024
MIN_INKED_PIXELS = 50
MAX_SIGNATURE_SIDE_PX = 2000
INK_LUMINANCE = 128


def _check_staff(staff: User) -> None:
    if not is_station_manager(staff):
        raise errors.WalkInNotAllowedError()


def start_walk_in(
    *, staff: User, phone: str, send_code: bool, request: HttpRequest
) -> None:
    """Check the number is new; text it a code when consent is to be given by phone."""
    _check_staff(staff)
    if send_code:
        services.request_registration_code(
            phone=phone, ip_address=client_address(request)
        )
        return
    phone = check_mainland_mobile(phone)
    check_lookup_rate(client_address(request))
    if User.objects.find_by_phone(phone) is not None:
        raise errors.PhoneAlreadyRegisteredError()


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
        signature_png=signature_png,
    )
