"""Reads of the worker file: notices, consents, profiles and cards."""

import datetime as dt
import re
from dataclasses import dataclass

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.utils import timezone

from warmbee.accounts.models import (
    MAINLAND_MOBILE_REGEX,
    User,
    normalise_phone,
    phone_lookup_hash,
)
from warmbee.workers import errors
from warmbee.workers.choices import NoticeKind
from warmbee.workers.models import Consent, PrivacyNotice, WorkerProfile


def find_current_notice(
    kind: NoticeKind, *, now: dt.datetime | None = None
) -> PrivacyNotice | None:
    """Return the newest published version of a notice, or None if none is published."""
    return (
        PrivacyNotice.objects.filter(kind=kind, published_at__lte=now or timezone.now())
        .order_by("-version")
        .first()
    )


def get_current_notice(
    kind: NoticeKind, *, now: dt.datetime | None = None
) -> PrivacyNotice:
    notice = find_current_notice(kind, now=now)
    if notice is None:
        raise errors.NoticeNotPublishedError()
    return notice


def has_consent(
    user: AbstractBaseUser | AnonymousUser,
    kind: NoticeKind,
    *,
    now: dt.datetime | None = None,
) -> bool:
    """Return whether ``user`` consents now to the current version of ``kind``.

    Consent to an older version does not count: a new version needs a new consent.
    """
    if not user.is_authenticated:
        return False
    notice = find_current_notice(kind, now=now)
    if notice is None:
        return False
    return Consent.objects.filter(
        worker_id=user.pk, notice=notice, withdrawn_at__isnull=True
    ).exists()


def list_consents(user: AbstractBaseUser) -> QuerySet[Consent]:
    """Return every consent ``user`` gave, newest first, withdrawn ones included."""
    return Consent.objects.filter(worker_id=user.pk).select_related("notice")


@dataclass(frozen=True)
class ConsentState:
    kind: NoticeKind
    notice: PrivacyNotice | None
    is_given: bool
    needs_renewal: bool  # consented to an older version only


def summarise_consents(
    user: AbstractBaseUser, *, now: dt.datetime | None = None
) -> list[ConsentState]:
    """Return, for each notice kind, whether ``user`` consents to its current version."""
    active = list(list_consents(user).filter(withdrawn_at__isnull=True))
    states = []
    for kind in NoticeKind:
        notice = find_current_notice(kind, now=now)
        of_kind = [consent for consent in active if consent.notice.kind == kind]
        is_given = notice is not None and any(
            consent.notice_id == notice.pk for consent in of_kind
        )
        states.append(
            ConsentState(kind, notice, is_given, bool(of_kind) and not is_given)
        )
    return states


def get_worker_profile(user: User) -> WorkerProfile:
    profile = (
        WorkerProfile.objects.filter(user=user, user__is_active=True)
        .select_related("user")
        .prefetch_related("work_communities")
        .first()
    )
    if profile is None:
        raise errors.WorkerProfileNotFoundError()
    return profile


def get_profile_by_card_code(card_code: str) -> WorkerProfile:
    """Return the profile a scanned card belongs to, if its owner still consents."""
    profile = (
        WorkerProfile.objects.filter(card_code=card_code, user__is_active=True)
        .select_related("user")
        .first()
    )
    if profile is None or not has_consent(profile.user, NoticeKind.GENERAL):
        raise errors.InvalidCardError()
    return profile


def search_profiles(
    profiles: QuerySet[WorkerProfile], query: str
) -> QuerySet[WorkerProfile]:
    """Filter ``profiles`` by a full mobile number (exact, by hash) or part of a name."""
    query = query.strip()
    if not query:
        return profiles
    phone = normalise_phone(query)
    if re.fullmatch(MAINLAND_MOBILE_REGEX, phone):
        return profiles.filter(user__phone_hash=phone_lookup_hash(phone))
    return profiles.filter(name__icontains=query)


def count_workers_by_work_community(
    community_code_prefix: str, *, now: dt.datetime | None = None
) -> dict[int, float]:
    """Return how many workers name each community of a county as a usual work area.

    Only counts leave this app. A worker counts when their account is active, their
    file is neither anonymised nor merged into another, and they consent now to the
    current general notice. A worker naming n communities adds 1/n to each, so the
    weights of all communities add up to the number of such workers; only communities
    whose code starts with ``community_code_prefix`` (a county's first six digits) are
    returned, keyed by the community's id.
    """
    notice = find_current_notice(NoticeKind.GENERAL, now=now)
    if notice is None:
        return {}
    consenting = Consent.objects.filter(
        worker_id=OuterRef("user_id"), notice=notice, withdrawn_at__isnull=True
    )
    counted = WorkerProfile.objects.filter(
        Exists(consenting),
        user__is_active=True,
        anonymised_at__isnull=True,
        merged_into__isnull=True,
        work_communities__code__startswith=community_code_prefix,
    ).values("pk")
    links = WorkerProfile.work_communities.through.objects.filter(
        workerprofile_id__in=Subquery(counted)
    ).values_list("workerprofile_id", "region_id", "region__code")
    communities_of: dict[int, list[tuple[int, str]]] = {}
    for profile_id, region_id, code in links:
        communities_of.setdefault(profile_id, []).append((region_id, code))
    weights: dict[int, float] = {}
    for named in communities_of.values():
        share = 1.0 / len(named)
        for region_id, code in named:
            if code.startswith(community_code_prefix):
                weights[region_id] = weights.get(region_id, 0.0) + share
    return weights
