"""Writes of the worker file: codes for registration and log-in, registering, consent.

Every change is written to the audit log. Codes are checked before the registration
transaction starts, so a wrong code is counted even though the registration is refused.
"""

import datetime as dt
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from warmbee.accounts.models import MAINLAND_MOBILE_REGEX, Role, User
from warmbee.accounts.otp import (
    check_lookup_rate,
    check_mainland_mobile,
    send_one_time_code,
    verify_one_time_code,
)
from warmbee.core.audit import record_audit
from warmbee.core.models import AuditAction
from warmbee.regions.models import Region, RegionLevel
from warmbee.workers import errors
from warmbee.workers.choices import CodePurpose, ConsentChannel, NoticeKind
from warmbee.workers.identity import check_id_number, id_number_lookup_hash
from warmbee.workers.models import Consent, OneTimeCode, PrivacyNotice, WorkerProfile
from warmbee.workers.permissions import audit_county
from warmbee.workers.selectors import find_current_notice

LANDLINE_REGEX = r"^0[1-9][0-9]{8,10}$"


@dataclass(frozen=True)
class WorkerDetails:
    """What a worker tells about themselves when registering."""

    name: str
    occupation: str
    platform: str
    vehicle: str
    work_communities: Sequence[Region] = ()
    emergency_contact_name: str = ""
    emergency_contact_phone: str = ""
    id_number: str = ""


def request_registration_code(
    *, phone: str, ip_address: str | None, now: dt.datetime | None = None
) -> OneTimeCode:
    """Text a registration code to ``phone``, unless the number is already registered."""
    phone = check_mainland_mobile(phone)
    check_lookup_rate(ip_address)
    if User.objects.find_by_phone(phone) is not None:
        raise errors.PhoneAlreadyRegisteredError()
    return send_one_time_code(
        phone=phone, purpose=CodePurpose.REGISTER, ip_address=ip_address, now=now
    )


def _registered_worker(phone: str) -> User:
    user = User.objects.find_by_phone(phone)
    if user is None or not user.is_active:
        raise errors.PhoneNotRegisteredError()
    if user.role != Role.WORKER:
        raise errors.NotWorkerAccountError()
    if user.phone_confirmed_at is None:
        raise errors.PhoneNotConfirmedError()
    return user


def request_login_code(
    *, phone: str, ip_address: str | None, now: dt.datetime | None = None
) -> OneTimeCode:
    """Text a log-in code to a registered worker's number."""
    phone = check_mainland_mobile(phone)
    check_lookup_rate(ip_address)
    _registered_worker(phone)
    return send_one_time_code(
        phone=phone, purpose=CodePurpose.LOGIN, ip_address=ip_address, now=now
    )


def check_login_code(
    *,
    phone: str,
    code: str,
    request: HttpRequest | None = None,
    now: dt.datetime | None = None,
) -> User:
    """Return the worker whose number and code match; the caller logs them in."""
    phone = check_mainland_mobile(phone)
    user = _registered_worker(phone)
    verify_one_time_code(phone=phone, code=code, purpose=CodePurpose.LOGIN, now=now)
    record_audit(actor=user, action=AuditAction.LOGIN, target=user, request=request)
    return user


def check_contact_phone(raw: str) -> str:
    phone = re.sub(r"[\s\-()]", "", raw)
    if phone and not (
        re.fullmatch(MAINLAND_MOBILE_REGEX, phone)
        or re.fullmatch(LANDLINE_REGEX, phone)
    ):
        raise errors.InvalidContactPhoneError()
    return phone


def _consented_notice(
    kind: NoticeKind, version: int, now: dt.datetime
) -> PrivacyNotice:
    notice = find_current_notice(kind, now=now)
    if notice is None or notice.version != version:
        raise errors.NoticeChangedError()
    return notice


def _new_profile(details: WorkerDetails, registered_by: User | None) -> WorkerProfile:
    if any(
        region.level != RegionLevel.COMMUNITY for region in details.work_communities
    ):
        raise errors.NotACommunityError()
    profile = WorkerProfile(
        name=details.name.strip(),
        occupation=details.occupation,
        platform=details.platform,
        vehicle=details.vehicle,
        emergency_contact_name=details.emergency_contact_name.strip(),
        emergency_contact_phone=check_contact_phone(details.emergency_contact_phone),
        card_code=secrets.token_urlsafe(12),
        registered_by=registered_by,
    )
    profile.id_number = check_id_number(details.id_number)
    profile.id_number_hash = id_number_lookup_hash(profile.id_number)
    profile.full_clean(exclude=["user"])
    return profile


def register_worker(
    *,
    phone: str,
    code: str,
    details: WorkerDetails,
    general_notice_version: int | None,
    health_notice_version: int | None = None,
    location_notice_version: int | None = None,
    channel: ConsentChannel = ConsentChannel.PHONE,
    registered_by: User | None = None,
    code_purpose: CodePurpose = CodePurpose.REGISTER,
    request: HttpRequest | None = None,
    now: dt.datetime | None = None,
) -> WorkerProfile:
    """Create a worker's account, file and consents once the code from their phone checks.

    ``general_notice_version`` is the version of the privacy notice the worker agreed
    to (None: not agreed, which refuses); ``health_notice_version`` and
    ``location_notice_version`` likewise for the separate health and location consents
    (None: not given). Everything is checked before the code
    is used up; a refusal changes nothing but the count of wrong code tries.
    """
    now = now or timezone.now()
    phone, notices, profile = prepare_registration(
        phone=phone,
        details=details,
        general_notice_version=general_notice_version,
        health_notice_version=health_notice_version,
        location_notice_version=location_notice_version,
        registered_by=registered_by,
        now=now,
    )
    verify_one_time_code(phone=phone, code=code, purpose=code_purpose, now=now)
    return create_worker_account(
        phone=phone,
        profile=profile,
        details=details,
        notices=notices,
        channel=channel,
        request=request,
        now=now,
        phone_is_confirmed=True,
    )


def prepare_registration(
    *,
    phone: str,
    details: WorkerDetails,
    general_notice_version: int | None,
    health_notice_version: int | None,
    registered_by: User | None,
    now: dt.datetime,
    location_notice_version: int | None = None,
) -> tuple[str, list[PrivacyNotice], WorkerProfile]:
    """Check everything a registration needs; return the number, notices and new file."""
    phone = check_mainland_mobile(phone)
    if User.objects.find_by_phone(phone) is not None:
        raise errors.PhoneAlreadyRegisteredError()
    if general_notice_version is None:
        raise errors.ConsentRequiredError()
    notices = [_consented_notice(NoticeKind.GENERAL, general_notice_version, now)]
    if health_notice_version is not None:
        notices.append(_consented_notice(NoticeKind.HEALTH, health_notice_version, now))
    if location_notice_version is not None:
        notices.append(
            _consented_notice(NoticeKind.LOCATION, location_notice_version, now)
        )
    return phone, notices, _new_profile(details, registered_by)


def create_worker_account(
    *,
    phone: str,
    profile: WorkerProfile,
    details: WorkerDetails,
    notices: list[PrivacyNotice],
    channel: ConsentChannel,
    request: HttpRequest | None,
    now: dt.datetime,
    phone_is_confirmed: bool,
    signature_png: str = "",
) -> WorkerProfile:
    """Save a checked registration: account, file, consents and audit entries at once.

    ``phone_is_confirmed``: a code sent to the number was typed back; without it the
    number cannot log in until staff confirm it (see ``walk_ins.confirm_phone``).
    """
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                phone,
                None,
                role=Role.WORKER,
                display_name=profile.name,
                phone_confirmed_at=now if phone_is_confirmed else None,
            )
            profile.user = user
            profile.registered_at = now
            profile.save()
            profile.work_communities.set(details.work_communities)
            consents = [
                Consent.objects.create(
                    worker=user,
                    notice=notice,
                    granted_at=now,
                    channel=channel,
                    signature_png=signature_png,
                )
                for notice in notices
            ]
            # In the same transaction: no account without its audit entries.
            _audit_registration(user, profile, consents, profile.registered_by, request)
    except (IntegrityError, ValidationError):
        # A registration of the same number at the same moment won the race.
        if User.objects.find_by_phone(phone) is not None:
            raise errors.PhoneAlreadyRegisteredError() from None
        raise
    return profile


def _audit_registration(
    user: User,
    profile: WorkerProfile,
    consents: list[Consent],
    registered_by: User | None,
    request: HttpRequest | None,
) -> None:
    actor = registered_by or user
    county = audit_county(registered_by)
    record_audit(
        actor=actor,
        action=AuditAction.CREATE,
        target=user,
        fields=["phone", "role"],
        request=request,
        county=county,
    )
    filled = [
        name
        for name in (
            "name",
            "occupation",
            "platform",
            "vehicle",
            "emergency_contact_name",
            "emergency_contact_phone",
            "id_number",
        )
        if getattr(profile, name)
    ]
    if profile.work_communities.exists():
        filled.append("work_communities")
    record_audit(
        actor=actor,
        action=AuditAction.CREATE,
        target=profile,
        fields=filled,
        request=request,
        county=county,
    )
    for consent in consents:
        record_audit(
            actor=actor,
            action=AuditAction.CONSENT,
            target=consent,
            fields=["granted_at"],
            request=request,
            county=county,
        )


@transaction.atomic
def grant_consent(
    *,
    worker: User,
    kind: NoticeKind,
    notice_version: int,
    channel: ConsentChannel = ConsentChannel.PHONE,
    request: HttpRequest | None = None,
    now: dt.datetime | None = None,
) -> Consent:
    """Record consent to the current version of ``kind``; consenting twice adds nothing."""
    now = now or timezone.now()
    notice = _consented_notice(kind, notice_version, now)
    existing = Consent.objects.filter(
        worker=worker, notice=notice, withdrawn_at__isnull=True
    ).first()
    if existing is not None:
        return existing
    consent = Consent.objects.create(
        worker=worker, notice=notice, granted_at=now, channel=channel
    )
    record_audit(
        actor=worker,
        action=AuditAction.CONSENT,
        target=consent,
        fields=["granted_at"],
        request=request,
    )
    return consent


@transaction.atomic
def withdraw_consent(
    *,
    worker: User,
    kind: NoticeKind,
    request: HttpRequest | None = None,
    now: dt.datetime | None = None,
) -> list[Consent]:
    """Withdraw every standing consent of ``kind`` (any version) at once.

    What depends on the consent stops because every use checks ``has_consent``:
    without the general consent the card and the file features no longer work;
    without the health consent no health record can be made.
    """
    now = now or timezone.now()
    consents = list(
        Consent.objects.select_for_update()
        .filter(worker=worker, notice__kind=kind, withdrawn_at__isnull=True)
        .order_by("pk")
    )
    if not consents:
        raise errors.NoActiveConsentError()
    for consent in consents:
        consent.withdrawn_at = now
        consent.save(update_fields=["withdrawn_at"])
        record_audit(
            actor=worker,
            action=AuditAction.CONSENT,
            target=consent,
            fields=["withdrawn_at"],
            request=request,
        )
    return consents
