"""A worker's rights over their file: export it, correct it, delete it (anonymise).

Deletion anonymises rather than removes: visits stay as anonymous counts, consent rows
stay as the record of what was agreed, and the audit log keeps its entries. Everything
that identifies the person (name, numbers, ID, contacts, work area, card) is erased.
"""

import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.db import transaction
from django.db.models import F, QuerySet, Value
from django.db.models.functions import Greatest
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext

from warmbee.accounts.models import User
from warmbee.core.audit import record_audit
from warmbee.core.models import AuditAction, AuditEntry
from warmbee.regions.models import Region, RegionLevel
from warmbee.reports.models import Report
from warmbee.reports.selectors import list_my_reports
from warmbee.reports.services import detach_reports
from warmbee.visits.models import Visit
from warmbee.visits.selectors import list_worker_visits
from warmbee.workers import errors
from warmbee.workers.identity import check_id_number, id_number_lookup_hash
from warmbee.workers.models import Consent, OneTimeCode, WorkerProfile
from warmbee.workers.selectors import get_worker_profile, list_consents
from warmbee.workers.services import check_contact_phone

EXPORT_FORMAT_VERSION = 1
DELETE_CONFIRMATION_WORD = "DELETE"


def deletion_confirmation_word() -> str:
    """Return the word a worker types to confirm deletion, in the active language."""
    return gettext("DELETE")


@dataclass(frozen=True)
class DetailCorrection:
    """What a worker may correct themselves (the number changes through a new code)."""

    name: str
    occupation: str
    platform: str
    vehicle: str
    work_communities: Sequence[Region]
    emergency_contact_name: str
    emergency_contact_phone: str
    id_number: str


def _apply(profile: WorkerProfile, correction: DetailCorrection) -> list[str]:
    if any(r.level != RegionLevel.COMMUNITY for r in correction.work_communities):
        raise errors.NotACommunityError()
    new_values = {
        "name": correction.name.strip(),
        "occupation": correction.occupation,
        "platform": correction.platform,
        "vehicle": correction.vehicle,
        "emergency_contact_name": correction.emergency_contact_name.strip(),
        "emergency_contact_phone": check_contact_phone(
            correction.emergency_contact_phone
        ),
        "id_number": check_id_number(correction.id_number),
    }
    changed = [
        name for name, value in new_values.items() if getattr(profile, name) != value
    ]
    for name, value in new_values.items():
        setattr(profile, name, value)
    profile.id_number_hash = id_number_lookup_hash(profile.id_number)
    return changed


def _lock_own_file(worker: User) -> WorkerProfile:
    profile = (
        WorkerProfile.objects.select_for_update()
        .filter(user=worker, anonymised_at__isnull=True, merged_into__isnull=True)
        .first()
    )
    if profile is None:
        raise errors.WorkerProfileNotFoundError()
    return profile


@transaction.atomic
def correct_my_details(
    *, worker: User, correction: DetailCorrection, request: HttpRequest | None = None
) -> WorkerProfile:
    """Save the worker's corrections and log which fields changed (not their values).

    The file is locked and only the changed fields are written, so a deletion, retention
    run or merge committing meanwhile is never undone by a stale copy.
    """
    profile = _lock_own_file(worker)
    changed = _apply(profile, correction)
    profile.full_clean(exclude=["user", "merged_into", "registered_by"])
    new_areas = {region.pk for region in correction.work_communities}
    if new_areas != {region.pk for region in profile.work_communities.all()}:
        profile.work_communities.set(correction.work_communities)
        changed.append("work_communities")
    if not changed:
        return profile
    columns = [name for name in changed if name != "work_communities"]
    profile.save(update_fields=[*columns, "id_number_hash"])
    if "name" in changed:
        worker.display_name = profile.name
        worker.save(update_fields=["display_name"])
    record_audit(
        actor=worker,
        action=AuditAction.UPDATE,
        target=profile,
        fields=changed,
        request=request,
    )
    return profile


def _when(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _export_consents(worker: User) -> list[dict[str, Any]]:
    return [
        {
            "notice": consent.notice.kind,
            "notice_version": consent.notice.version,
            "given_at": _when(consent.granted_at),
            "withdrawn_at": _when(consent.withdrawn_at),
            "channel": consent.channel,
            "signature_kept": bool(consent.signature_png),
        }
        for consent in list_consents(worker)
    ]


def _export_visits(worker: User) -> list[dict[str, Any]]:
    return [
        {
            "station": visit.station.name,
            "visited_at": _when(visit.visited_at),
            "channel": visit.channel,
            "services": [amenity.code for amenity in visit.services.all()],
        }
        for visit in list_worker_visits(worker.pk)
    ]


def _export_reports(worker: User) -> list[dict[str, Any]]:
    return [
        {
            "reference": report.reference,
            "category": report.category,
            "description": report.description,
            "place_note": report.place_note,
            "lat_deg": report.lat_deg,
            "lon_deg": report.lon_deg,
            "sent_at": _when(report.created_at),
            "status": report.status,
            "department": report.department.name if report.department else None,
            "photos": report.photos.count(),
        }
        for report in list_my_reports(worker)
    ]


def _export_access_log(profile: WorkerProfile) -> list[dict[str, Any]]:
    return [
        {
            "at": _when(entry.at),
            "action": entry.action,
            "by": entry.actor_label,
            "by_you": entry.actor_id == profile.user_id,
            "fields": entry.fields,
            "reason": entry.reason,
        }
        for entry in _access_log(profile)
    ]


def build_export_document(profile: WorkerProfile) -> dict[str, Any]:
    """Return everything kept about the worker, as a JSON-ready document."""
    worker = profile.user
    return {
        "format": "warmbee-worker-export",
        "format_version": EXPORT_FORMAT_VERSION,
        "exported_at": _when(timezone.now()),
        "account": {
            "phone": worker.phone,
            "joined_at": _when(worker.date_joined),
            "last_login_at": _when(worker.last_login),
        },
        "file": {
            "name": profile.name,
            "occupation": profile.occupation,
            "platform": profile.platform,
            "vehicle": profile.vehicle,
            "work_communities": [
                {"code": region.code, "name": region.name}
                for region in profile.work_communities.all()
            ],
            "emergency_contact_name": profile.emergency_contact_name,
            "emergency_contact_phone": profile.emergency_contact_phone,
            "id_number": profile.id_number,
            "registered_at": _when(profile.registered_at),
            "registered_by_staff": profile.registered_by_id is not None,
        },
        "consents": _export_consents(worker),
        "visits": _export_visits(worker),
        "reports": _export_reports(worker),
        "access_log": _export_access_log(profile),
    }


@dataclass(frozen=True)
class MyData:
    """Everything kept about a worker, as the readable export page shows it."""

    profile: WorkerProfile
    consents: QuerySet[Consent]
    visits: QuerySet[Visit]
    reports: QuerySet[Report]
    access_log: QuerySet[AuditEntry]


def _access_log(profile: WorkerProfile) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(
        target_type__in=["accounts.user", "workers.workerprofile"],
        target_id__in=[str(profile.user_id), str(profile.pk)],
    ).order_by("at", "id")


@transaction.atomic
def open_my_data(*, worker: User, request: HttpRequest | None = None) -> MyData:
    """Return the worker's data for the readable export page and log that it was read."""
    profile = get_worker_profile(worker)
    record_audit(
        actor=worker, action=AuditAction.EXPORT, target=profile, request=request
    )
    return MyData(
        profile=profile,
        consents=list_consents(worker),
        visits=list_worker_visits(worker.pk),
        reports=list_my_reports(worker),
        access_log=_access_log(profile),
    )


@transaction.atomic
def export_my_data(
    *, worker: User, request: HttpRequest | None = None
) -> dict[str, Any]:
    """Return the worker's export document and log that it was taken."""
    profile = get_worker_profile(worker)
    record_audit(
        actor=worker, action=AuditAction.EXPORT, target=profile, request=request
    )
    return build_export_document(profile)


def erase_number_traces(phone_hash: str) -> None:
    """Erase what is kept under a number's keyed hash: codes and failed log-ins.

    For a deleted account, and for the number an account moved away from.
    """
    OneTimeCode.objects.filter(phone_hash=phone_hash).delete()
    for log in (AccessAttempt, AccessFailureLog, AccessLog):
        log.objects.filter(username=phone_hash[:32]).delete()


@transaction.atomic
def anonymise_worker(
    *,
    profile: WorkerProfile,
    actor: User | None,
    reason: str,
    request: HttpRequest | None = None,
    now: dt.datetime | None = None,
) -> WorkerProfile:
    """Erase what identifies the person; keep counts (visits, registrations, consents).

    Visits and reports are detached from the person and stay as anonymous ones; the account can
    no longer log in; standing consents end at ``now``; the card stops working.
    """
    now = now or timezone.now()
    profile = WorkerProfile.objects.select_for_update().get(pk=profile.pk)
    if profile.anonymised_at is not None:
        raise errors.FileAlreadyAnonymisedError()
    user = profile.user
    Visit.objects.filter(worker=user).update(worker=None)
    detach_reports(user)
    Consent.objects.filter(worker=user, withdrawn_at__isnull=True).update(
        withdrawn_at=Greatest(Value(now), F("granted_at"))
    )
    erase_number_traces(user.phone_hash)
    Consent.objects.filter(worker=user).exclude(signature_png="").update(
        signature_png=""
    )
    profile.name = ""
    profile.emergency_contact_name = ""
    profile.emergency_contact_phone = ""
    profile.id_number = ""
    profile.id_number_hash = ""
    profile.card_code = f"anonymised-{secrets.token_urlsafe(12)}"
    profile.anonymised_at = now
    profile.save()
    profile.work_communities.clear()
    user.phone = ""
    user.display_name = ""
    user.is_active = False
    user.set_unusable_password()
    user.save()
    record_audit(
        actor=actor,
        action=AuditAction.DELETE,
        target=profile,
        fields=["name", "phone", "id_number", "emergency_contact", "work_communities"],
        reason=reason,
        request=request,
    )
    # A duplicate merged into this file still holds its own name and number.
    for duplicate in profile.merged_files.filter(anonymised_at__isnull=True):
        anonymise_worker(
            profile=duplicate, actor=actor, reason=reason, request=request, now=now
        )
    return profile


def delete_my_account(
    *, worker: User, confirmation: str, request: HttpRequest | None = None
) -> WorkerProfile:
    """Anonymise the worker's own file once they typed the confirmation word.

    The word is accepted in the active language or in English.
    """
    word = deletion_confirmation_word()
    if confirmation.strip().upper() not in {word.upper(), DELETE_CONFIRMATION_WORD}:
        raise errors.DeletionNotConfirmedError(word=word)
    return anonymise_worker(
        profile=get_worker_profile(worker),
        actor=worker,
        reason="deleted by the worker",
        request=request,
    )
