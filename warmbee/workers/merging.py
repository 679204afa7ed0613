"""Duplicate worker files (same mobile number or ID number) and merging two into one.

A merge keeps every record: the duplicate's records move to the kept file, the
duplicate's rows stay (marked ``merged_into``), and both files get an audit entry. It
never deletes anything and never merges files that share no identifying number.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db import models, transaction
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from warmbee.accounts.models import User
from warmbee.core.audit import actor_county, record_audit
from warmbee.core.models import AuditAction
from warmbee.reports.services import move_reports
from warmbee.visits.models import Visit
from warmbee.workers import errors, permissions
from warmbee.workers.access import check_reason
from warmbee.workers.models import Consent, WorkerProfile


class DuplicateKind(models.TextChoices):
    ID_NUMBER = "id_number", _("same ID number")
    PHONE = "phone", _("same mobile number")


@dataclass(frozen=True)
class DuplicateGroup:
    """Files that look like one person; ``profiles`` oldest registration first."""

    kind: DuplicateKind
    profiles: tuple[WorkerProfile, ...]


def _mergeable(profiles: QuerySet[WorkerProfile]) -> QuerySet[WorkerProfile]:
    # Through pk__in: the caller's queryset may be distinct() over joins.
    return WorkerProfile.objects.filter(
        pk__in=profiles.values("pk"),
        user__is_active=True,
        anonymised_at__isnull=True,
        merged_into__isnull=True,
    )


def list_duplicate_groups(profiles: QuerySet[WorkerProfile]) -> list[DuplicateGroup]:
    """Return groups of files among ``profiles`` that share an ID number.

    ``profiles`` is what the viewer may see (``permissions.list_visible_profiles``);
    a file outside it is never shown, even as the other half of a pair. Two accounts
    cannot share a mobile number (its lookup hash is unique), so every group found
    here is of kind ``ID_NUMBER``; anonymised and merged files are left out.
    """
    candidates = _mergeable(profiles)
    shared_hashes = (
        candidates.exclude(id_number_hash="")
        .values("id_number_hash")
        .annotate(file_count=Count("pk"))
        .filter(file_count__gt=1)
        .values("id_number_hash")
    )
    members = (
        candidates.filter(id_number_hash__in=shared_hashes)
        .select_related("user")
        .order_by("registered_at", "pk")
    )
    by_hash: dict[str, list[WorkerProfile]] = {}
    for profile in members:
        by_hash.setdefault(profile.id_number_hash, []).append(profile)
    return [
        DuplicateGroup(DuplicateKind.ID_NUMBER, tuple(group))
        for group in by_hash.values()
    ]


@dataclass(frozen=True)
class MergePair:
    """The two locked files of a merge and its time, as every mover receives them."""

    keep: WorkerProfile
    duplicate: WorkerProfile
    now: dt.datetime


Mover = Callable[[MergePair], int]


def _move_visits(pair: MergePair) -> int:
    return Visit.objects.filter(worker_id=pair.duplicate.user_id).update(
        worker_id=pair.keep.user_id
    )


def _move_reports(pair: MergePair) -> int:
    return move_reports(
        from_user_id=pair.duplicate.user_id, to_user_id=pair.keep.user_id
    )


def _close_overlapping_consents(pair: MergePair) -> int:
    """Close the duplicate's standing consents to notices the kept file consents to.

    Only one standing consent per person and notice may exist; the closed one moves
    with the others below, so the history of what was agreed stays whole.
    """
    kept_notice_ids = Consent.objects.filter(
        worker_id=pair.keep.user_id, withdrawn_at__isnull=True
    ).values("notice_id")
    overlapping = Consent.objects.select_for_update().filter(
        worker_id=pair.duplicate.user_id,
        withdrawn_at__isnull=True,
        notice_id__in=kept_notice_ids,
    )
    closed = 0
    for consent in overlapping.order_by("pk"):
        # A withdrawal may not precede the grant (a check constraint).
        consent.withdrawn_at = max(pair.now, consent.granted_at)
        consent.closed_by_merge = True
        consent.save(update_fields=["withdrawn_at", "closed_by_merge"])
        closed += 1
    return closed


def _move_consents(pair: MergePair) -> int:
    return Consent.objects.filter(worker_id=pair.duplicate.user_id).update(
        worker_id=pair.keep.user_id
    )


def _move_merged_files(pair: MergePair) -> int:
    """Point files merged earlier into the duplicate at the kept file (no chains)."""
    return WorkerProfile.objects.filter(merged_into=pair.duplicate).update(
        merged_into=pair.keep
    )


# Each app that keeps records of a worker adds its mover here (one line); they run in
# this order inside the merge's transaction and report how many rows they moved.
MOVERS: list[tuple[str, Mover]] = [
    ("visits", _move_visits),
    ("reports", _move_reports),
    ("consents_closed_by_merge", _close_overlapping_consents),
    ("consents", _move_consents),
    ("merged_files", _move_merged_files),
]


# A count on a named file's audit entry would say how many reports the person sent,
# which the departments and the county are never told.
UNCOUNTED_IN_AUDIT = {"reports"}


def _fill_blanks(keep: WorkerProfile, duplicate: WorkerProfile) -> list[str]:
    """Copy what the kept file lacks from the duplicate; return what was filled."""
    filled = []
    has_contact = keep.emergency_contact_name or keep.emergency_contact_phone
    if not has_contact and (
        duplicate.emergency_contact_name or duplicate.emergency_contact_phone
    ):
        # Name and number go together: never pair one person's name with another number.
        keep.emergency_contact_name = duplicate.emergency_contact_name
        keep.emergency_contact_phone = duplicate.emergency_contact_phone
        filled.append("emergency_contact")
    if not keep.id_number and duplicate.id_number:
        keep.id_number = duplicate.id_number
        keep.id_number_hash = duplicate.id_number_hash
        filled.append("id_number")
    if filled:
        keep.save()
    kept_areas = set(keep.work_communities.values_list("pk", flat=True))
    new_areas = set(duplicate.work_communities.values_list("pk", flat=True))
    if new_areas - kept_areas:
        keep.work_communities.add(*(new_areas - kept_areas))
        filled.append("work_communities")
    return filled


def _shared_kind(keep: WorkerProfile, duplicate: WorkerProfile) -> DuplicateKind | None:
    if keep.user.phone_hash == duplicate.user.phone_hash:
        return DuplicateKind.PHONE
    if keep.id_number_hash and keep.id_number_hash == duplicate.id_number_hash:
        return DuplicateKind.ID_NUMBER
    return None


def _lock_pair(
    actor: User, keep_id: int, duplicate_id: int
) -> tuple[WorkerProfile, WorkerProfile]:
    """Lock both files (and their accounts) in pk order and check they can be merged."""
    locked = {
        profile.pk: profile
        for profile in WorkerProfile.objects.select_for_update()
        .select_related("user")
        .filter(pk__in=[keep_id, duplicate_id])
        .order_by("pk")
    }
    if len(locked) != 2:
        raise errors.WorkerFileNotFoundError()
    keep, duplicate = locked[keep_id], locked[duplicate_id]
    # Visibility first: a file the actor may not see is "not found", whatever its state.
    visible = permissions.list_visible_profiles(actor).filter(
        pk__in=[keep_id, duplicate_id]
    )
    if visible.count() != 2:
        raise errors.WorkerFileNotFoundError()
    if _shared_kind(keep, duplicate) is None:
        raise errors.NotDuplicatesError()
    return keep, duplicate


@transaction.atomic
def merge_worker_files(
    *,
    actor: User,
    keep: WorkerProfile,
    duplicate: WorkerProfile,
    reason: str,
    request: HttpRequest | None = None,
    now: dt.datetime | None = None,
) -> WorkerProfile:
    """Move every record of ``duplicate`` to ``keep`` and close the duplicate's account.

    Blank fields of the kept file are filled from the duplicate; the duplicate's rows
    stay, marked ``merged_into``, and its account can no longer log in. Both files get
    an audit entry with the reason and the number of records each mover moved.
    Raises ``SensitiveAccessDeniedError`` for a role that may not merge,
    ``ReasonRequiredError`` without a reason, ``WorkerFileNotFoundError`` for a file
    the actor may not see (anonymised and merged files included: nobody sees those),
    ``SameFileMergeError`` and ``NotDuplicatesError``; then nothing changes.
    """
    if not permissions.may_merge_files(actor):
        raise errors.SensitiveAccessDeniedError()
    reason = check_reason(reason)
    if keep.pk == duplicate.pk:
        raise errors.SameFileMergeError()
    keep, duplicate = _lock_pair(actor, keep.pk, duplicate.pk)
    pair = MergePair(keep=keep, duplicate=duplicate, now=now or timezone.now())
    moved = [
        name if name in UNCOUNTED_IN_AUDIT else f"{name}:{moved}"
        for name, move in MOVERS
        for moved in [move(pair)]
    ]
    filled = [f"filled:{name}" for name in _fill_blanks(keep, duplicate)]
    duplicate.merged_into = keep
    duplicate.save(update_fields=["merged_into"])
    duplicate.user.is_active = False
    duplicate.user.set_unusable_password()
    duplicate.user.save(update_fields=["is_active", "password"])
    county = actor_county(actor)
    record_audit(
        actor=actor,
        action=AuditAction.MERGE,
        target=keep,
        fields=[f"merged_file:{duplicate.pk}", *moved, *filled],
        reason=reason,
        request=request,
        county=county,
    )
    record_audit(
        actor=actor,
        action=AuditAction.MERGE,
        target=duplicate,
        fields=[f"kept_file:{keep.pk}", *moved, *filled],
        reason=reason,
        request=request,
        county=county,
    )
    return keep


def merge_worker_files_by_id(
    *,
    actor: User,
    keep_id: int,
    duplicate_id: int,
    reason: str,
    request: HttpRequest | None = None,
) -> WorkerProfile:
    """``merge_worker_files`` for ids posted by a form; unknown ids are "not found"."""
    files = WorkerProfile.objects.in_bulk([keep_id, duplicate_id])
    if keep_id not in files or duplicate_id not in files:
        raise errors.WorkerFileNotFoundError()
    return merge_worker_files(
        actor=actor,
        keep=files[keep_id],
        duplicate=files[duplicate_id],
        reason=reason,
        request=request,
    )
