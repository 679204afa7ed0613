import json

import pytest
from django.db import connection

from warmbee.accounts.models import Role, User, phone_lookup_hash
from warmbee.accounts.otp import send_one_time_code
from warmbee.core.models import AuditAction, AuditEntry
from warmbee.factories import StationFactory, VisitFactory, community, make_user
from warmbee.visits.models import Visit
from warmbee.workers import errors, rights
from warmbee.workers.access import open_sensitive_file
from warmbee.workers.choices import CodePurpose, NoticeKind
from warmbee.workers.identity import check_id_number
from warmbee.workers.models import Consent, OneTimeCode, WorkerProfile
from warmbee.workers.selectors import has_consent
from warmbee.workers.tests.factories import give_consent, make_worker

pytestmark = pytest.mark.django_db

VALID_ID = "110101199003077571"


def _correction(profile, **changes):
    values = {
        "name": profile.name,
        "occupation": profile.occupation,
        "platform": profile.platform,
        "vehicle": profile.vehicle,
        "work_communities": list(profile.work_communities.all()),
        "emergency_contact_name": profile.emergency_contact_name,
        "emergency_contact_phone": profile.emergency_contact_phone,
        "id_number": profile.id_number,
    }
    return rights.DetailCorrection(**(values | changes))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("", ""),
        (" 11010119900307757 1 ", VALID_ID),
        ("11010519491231002x", "11010519491231002X"),
    ],
)
def test_accepts_resident_id_numbers_with_a_valid_check_digit(raw, expected):
    assert check_id_number(raw) == expected


@pytest.mark.parametrize("raw", ["110101199003077578", "12345", "01010119900307757X"])
def test_refuses_malformed_id_numbers(raw):
    with pytest.raises(errors.InvalidIdNumberError):
        check_id_number(raw)


def test_export_holds_everything_kept_and_is_logged():
    profile = make_worker(emergency_contact_phone="13900001111")
    profile.work_communities.set([community()])
    VisitFactory(worker=profile.user)
    document = rights.export_my_data(worker=profile.user)
    json.dumps(document)  # JSON-ready
    assert document["account"]["phone"] == profile.user.phone
    assert document["file"]["name"] == profile.name
    assert document["file"]["emergency_contact_phone"] == "13900001111"
    assert [c["code"] for c in document["file"]["work_communities"]] == [
        community().code
    ]
    assert len(document["visits"]) == 1
    assert document["consents"][0]["notice"] == "general"
    entry = AuditEntry.objects.get(action=AuditAction.EXPORT)
    assert (entry.actor, entry.target_id) == (profile.user, str(profile.pk))


def test_export_tells_the_worker_who_opened_their_file_and_why():
    profile = make_worker()
    VisitFactory(worker=profile.user)
    admin = make_user(Role.COUNTY_ADMIN)
    open_sensitive_file(viewer=admin, profile_id=profile.pk, reason="核实身份信息")
    log = rights.export_my_data(worker=profile.user)["access_log"]
    assert [(e["action"], e["reason"]) for e in log] == [
        ("read_sensitive", "核实身份信息"),
        ("export", ""),
    ]
    # Staff are named; the worker is "you", kept in the log by account number only.
    assert [(e["by"], e["by_you"]) for e in log] == [
        (str(admin), False),
        (f"worker #{profile.user_id}", True),
    ]


def test_correcting_details_saves_them_and_logs_changed_fields_only():
    profile = make_worker()
    rights.correct_my_details(
        worker=profile.user,
        correction=_correction(profile, name="王建国", id_number=VALID_ID),
    )
    profile.refresh_from_db()
    assert (profile.name, profile.id_number) == ("王建国", VALID_ID)
    assert profile.id_number_hash
    assert User.objects.get(pk=profile.user_id).display_name == "王建国"
    entry = AuditEntry.objects.get(action=AuditAction.UPDATE)
    assert entry.fields == ["id_number", "name"]


def test_a_bad_correction_changes_nothing():
    profile = make_worker()
    with pytest.raises(errors.InvalidIdNumberError):
        rights.correct_my_details(
            worker=profile.user,
            correction=_correction(profile, name="新名字", id_number="123"),
        )
    profile.refresh_from_db()
    assert profile.name != "新名字"
    assert not AuditEntry.objects.filter(action=AuditAction.UPDATE).exists()


def test_an_unchanged_correction_writes_no_audit_entry():
    profile = make_worker()
    rights.correct_my_details(worker=profile.user, correction=_correction(profile))
    assert not AuditEntry.objects.filter(action=AuditAction.UPDATE).exists()


def test_deleting_anonymises_the_person_and_keeps_the_counts():
    profile = make_worker(emergency_contact_phone="13900001111", id_number=VALID_ID)
    give_consent(profile.user, NoticeKind.HEALTH)
    station = StationFactory()
    VisitFactory.create_batch(3, station=station, worker=profile.user)
    phone = profile.user.phone

    rights.delete_my_account(worker=profile.user, confirmation="删除")

    profile.refresh_from_db()
    user = User.objects.get(pk=profile.user_id)
    assert profile.anonymised_at is not None
    assert (profile.name, profile.id_number, profile.emergency_contact_phone) == (
        "",
        "",
        "",
    )
    assert (user.phone, user.display_name, user.is_active) == ("", "", False)
    assert not user.has_usable_password()
    assert User.objects.find_by_phone(phone) is None
    assert Visit.objects.filter(station=station).count() == 3
    assert Visit.objects.filter(worker=user).count() == 0
    assert not Consent.objects.filter(worker=user, withdrawn_at__isnull=True).exists()
    assert not has_consent(user, NoticeKind.GENERAL)
    assert WorkerProfile.objects.count() == 1
    assert AuditEntry.objects.filter(action=AuditAction.DELETE).count() == 1


def test_no_trace_of_the_number_or_name_is_left_in_the_rows():
    profile = make_worker(name="独一无二的名字")
    phone = profile.user.phone
    send_one_time_code(phone=phone, purpose=CodePurpose.LOGIN, ip_address="10.0.0.1")
    rights.delete_my_account(worker=profile.user, confirmation="DELETE")
    user = User.objects.get(pk=profile.user_id)
    assert user.phone_hash != phone_lookup_hash(phone)
    assert not OneTimeCode.objects.filter(phone_hash=phone_lookup_hash(phone)).exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone, display_name FROM accounts_user")
        rows = cursor.fetchall()
        cursor.execute("SELECT name FROM workers_workerprofile")
        rows += cursor.fetchall()
    assert all("独一无二的名字" not in str(row) for row in rows)


def test_two_deleted_accounts_do_not_collide():
    first, second = make_worker(), make_worker()
    rights.delete_my_account(worker=first.user, confirmation="删除")
    rights.delete_my_account(worker=second.user, confirmation="删除")
    assert User.objects.filter(is_active=False).count() == 2


def test_deletion_needs_the_confirmation_word_and_changes_nothing_without_it():
    profile = make_worker()
    with pytest.raises(errors.DeletionNotConfirmedError):
        rights.delete_my_account(worker=profile.user, confirmation="yes")
    profile.refresh_from_db()
    assert profile.anonymised_at is None
    assert profile.user.is_active
    assert not AuditEntry.objects.filter(action=AuditAction.DELETE).exists()


def test_a_file_is_anonymised_only_once():
    profile = make_worker()
    rights.anonymise_worker(profile=profile, actor=None, reason="test")
    with pytest.raises(errors.FileAlreadyAnonymisedError):
        rights.anonymise_worker(profile=profile, actor=None, reason="test")


def test_deleting_erases_a_signature_given_at_a_station():
    profile = make_worker()
    Consent.objects.filter(worker=profile.user).update(signature_png="iVBORw0KGgo=")
    rights.anonymise_worker(profile=profile, actor=None, reason="test")
    assert list(Consent.objects.values_list("signature_png", flat=True)) == [""]
