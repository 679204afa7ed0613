import datetime as dt

import pytest
from django.utils import timezone, translation

from warmbee.accounts.models import Role, User
from warmbee.core.models import AuditAction, AuditEntry
from warmbee.factories import StationFactory, VisitFactory, community, make_user
from warmbee.visits.models import Visit
from warmbee.workers import errors
from warmbee.workers.choices import NoticeKind
from warmbee.workers.identity import (
    ID_NUMBER_CHECK_CHARS,
    ID_NUMBER_WEIGHTS,
    id_number_lookup_hash,
)
from warmbee.workers.merging import (
    DuplicateGroup,
    DuplicateKind,
    list_duplicate_groups,
    merge_worker_files,
)
from warmbee.workers.models import Consent, WorkerProfile
from warmbee.workers.permissions import list_visible_profiles
from warmbee.workers.rights import anonymise_worker
from warmbee.workers.tests.factories import give_consent, make_worker

pytestmark = pytest.mark.django_db

REASON = "同一人用两个号码注册"


def id_number(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, ID_NUMBER_WEIGHTS, strict=True))
    return first17 + ID_NUMBER_CHECK_CHARS[total % 11]


ID_A = id_number("14012219900307757")
ID_B = id_number("14012219850101123")


def in_county(number: str = "", **fields):
    """Return a worker file in Yangqu (a county admin sees it) with this ID number."""
    profile = make_worker(
        id_number=number, id_number_hash=id_number_lookup_hash(number), **fields
    )
    profile.work_communities.add(community())
    return profile


@pytest.fixture
def admin():
    return make_user(Role.COUNTY_ADMIN)


@pytest.fixture
def twins():
    """Two files of one person (same ID number), the first registered earlier."""
    keep = in_county(ID_A, registered_at=timezone.now() - dt.timedelta(days=30))
    duplicate = in_county(ID_A, registered_at=timezone.now() - dt.timedelta(days=3))
    return keep, duplicate


def state(*profiles):
    """Everything a merge could change, to compare before and after a refusal."""
    return {
        "audit": AuditEntry.objects.count(),
        "visits": {
            p.pk: Visit.objects.filter(worker_id=p.user_id).count() for p in profiles
        },
        "consents": {
            p.pk: sorted(
                Consent.objects.filter(worker_id=p.user_id).values_list(
                    "pk", "withdrawn_at", "closed_by_merge"
                )
            )
            for p in profiles
        },
        "files": sorted(
            WorkerProfile.objects.filter(pk__in=[p.pk for p in profiles]).values_list(
                "pk",
                "merged_into",
                "anonymised_at",
                "id_number_hash",
                "emergency_contact_name",
            )
        ),
        "active accounts": sorted(
            User.objects.filter(
                pk__in=[p.user_id for p in profiles], is_active=True
            ).values_list("pk", flat=True)
        ),
    }


# Duplicate detection


def test_groups_files_sharing_an_id_number_oldest_first(twins):
    keep, duplicate = twins
    in_county(ID_B)
    in_county()
    in_county()  # two files without an ID number are no pair

    groups = list_duplicate_groups(WorkerProfile.objects.all())

    assert groups == [DuplicateGroup(DuplicateKind.ID_NUMBER, (keep, duplicate))]


def test_leaves_merged_and_anonymised_files_out_of_groups(twins, admin):
    keep, duplicate = twins
    third = in_county(ID_A)
    anonymise_worker(profile=third, actor=None, reason="test")
    assert list_duplicate_groups(WorkerProfile.objects.all()) == [
        DuplicateGroup(DuplicateKind.ID_NUMBER, (keep, duplicate))
    ]

    merge_worker_files(actor=admin, keep=keep, duplicate=duplicate, reason=REASON)

    assert list_duplicate_groups(WorkerProfile.objects.all()) == []


def test_finds_duplicates_only_within_the_given_files(twins):
    keep, duplicate = twins
    station = StationFactory()
    staff = make_user(Role.STATION_STAFF)
    station.staff.add(staff)
    VisitFactory.create_batch(2, station=station, worker=keep.user)

    assert list_duplicate_groups(list_visible_profiles(staff)) == []
    assert list_duplicate_groups(WorkerProfile.objects.filter(pk=keep.pk)) == []

    VisitFactory(station=station, worker=duplicate.user)

    assert list_duplicate_groups(list_visible_profiles(staff)) == [
        DuplicateGroup(DuplicateKind.ID_NUMBER, (keep, duplicate))
    ]


# Merging


def test_merge_moves_visits_and_consents_to_the_kept_file(twins, admin):
    keep, duplicate = twins
    kept_visit = VisitFactory(worker=keep.user)
    moved_visits = VisitFactory.create_batch(2, worker=duplicate.user)
    kept_general = Consent.objects.get(worker=keep.user)
    duplicate_general = Consent.objects.get(worker=duplicate.user)
    health = give_consent(duplicate.user, NoticeKind.HEALTH)

    result = merge_worker_files(
        actor=admin, keep=keep, duplicate=duplicate, reason=REASON
    )

    assert result == keep
    assert set(Visit.objects.filter(worker=keep.user)) == {kept_visit, *moved_visits}
    assert not Visit.objects.filter(worker=duplicate.user).exists()
    assert set(Consent.objects.filter(worker=keep.user)) == {
        kept_general,
        duplicate_general,
        health,
    }
    kept_general.refresh_from_db()
    assert (kept_general.withdrawn_at, kept_general.closed_by_merge) == (None, False)
    health.refresh_from_db()
    assert (health.withdrawn_at, health.closed_by_merge) == (None, False)


def test_merge_closes_a_consent_the_kept_file_already_has(twins, admin):
    keep, duplicate = twins
    duplicate_general = Consent.objects.get(worker=duplicate.user)
    now = timezone.now() + dt.timedelta(minutes=1)

    merge_worker_files(
        actor=admin, keep=keep, duplicate=duplicate, reason=REASON, now=now
    )

    duplicate_general.refresh_from_db()
    assert duplicate_general.worker == keep.user
    assert duplicate_general.withdrawn_at == now
    assert duplicate_general.closed_by_merge is True
    active = Consent.objects.filter(worker=keep.user, withdrawn_at__isnull=True)
    assert active.count() == 1


def test_a_consent_given_after_the_merge_time_closes_at_its_own_time(twins, admin):
    keep, duplicate = twins
    now = timezone.now()
    later = now + dt.timedelta(minutes=5)
    Consent.objects.filter(worker=duplicate.user).update(granted_at=later)

    merge_worker_files(
        actor=admin, keep=keep, duplicate=duplicate, reason=REASON, now=now
    )

    moved = Consent.objects.get(worker=keep.user, closed_by_merge=True)
    assert moved.withdrawn_at == later


def test_merge_fills_blank_fields_of_the_kept_file(admin):
    keep = in_county(ID_A)
    duplicate = in_county(
        ID_A, emergency_contact_name="李女士", emergency_contact_phone="13912345678"
    )
    other_area = community("140122400002")
    duplicate.work_communities.add(other_area)

    merge_worker_files(actor=admin, keep=keep, duplicate=duplicate, reason=REASON)

    keep.refresh_from_db()
    assert keep.emergency_contact_name == "李女士"
    assert keep.emergency_contact_phone == "13912345678"
    assert set(keep.work_communities.all()) == {community(), other_area}
    assert (keep.id_number, keep.id_number_hash) == (ID_A, id_number_lookup_hash(ID_A))


def test_merge_keeps_what_the_kept_file_already_has(admin):
    keep = in_county(ID_A, emergency_contact_name="王先生")
    duplicate = in_county(
        ID_A, emergency_contact_name="李女士", emergency_contact_phone="13912345678"
    )

    merge_worker_files(actor=admin, keep=keep, duplicate=duplicate, reason=REASON)

    keep.refresh_from_db()
    assert keep.emergency_contact_name == "王先生"
    assert keep.emergency_contact_phone == ""
    assert keep.id_number == ID_A


def test_merge_closes_the_duplicate_but_keeps_its_rows(twins, admin):
    keep, duplicate = twins

    merge_worker_files(actor=admin, keep=keep, duplicate=duplicate, reason=REASON)

    duplicate.refresh_from_db()
    duplicate.user.refresh_from_db()
    assert duplicate.merged_into == keep
    assert duplicate.anonymised_at is None
    assert duplicate.user.is_active is False
    assert duplicate.user.has_usable_password() is False
    keep.user.refresh_from_db()
    assert keep.user.is_active is True


def test_merge_writes_an_audit_entry_on_both_files(twins, admin):
    keep, duplicate = twins
    VisitFactory.create_batch(3, worker=duplicate.user)
    give_consent(duplicate.user, NoticeKind.HEALTH)
    duplicate.work_communities.add(community("140122400002"))
    entries_before = AuditEntry.objects.count()

    merge_worker_files(actor=admin, keep=keep, duplicate=duplicate, reason=REASON)

    entries = AuditEntry.objects.filter(action=AuditAction.MERGE).order_by("id")
    counts = [
        "consents:2",
        "consents_closed_by_merge:1",
        "filled:work_communities",
        "merged_files:0",
        "reports",
        "visits:3",
    ]
    assert [(e.actor, e.target_id, e.reason, e.fields) for e in entries] == [
        (admin, str(keep.pk), REASON, sorted([f"merged_file:{duplicate.pk}", *counts])),
        (admin, str(duplicate.pk), REASON, sorted([f"kept_file:{keep.pk}", *counts])),
    ]
    assert AuditEntry.objects.count() == entries_before + 2
    assert [entry.county for entry in entries] == [admin.region, admin.region]


def test_files_merged_earlier_follow_into_the_kept_file(admin):
    keep, duplicate, first = in_county(ID_A), in_county(ID_A), in_county(ID_A)
    merge_worker_files(actor=admin, keep=duplicate, duplicate=first, reason=REASON)

    merge_worker_files(actor=admin, keep=keep, duplicate=duplicate, reason=REASON)

    first.refresh_from_db()
    assert first.merged_into == keep
    assert set(keep.merged_files.all()) == {duplicate, first}


# Refusals: nothing changes, nothing is logged


def _refused_merge(actor, keep, duplicate, reason=REASON):
    before = state(keep, duplicate)
    with pytest.raises(errors.DomainError) as refusal:
        merge_worker_files(actor=actor, keep=keep, duplicate=duplicate, reason=reason)
    assert state(keep, duplicate) == before
    return refusal.value


@pytest.mark.parametrize(
    "role", [Role.STATION_STAFF, Role.WORKER, Role.DOCTOR, Role.DEPARTMENT_HANDLER]
)
def test_refuses_a_role_that_may_not_merge(twins, role):
    keep, duplicate = twins
    VisitFactory(worker=duplicate.user)
    error = _refused_merge(make_user(role), keep, duplicate)
    assert isinstance(error, errors.SensitiveAccessDeniedError)


def test_refuses_a_merge_without_a_reason(twins, admin):
    keep, duplicate = twins
    VisitFactory(worker=duplicate.user)
    error = _refused_merge(admin, keep, duplicate, reason="  ok ")
    assert isinstance(error, errors.ReasonRequiredError)


def test_refuses_to_merge_a_file_into_itself(twins, admin):
    keep, _duplicate = twins
    error = _refused_merge(admin, keep, keep)
    assert isinstance(error, errors.SameFileMergeError)
    with translation.override("en"):
        assert error.detail == "A file cannot be merged into itself."


def test_refuses_files_sharing_no_number(admin):
    keep, duplicate = in_county(ID_A), in_county(ID_B)
    VisitFactory(worker=duplicate.user)
    error = _refused_merge(admin, keep, duplicate)
    assert isinstance(error, errors.NotDuplicatesError)
    with translation.override("en"):
        assert error.detail == (
            "These two files share neither a mobile number nor an ID number, so they "
            "are not merged."
        )


def test_refuses_files_without_id_numbers(admin):
    keep, duplicate = in_county(), in_county()
    error = _refused_merge(admin, keep, duplicate)
    assert isinstance(error, errors.NotDuplicatesError)


@pytest.mark.parametrize("which", ["keep", "duplicate"])
def test_refuses_an_anonymised_file(admin, which):
    files = {"keep": in_county(ID_A), "duplicate": in_county(ID_A)}
    VisitFactory(worker=files["duplicate"].user)
    anonymise_worker(profile=files[which], actor=None, reason="test")
    files[which].refresh_from_db()
    error = _refused_merge(admin, files["keep"], files["duplicate"])
    # Nobody sees anonymised or merged files: refused as not found, revealing nothing.
    assert isinstance(error, errors.WorkerFileNotFoundError)


@pytest.mark.parametrize("which", ["keep", "duplicate"])
def test_refuses_a_file_already_merged(admin, which):
    files = {"keep": in_county(ID_A), "duplicate": in_county(ID_A)}
    elsewhere = in_county(ID_A)
    VisitFactory(worker=files["duplicate"].user)
    WorkerProfile.objects.filter(pk=files[which].pk).update(merged_into=elsewhere)
    files[which].refresh_from_db()
    error = _refused_merge(admin, files["keep"], files["duplicate"])
    # Nobody sees anonymised or merged files: refused as not found, revealing nothing.
    assert isinstance(error, errors.WorkerFileNotFoundError)


def test_refuses_a_file_outside_the_admins_county(admin):
    keep = in_county(ID_A)
    # Registered outside the county and never visited one of its stations.
    stranger = make_worker(id_number=ID_A, id_number_hash=id_number_lookup_hash(ID_A))
    give_consent(stranger.user, NoticeKind.HEALTH)
    error = _refused_merge(admin, keep, stranger)
    assert isinstance(error, errors.WorkerFileNotFoundError)
