import base64
import datetime as dt
import io

import pytest
from django.test import RequestFactory
from django.utils import timezone, translation
from PIL import Image, ImageDraw

from warmbee.accounts import errors as account_errors
from warmbee.accounts import sms
from warmbee.accounts.models import Role, User
from warmbee.core.models import AuditEntry
from warmbee.factories import make_station_staff, make_user
from warmbee.workers import errors, walk_ins
from warmbee.workers.choices import ConsentChannel
from warmbee.workers.models import Consent, WorkerProfile
from warmbee.workers.services import WorkerDetails, request_login_code
from warmbee.workers.tests.factories import last_code, wrong

pytestmark = pytest.mark.django_db

PHONE = "13812345678"
DETAILS = WorkerDetails(
    name="李师傅", occupation="courier", platform="sf_express", vehicle="tricycle"
)


def signature_png(*, inked: bool = True) -> str:
    image = Image.new("RGBA", (320, 160), (0, 0, 0, 0))
    if inked:
        ImageDraw.Draw(image).line(
            [(20, 80), (300, 60), (150, 140)], fill="black", width=4
        )
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def _request():
    return RequestFactory().post("/", REMOTE_ADDR="10.0.0.9")


def _counts():
    return User.objects.count(), Consent.objects.count(), AuditEntry.objects.count()


def test_staff_register_a_walk_in_with_the_code_from_the_workers_phone():
    staff = make_station_staff()
    walk_ins.start_walk_in(staff=staff, phone=PHONE, send_code=True, request=_request())
    profile = walk_ins.register_walk_in_by_code(
        staff=staff,
        phone=PHONE,
        code=last_code(PHONE),
        details=DETAILS,
        general_notice_version=1,
        health_notice_version=None,
    )
    assert profile.registered_by == staff
    consent = Consent.objects.get(worker=profile.user)
    assert consent.channel == ConsentChannel.STAFF_CONFIRMED_ON_WORKER_PHONE
    assert AuditEntry.objects.filter(actor=staff).count() == 3


def test_staff_register_a_walk_in_on_a_signature_kept_encrypted():
    staff = make_station_staff()
    profile = walk_ins.register_walk_in_by_signature(
        staff=staff,
        phone=PHONE,
        details=DETAILS,
        general_notice_version=1,
        health_notice_version=1,
        signature_data_url=signature_png(),
    )
    consents = Consent.objects.filter(worker=profile.user)
    assert {c.channel for c in consents} == {ConsentChannel.STAFF_SIGNATURE}
    assert consents.count() == 2
    assert all(c.signature_png for c in consents)


@pytest.mark.parametrize(
    "data_url",
    ["", "data:image/png;base64,not-base64!", "data:image/jpeg;base64,AAAA"],
)
def test_a_missing_or_broken_signature_registers_nobody(data_url):
    staff = make_station_staff()
    before = _counts()
    with pytest.raises(errors.InvalidSignatureError):
        walk_ins.register_walk_in_by_signature(
            staff=staff,
            phone=PHONE,
            details=DETAILS,
            general_notice_version=1,
            health_notice_version=None,
            signature_data_url=data_url,
        )
    assert _counts() == before
    assert not WorkerProfile.objects.exists()


def test_a_blank_signature_pad_is_refused():
    with pytest.raises(errors.InvalidSignatureError):
        walk_ins.check_signature(signature_png(inked=False))


@pytest.mark.parametrize("role", [Role.WORKER, Role.DOCTOR, Role.DEPARTMENT_HANDLER])
def test_only_station_managers_register_walk_ins(role):
    with pytest.raises(errors.WalkInNotAllowedError):
        walk_ins.start_walk_in(
            staff=make_user(role), phone=PHONE, send_code=True, request=_request()
        )
    with pytest.raises(errors.WalkInNotAllowedError):
        walk_ins.register_walk_in_by_signature(
            staff=make_user(role),
            phone=PHONE,
            details=DETAILS,
            general_notice_version=1,
            health_notice_version=None,
            signature_data_url=signature_png(),
        )
    assert not WorkerProfile.objects.exists()


def test_a_registered_number_is_refused_before_anything_is_sent():
    staff = make_station_staff()
    make_user(Role.WORKER, phone=PHONE)
    with pytest.raises(errors.PhoneAlreadyRegisteredError):
        walk_ins.start_walk_in(
            staff=staff, phone=PHONE, send_code=False, request=_request()
        )


def _signature_walk_in(staff):
    return walk_ins.register_walk_in_by_signature(
        staff=staff,
        phone=PHONE,
        details=DETAILS,
        general_notice_version=1,
        health_notice_version=None,
        signature_data_url=signature_png(),
    )


def test_a_number_registered_on_a_signature_cannot_log_in_until_staff_confirm_it():
    staff = make_station_staff()
    profile = _signature_walk_in(staff)
    with pytest.raises(errors.PhoneNotConfirmedError):
        request_login_code(phone=PHONE, ip_address="10.0.0.9")

    walk_ins.send_confirmation_code(
        staff=staff, profile_id=profile.pk, request=_request()
    )
    walk_ins.confirm_phone(staff=staff, profile_id=profile.pk, code=last_code(PHONE))

    assert User.objects.get(pk=profile.user_id).phone_confirmed_at is not None
    later = timezone.now() + dt.timedelta(minutes=2)  # past the one-a-minute limit
    request_login_code(phone=PHONE, ip_address="10.0.0.9", now=later)  # now allowed
    entry = AuditEntry.objects.filter(fields=["phone_confirmed_at"]).get()
    assert entry.actor == staff


def test_a_wrong_confirmation_code_confirms_nothing():
    staff = make_station_staff()
    profile = _signature_walk_in(staff)
    walk_ins.send_confirmation_code(
        staff=staff, profile_id=profile.pk, request=_request()
    )
    with pytest.raises(account_errors.WrongCodeError):
        walk_ins.confirm_phone(
            staff=staff, profile_id=profile.pk, code=wrong(last_code(PHONE))
        )
    assert User.objects.get(pk=profile.user_id).phone_confirmed_at is None


def test_staff_of_another_station_cannot_confirm_a_number():
    profile = _signature_walk_in(make_station_staff())
    with pytest.raises(errors.WorkerFileNotFoundError):
        walk_ins.send_confirmation_code(
            staff=make_station_staff(),
            profile_id=profile.pk,
            request=_request(),
        )


def test_the_walk_in_code_message_says_to_give_it_only_to_the_staff():
    with translation.override("en"):
        walk_ins.start_walk_in(
            staff=make_station_staff(),
            phone=PHONE,
            send_code=True,
            request=_request(),
        )
    [message] = sms.outbox
    assert message.template == "walk_in_code"
    assert "only if you agree" in message.text
    assert "Never tell anyone" not in message.text
