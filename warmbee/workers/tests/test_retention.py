import datetime as dt

import pytest

from warmbee.accounts.models import User
from warmbee.core.models import AuditAction, AuditEntry
from warmbee.factories import VisitFactory
from warmbee.visits.models import Visit
from warmbee.workers.choices import NoticeKind
from warmbee.workers.models import Consent, WorkerProfile
from warmbee.workers.retention import (
    InactiveFile,
    list_inactive_profiles,
    purge_inactive_workers,
)
from warmbee.workers.rights import anonymise_worker
from warmbee.workers.tests.factories import WorkerProfileFactory, give_consent

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2030, 3, 1, 4, 0, tzinfo=dt.UTC)
DAYS = 730
CUTOFF = NOW - dt.timedelta(days=DAYS)
BEFORE = CUTOFF - dt.timedelta(days=1)
AFTER = CUTOFF + dt.timedelta(days=1)


def registered(at):
    """Return a file registered at ``at`` with no other activity (no log-in, consent)."""
    return WorkerProfileFactory(registered_at=at)


def inactive_ids(retention_days=DAYS):
    profiles = list_inactive_profiles(now=NOW, retention_days=retention_days)
    return [profile.pk for profile in profiles]


def test_lists_files_last_active_before_the_cutoff():
    old = registered(BEFORE)
    just_before = registered(CUTOFF - dt.timedelta(microseconds=1))
    registered(CUTOFF)  # exactly at the cut-off: kept
    registered(AFTER)

    assert inactive_ids() == [old.pk, just_before.pk]
    listed = list_inactive_profiles(now=NOW, retention_days=DAYS)
    assert [p.last_activity_at for p in listed] == [
        BEFORE,
        CUTOFF - dt.timedelta(microseconds=1),
    ]


def test_the_retention_period_moves_the_cutoff():
    profile = registered(NOW - dt.timedelta(days=40))
    assert inactive_ids(retention_days=30) == [profile.pk]
    assert inactive_ids(retention_days=41) == []


def _log_in(profile, at):
    User.objects.filter(pk=profile.user_id).update(last_login=at)


def _visit(profile, at):
    VisitFactory(worker=profile.user, visited_at=at)


def _give_consent(profile, at):
    give_consent(profile.user, granted_at=at)


def _withdraw_consent(profile, at):
    give_consent(profile.user, NoticeKind.HEALTH, granted_at=BEFORE, withdrawn_at=at)


ACTIVITIES = [_log_in, _visit, _give_consent, _withdraw_consent]


@pytest.mark.parametrize("activity", ACTIVITIES)
def test_recent_activity_of_each_kind_keeps_a_file(activity):
    profile = registered(BEFORE - dt.timedelta(days=100))
    activity(profile, AFTER)
    assert inactive_ids() == []


@pytest.mark.parametrize("activity", ACTIVITIES)
def test_activity_exactly_at_the_cutoff_keeps_a_file(activity):
    profile = registered(BEFORE - dt.timedelta(days=100))
    activity(profile, CUTOFF)
    assert inactive_ids() == []


@pytest.mark.parametrize("activity", ACTIVITIES)
def test_old_activity_of_each_kind_does_not_keep_a_file(activity):
    profile = registered(BEFORE - dt.timedelta(days=100))
    activity(profile, BEFORE)
    assert inactive_ids() == [profile.pk]
    assert list_inactive_profiles(now=NOW, retention_days=DAYS)[0].last_activity_at == (
        BEFORE
    )


def test_anonymised_files_are_not_listed_again():
    profile = registered(BEFORE)
    anonymise_worker(profile=profile, actor=None, reason="test", now=NOW)
    assert inactive_ids() == []


def test_refuses_a_retention_period_under_one_day():
    with pytest.raises(ValueError, match="at least 1"):
        list_inactive_profiles(now=NOW, retention_days=0)
    with pytest.raises(ValueError, match="at least 1"):
        purge_inactive_workers(now=NOW, retention_days=-5, apply=True)


def _snapshot():
    return {
        "files": sorted(
            WorkerProfile.objects.values_list(
                "pk", "name", "anonymised_at", "card_code"
            )
        ),
        "accounts": sorted(User.objects.values_list("pk", "is_active", "phone_hash")),
        "visits": sorted(Visit.objects.values_list("pk", "worker_id")),
        "consents": sorted(Consent.objects.values_list("pk", "withdrawn_at")),
        "audit": AuditEntry.objects.count(),
    }


def test_a_dry_run_reports_and_changes_nothing():
    old = registered(BEFORE)
    VisitFactory(worker=old.user, visited_at=BEFORE)
    registered(AFTER)
    before = _snapshot()

    summary = purge_inactive_workers(now=NOW, retention_days=DAYS, apply=False)

    assert _snapshot() == before
    assert summary.applied is False
    assert (summary.cutoff_at, summary.retention_days) == (CUTOFF, DAYS)
    assert summary.inactive == (InactiveFile(old.pk, old.user.masked_phone, BEFORE),)
    assert summary.anonymised_count == 0


def test_apply_anonymises_only_the_inactive_files():
    old, older = registered(BEFORE), registered(BEFORE - dt.timedelta(days=300))
    old_visit = VisitFactory(worker=old.user, visited_at=BEFORE)
    active = registered(BEFORE)
    give_consent(active.user, granted_at=AFTER)
    visit_count = Visit.objects.count()
    entries_before = AuditEntry.objects.count()

    summary = purge_inactive_workers(now=NOW, retention_days=DAYS, apply=True)

    assert (summary.applied, summary.anonymised_count) == (True, 2)
    assert [file.profile_id for file in summary.inactive] == [old.pk, older.pk]
    anonymised = WorkerProfile.objects.filter(anonymised_at=NOW)
    assert set(anonymised) == {old, older}
    active.refresh_from_db()
    assert active.anonymised_at is None
    assert active.name != ""
    old_visit.refresh_from_db()
    assert old_visit.worker is None
    assert Visit.objects.count() == visit_count
    entries = AuditEntry.objects.order_by("id")[entries_before:]
    assert [(e.actor, e.action, e.target_id, e.reason) for e in entries] == [
        (None, AuditAction.DELETE, str(old.pk), "retention period of 730 days passed"),
        (
            None,
            AuditAction.DELETE,
            str(older.pk),
            "retention period of 730 days passed",
        ),
    ]


def test_a_second_run_finds_nothing_left():
    registered(BEFORE)
    purge_inactive_workers(now=NOW, retention_days=DAYS, apply=True)

    summary = purge_inactive_workers(now=NOW, retention_days=DAYS, apply=True)

    assert (summary.inactive, summary.anonymised_count) == ((), 0)


def test_the_retention_period_defaults_to_the_setting(settings):
    settings.WORKER_RETENTION_DAYS = 30
    profile = registered(NOW - dt.timedelta(days=31))

    summary = purge_inactive_workers(now=NOW, apply=False)

    assert summary.retention_days == 30
    assert summary.cutoff_at == NOW - dt.timedelta(days=30)
    assert [file.profile_id for file in summary.inactive] == [profile.pk]
