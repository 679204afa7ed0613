import datetime as dt

import pytest
from django.utils import timezone, translation

from warmbee.accounts import errors as account_errors
from warmbee.accounts.models import Role, User
from warmbee.core.models import AuditAction, AuditEntry
from warmbee.factories import community, make_user
from warmbee.regions.models import Region
from warmbee.workers import errors, services
from warmbee.workers.choices import (
    CodePurpose,
    ConsentChannel,
    NoticeKind,
    Occupation,
    Platform,
    Vehicle,
)
from warmbee.workers.models import Consent, OneTimeCode, PrivacyNotice, WorkerProfile
from warmbee.workers.selectors import has_consent
from warmbee.workers.tests.factories import (
    current_notice,
    give_consent,
    last_code,
    make_worker,
    wrong,
)

pytestmark = pytest.mark.django_db

PHONE = "13812345678"
ADDRESS = "203.0.113.7"
DETAILS = services.WorkerDetails(
    name=" 张师傅 ",
    occupation=Occupation.COURIER,
    platform=Platform.SF_EXPRESS,
    vehicle=Vehicle.EBIKE,
    emergency_contact_name="李女士",
    emergency_contact_phone="139 1234 5678",
)


def _counts():
    return {
        "users": User.objects.count(),
        "profiles": WorkerProfile.objects.count(),
        "consents": Consent.objects.count(),
        "audit": AuditEntry.objects.count(),
        "codes used": OneTimeCode.objects.filter(used_at__isnull=False).count(),
    }


def _code(phone=PHONE, purpose=CodePurpose.REGISTER, now=None):
    send = (
        services.request_registration_code
        if purpose == CodePurpose.REGISTER
        else services.request_login_code
    )
    send(phone=phone, ip_address=ADDRESS, now=now)
    return last_code(phone)


def _register(code, **overrides):
    arguments = {
        "phone": PHONE,
        "code": code,
        "details": DETAILS,
        "general_notice_version": 1,
        "health_notice_version": None,
    }
    return services.register_worker(**(arguments | overrides))


def test_registers_a_worker_with_account_file_consent_and_audit():
    details = services.WorkerDetails(
        **(DETAILS.__dict__ | {"work_communities": [community()]})
    )
    profile = _register(_code(), details=details)
    user = User.objects.get()
    assert profile.user == user
    assert (user.phone, user.role, user.display_name) == (PHONE, Role.WORKER, "张师傅")
    assert not user.has_usable_password()
    assert (profile.name, profile.occupation, profile.platform, profile.vehicle) == (
        "张师傅",
        Occupation.COURIER,
        Platform.SF_EXPRESS,
        Vehicle.EBIKE,
    )
    assert list(profile.work_communities.all()) == [community()]
    assert profile.emergency_contact_phone == "13912345678"
    assert len(profile.card_code) == 16
    assert profile.registered_by is None
    consent = Consent.objects.get()
    assert (consent.worker, consent.notice, consent.channel) == (
        user,
        current_notice(NoticeKind.GENERAL),
        ConsentChannel.PHONE,
    )
    assert consent.withdrawn_at is None
    assert has_consent(user, NoticeKind.GENERAL)
    assert not has_consent(user, NoticeKind.HEALTH)
    entries = list(
        AuditEntry.objects.order_by("id").values_list("action", "target_type", "actor")
    )
    assert entries == [
        (AuditAction.CREATE, "accounts.user", user.pk),
        (AuditAction.CREATE, "workers.workerprofile", user.pk),
        (AuditAction.CONSENT, "workers.consent", user.pk),
    ]
    assert AuditEntry.objects.get(target_type="workers.workerprofile").fields == [
        "emergency_contact_name",
        "emergency_contact_phone",
        "name",
        "occupation",
        "platform",
        "vehicle",
        "work_communities",
    ]


def test_registers_the_separate_health_consent_when_given():
    _register(_code(), health_notice_version=1)
    user = User.objects.get()
    assert has_consent(user, NoticeKind.HEALTH)
    assert sorted(Consent.objects.values_list("notice__kind", flat=True)) == [
        "general",
        "health",
    ]


def test_records_the_staff_member_who_registered_a_walk_in():
    staff = make_user(Role.STATION_STAFF)
    channel = ConsentChannel.STAFF_CONFIRMED_ON_WORKER_PHONE
    profile = _register(_code(), registered_by=staff, channel=channel)
    assert profile.registered_by == staff
    assert Consent.objects.get().channel == channel
    assert set(AuditEntry.objects.values_list("actor", flat=True)) == {staff.pk}


def test_refuses_a_number_already_registered_and_changes_nothing(outbox):
    make_user(Role.WORKER, phone=PHONE)
    before = _counts()
    with pytest.raises(errors.PhoneAlreadyRegisteredError):
        services.request_registration_code(phone=PHONE, ip_address=ADDRESS)
    with pytest.raises(errors.PhoneAlreadyRegisteredError):
        _register("123456")
    assert _counts() == before
    assert OneTimeCode.objects.count() == 0
    assert outbox == []


def test_refuses_a_wrong_code_and_creates_nothing():
    code = _code()
    before = _counts()
    with pytest.raises(account_errors.WrongCodeError):
        _register(wrong(code))
    assert _counts() == before
    assert OneTimeCode.objects.get().attempts == 1


def test_refuses_an_expired_code_and_creates_nothing():
    sent_at = timezone.now() - dt.timedelta(minutes=6)
    code = _code(now=sent_at)
    before = _counts()
    with pytest.raises(account_errors.CodeExpiredError):
        _register(code)
    assert _counts() == before


def test_refuses_registration_without_consent_and_keeps_the_code_usable():
    code = _code()
    before = _counts()
    with pytest.raises(errors.ConsentRequiredError):
        _register(code, general_notice_version=None)
    assert _counts() == before
    _register(code)
    assert User.objects.count() == 1


def test_refuses_consent_to_a_notice_version_that_is_not_current():
    code = _code()
    PrivacyNotice.objects.create(
        kind=NoticeKind.GENERAL,
        version=2,
        text_zh="第2版",
        text_en="Version 2",
        published_at=timezone.now() - dt.timedelta(seconds=1),
    )
    before = _counts()
    with pytest.raises(errors.NoticeChangedError):
        _register(code, general_notice_version=1)
    assert _counts() == before


@pytest.mark.parametrize("contact_phone", ["12345", "2391234567", "phone"])
def test_refuses_a_malformed_emergency_contact_number(contact_phone):
    code = _code()
    details = services.WorkerDetails(
        **(DETAILS.__dict__ | {"emergency_contact_phone": contact_phone})
    )
    before = _counts()
    with pytest.raises(errors.InvalidContactPhoneError):
        _register(code, details=details)
    assert _counts() == before


def test_accepts_a_landline_emergency_contact_number():
    details = services.WorkerDetails(
        **(DETAILS.__dict__ | {"emergency_contact_phone": "0351-1234567"})
    )
    profile = _register(_code(), details=details)
    assert profile.emergency_contact_phone == "03511234567"


def test_refuses_a_work_area_that_is_not_a_community():
    code = _code()
    county = Region.objects.get(code="140122000000")
    details = services.WorkerDetails(
        **(DETAILS.__dict__ | {"work_communities": [county]})
    )
    before = _counts()
    with pytest.raises(errors.NotACommunityError):
        _register(code, details=details)
    assert _counts() == before


def test_sends_a_log_in_code_only_to_registered_workers(outbox):
    make_worker(user__phone=PHONE)
    make_user(Role.STATION_STAFF, phone="13900000001")
    with pytest.raises(errors.PhoneNotRegisteredError):
        services.request_login_code(phone="13700000000", ip_address=ADDRESS)
    with pytest.raises(errors.NotWorkerAccountError):
        services.request_login_code(phone="13900000001", ip_address=ADDRESS)
    assert OneTimeCode.objects.count() == 0
    services.request_login_code(phone=PHONE, ip_address=ADDRESS)
    assert [message.phone for message in outbox] == [PHONE]
    assert OneTimeCode.objects.get().purpose == CodePurpose.LOGIN


def test_refuses_a_log_in_code_for_a_disabled_account():
    make_worker(user__phone=PHONE, user__is_active=False)
    with pytest.raises(errors.PhoneNotRegisteredError):
        services.request_login_code(phone=PHONE, ip_address=ADDRESS)
    assert OneTimeCode.objects.count() == 0


def test_checks_a_log_in_code_and_audits_the_log_in():
    profile = make_worker(user__phone=PHONE)
    code = _code(purpose=CodePurpose.LOGIN)
    user = services.check_login_code(phone=PHONE, code=code)
    assert user == profile.user
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor, entry.target_id) == (
        AuditAction.LOGIN,
        user,
        str(user.pk),
    )


def test_refuses_a_reused_log_in_code():
    make_worker(user__phone=PHONE)
    code = _code(purpose=CodePurpose.LOGIN)
    services.check_login_code(phone=PHONE, code=code)
    with pytest.raises(account_errors.CodeAlreadyUsedError):
        services.check_login_code(phone=PHONE, code=code)
    assert AuditEntry.objects.count() == 1


def test_a_registration_code_does_not_log_in():
    code = _code()
    _register(code)
    with pytest.raises(account_errors.NoCodeSentError):
        services.check_login_code(phone=PHONE, code=code)


def test_withdraws_consent_once_and_audits_it():
    profile = make_worker()
    worker = profile.user
    now = timezone.now()
    services.withdraw_consent(worker=worker, kind=NoticeKind.GENERAL, now=now)
    consent = Consent.objects.get()
    assert consent.withdrawn_at == now
    assert not has_consent(worker, NoticeKind.GENERAL)
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.fields, entry.target_id) == (
        AuditAction.CONSENT,
        ["withdrawn_at"],
        str(consent.pk),
    )
    with pytest.raises(errors.NoActiveConsentError):
        services.withdraw_consent(
            worker=worker, kind=NoticeKind.GENERAL, now=now + dt.timedelta(hours=1)
        )
    consent.refresh_from_db()
    assert consent.withdrawn_at == now
    assert AuditEntry.objects.count() == 1


def test_withdrawing_health_consent_leaves_the_general_one():
    profile = make_worker()
    give_consent(profile.user, NoticeKind.HEALTH)
    services.withdraw_consent(worker=profile.user, kind=NoticeKind.HEALTH)
    assert has_consent(profile.user, NoticeKind.GENERAL)
    assert not has_consent(profile.user, NoticeKind.HEALTH)


def test_giving_consent_again_after_withdrawal_adds_a_new_row():
    profile = make_worker()
    services.withdraw_consent(worker=profile.user, kind=NoticeKind.GENERAL)
    consent = services.grant_consent(
        worker=profile.user, kind=NoticeKind.GENERAL, notice_version=1
    )
    assert Consent.objects.count() == 2
    assert consent.withdrawn_at is None
    assert has_consent(profile.user, NoticeKind.GENERAL)
    assert AuditEntry.objects.filter(action=AuditAction.CONSENT).count() == 2


def test_giving_consent_twice_adds_nothing():
    profile = make_worker()
    existing = Consent.objects.get()
    consent = services.grant_consent(
        worker=profile.user, kind=NoticeKind.GENERAL, notice_version=1
    )
    assert consent == existing
    assert Consent.objects.count() == 1
    assert AuditEntry.objects.count() == 0


def test_refuses_consent_to_an_old_notice_version():
    profile = make_worker()
    services.withdraw_consent(worker=profile.user, kind=NoticeKind.GENERAL)
    with pytest.raises(errors.NoticeChangedError):
        services.grant_consent(
            worker=profile.user, kind=NoticeKind.GENERAL, notice_version=7
        )
    assert Consent.objects.count() == 1


def test_errors_name_the_field_they_belong_to():
    assert errors.PhoneAlreadyRegisteredError.field == "phone"
    with translation.override("en"):
        assert errors.PhoneAlreadyRegisteredError().detail == (
            "This number is already registered. Log in with a code instead."
        )
