"""Retention: find worker files inactive past the retention period and anonymise them.

A file's last activity is the latest of its registration and every activity source
below. Anonymising goes through ``rights.anonymise_worker``, so counts stay intact;
nothing here deletes a row.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import (
    DateTimeField,
    Expression,
    F,
    OuterRef,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from warmbee.visits.models import Visit
from warmbee.workers.models import Consent, WorkerProfile
from warmbee.workers.rights import anonymise_worker

# An expression, evaluated on a WorkerProfile row, giving the latest time of one kind of
# activity by that worker, or NULL if there is none.
ActivitySource = Callable[[], Expression | F | Subquery]


def _last_login() -> F:
    return F("user__last_login")


def _latest_visit() -> Subquery:
    visits = Visit.objects.filter(worker_id=OuterRef("user_id"))
    return Subquery(visits.order_by("-visited_at").values("visited_at")[:1])


def _latest_consent_given() -> Subquery:
    consents = Consent.objects.filter(worker_id=OuterRef("user_id"))
    return Subquery(consents.order_by("-granted_at").values("granted_at")[:1])


def _latest_consent_withdrawn() -> Subquery:
    consents = Consent.objects.filter(
        worker_id=OuterRef("user_id"), withdrawn_at__isnull=False
    )
    return Subquery(consents.order_by("-withdrawn_at").values("withdrawn_at")[:1])


# Each app that records a worker's activity (events attended, loans, reports, volunteer
# hours) adds its source here (one line).
ACTIVITY_SOURCES: list[ActivitySource] = [
    _last_login,
    _latest_visit,
    _latest_consent_given,
    _latest_consent_withdrawn,
]


def last_activity_expression() -> Greatest:
    """Return the expression for a file's last activity (never NULL).

    GREATEST ignores NULLs on PostgreSQL but returns NULL on SQLite, so each source
    falls back to the registration time.
    """
    registered_at = F("registered_at")
    return Greatest(
        registered_at,
        *(
            Coalesce(source(), registered_at, output_field=DateTimeField())
            for source in ACTIVITY_SOURCES
        ),
        output_field=DateTimeField(),
    )


def retention_cutoff(*, now: dt.datetime, retention_days: int) -> dt.datetime:
    """Return the time before which a file's last activity makes it inactive."""
    if retention_days < 1:
        raise ValueError("retention_days must be at least 1")
    return now - dt.timedelta(days=retention_days)


def list_inactive_profiles(
    *, now: dt.datetime, retention_days: int
) -> QuerySet[WorkerProfile]:
    """Return files not yet anonymised whose last activity is before the cut-off.

    A file last active exactly at the cut-off is kept. Each row carries
    ``last_activity_at``. Merged duplicates count by their own (moved-away) records.
    """
    cutoff = retention_cutoff(now=now, retention_days=retention_days)
    return (
        WorkerProfile.objects.filter(anonymised_at__isnull=True)
        .annotate(last_activity_at=last_activity_expression())
        .filter(last_activity_at__lt=cutoff)
        .select_related("user")
        .order_by("pk")
    )


@dataclass(frozen=True)
class InactiveFile:
    profile_id: int
    masked_phone: str
    last_activity_at: dt.datetime


@dataclass(frozen=True)
class PurgeSummary:
    cutoff_at: dt.datetime
    retention_days: int
    applied: bool
    inactive: tuple[InactiveFile, ...]
    anonymised_count: int


def _anonymise_if_still_inactive(
    profile_id: int, *, now: dt.datetime, retention_days: int, reason: str
) -> bool:
    with transaction.atomic():
        # Lock the file and its account, then look again: the worker may have logged
        # in or checked in since the list was made.
        still_inactive = (
            list_inactive_profiles(now=now, retention_days=retention_days)
            .select_for_update(of=("self", "user"))
            .filter(pk=profile_id)
            .first()
        )
        if still_inactive is None:
            return False
        anonymise_worker(profile=still_inactive, actor=None, reason=reason, now=now)
        return True


def purge_inactive_workers(
    *,
    now: dt.datetime | None = None,
    retention_days: int | None = None,
    apply: bool,
) -> PurgeSummary:
    """Anonymise every inactive file when ``apply``; without it, only count them.

    ``retention_days`` defaults to the WORKER_RETENTION_DAYS setting. Each file is
    anonymised in its own transaction, logged as done by the system with the reason.
    """
    now = now or timezone.now()
    if retention_days is None:
        retention_days = int(settings.WORKER_RETENTION_DAYS)
    cutoff = retention_cutoff(now=now, retention_days=retention_days)
    inactive = tuple(
        InactiveFile(
            profile.pk,
            profile.user.masked_phone,
            profile.last_activity_at,  # type: ignore[attr-defined]  # an annotation
        )
        for profile in list_inactive_profiles(now=now, retention_days=retention_days)
    )
    anonymised_count = 0
    if apply:
        reason = f"retention period of {retention_days} days passed"
        for file in inactive:
            anonymised_count += _anonymise_if_still_inactive(
                file.profile_id, now=now, retention_days=retention_days, reason=reason
            )
    return PurgeSummary(
        cutoff_at=cutoff,
        retention_days=retention_days,
        applied=apply,
        inactive=inactive,
        anonymised_count=anonymised_count,
    )
