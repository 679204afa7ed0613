"""Opening a worker file as staff: the permission check, the scope and the audit entry.

Every read of a sensitive part (contact numbers, ID number, the visit trail, health
records) writes an audit entry in the same transaction; administrators must state why.
"""

from dataclasses import dataclass

from django.db import transaction
from django.http import HttpRequest

from warmbee.accounts.models import User
from warmbee.core.audit import record_audit
from warmbee.core.models import AuditAction
from warmbee.workers import errors, permissions
from warmbee.workers.models import WorkerProfile
from warmbee.workers.timeline import (
    EntryKind,
    TimelineEntry,
    TimelineScope,
    list_timeline,
)

MIN_REASON_LENGTH = 5
SENSITIVE_FIELDS = ["phone", "id_number", "emergency_contact_phone", "visits"]


@dataclass(frozen=True)
class SensitiveDetails:
    phone: str
    id_number: str
    emergency_contact_phone: str


@dataclass(frozen=True)
class WorkerFileView:
    profile: WorkerProfile
    timeline: list[TimelineEntry]
    sensitive: SensitiveDetails | None
    reason: str
    may_open_sensitive: bool


def _get_visible_profile(viewer: User, profile_id: int) -> WorkerProfile:
    profile = (
        permissions.list_visible_profiles(viewer)
        .prefetch_related("work_communities")
        .filter(pk=profile_id)
        .first()
    )
    if profile is None:
        raise errors.WorkerFileNotFoundError()
    return profile


def _basic_scope(viewer: User) -> TimelineScope:
    stations = permissions.list_visit_scope(viewer)
    return TimelineScope(
        visit_station_ids=list(stations.values_list("pk", flat=True)),
        include_health=permissions.may_see_health(viewer),
        include_consents=True,
    )


def _audited_fields(timeline: list[TimelineEntry]) -> list[str]:
    kinds = {entry.kind for entry in timeline}
    fields = ["visits"] if EntryKind.VISIT in kinds else []
    if any(entry.is_health for entry in timeline):
        fields.append("health")
    return fields


@transaction.atomic
def access_worker_file(
    *, viewer: User, profile_id: int, request: HttpRequest | None = None
) -> WorkerFileView:
    """Return the part of a file ``viewer`` sees without a reason; log sensitive reads."""
    profile = _get_visible_profile(viewer, profile_id)
    timeline = list_timeline(profile, _basic_scope(viewer))
    fields = _audited_fields(timeline)
    if fields:
        record_audit(
            actor=viewer,
            action=AuditAction.READ_SENSITIVE,
            target=profile,
            fields=fields,
            request=request,
            county=permissions.audit_county(viewer),
        )
    return WorkerFileView(
        profile=profile,
        timeline=timeline,
        sensitive=None,
        reason="",
        may_open_sensitive=permissions.may_open_sensitive(viewer),
    )


def check_reason(reason: str) -> str:
    reason = " ".join(reason.split())
    if len(reason) < MIN_REASON_LENGTH:
        raise errors.ReasonRequiredError(min_length=MIN_REASON_LENGTH)
    return reason


@transaction.atomic
def open_sensitive_file(
    *,
    viewer: User,
    profile_id: int,
    reason: str,
    request: HttpRequest | None = None,
) -> WorkerFileView:
    """Return the whole file with its sensitive parts, logging who opened it and why."""
    if not permissions.may_open_sensitive(viewer):
        raise errors.SensitiveAccessDeniedError()
    profile = _get_visible_profile(viewer, profile_id)
    reason = check_reason(reason)
    scope = TimelineScope(
        visit_station_ids=None,
        include_health=permissions.may_see_health(viewer),
        include_consents=True,
    )
    timeline = list_timeline(profile, scope)
    fields = sorted({*SENSITIVE_FIELDS, *_audited_fields(timeline)})
    record_audit(
        actor=viewer,
        action=AuditAction.READ_SENSITIVE,
        target=profile,
        fields=fields,
        reason=reason,
        request=request,
        county=permissions.audit_county(viewer),
    )
    sensitive = SensitiveDetails(
        phone=profile.user.phone,
        id_number=profile.id_number,
        emergency_contact_phone=profile.emergency_contact_phone,
    )
    return WorkerFileView(
        profile=profile,
        timeline=timeline,
        sensitive=sensitive,
        reason=reason,
        may_open_sensitive=True,
    )
