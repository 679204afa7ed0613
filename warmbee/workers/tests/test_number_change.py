"""A worker changes their number on their own phone, with a code from each number."""

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import NoReverseMatch, reverse

from warmbee.accounts.models import User
from warmbee.accounts.otp import send_one_time_code
from warmbee.core.models import AuditAction, AuditEntry
from warmbee.workers.choices import CodePurpose
from warmbee.workers.models import OneTimeCode
from warmbee.workers.tests.factories import last_code, make_worker

pytestmark = pytest.mark.django_db

OLD = "13800001111"
NEW = "13900002222"
URL = "/en/workers/me/number/"


@pytest.fixture
def worker():
    """A worker as registration makes them: they log in with codes, no password."""
    user = make_worker(user__phone=OLD).user
    user.set_unusable_password()
    user.save(update_fields=["password"])
    return user


@pytest.fixture
def phone(client, worker):
    client.force_login(worker)
    return client


def _send(client, number=NEW):
    return client.post(URL, {"phone": number, "send": "1"})


def _confirm(client, new_code, current_code):
    data = {"new_code": new_code, "current_code": current_code, "confirm": "1"}
    return client.post(URL, data)


def _wrong(code):
    return f"{(int(code[0]) + 1) % 10}{code[1:]}"


def _reload(user):
    return User.objects.get(pk=user.pk)


def test_a_worker_changes_their_number_with_a_code_from_each_number(
    phone, worker, outbox
):
    other_phone = Client()
    other_phone.force_login(worker)  # say, a phone left logged in somewhere

    assert _send(phone).status_code == 302
    assert sorted(message.phone for message in outbox) == [OLD, NEW]
    page = phone.get(URL).content.decode()
    assert "139****2222" in page
    assert 'value="13900002222"' in page  # "send new codes" needs no retyping
    response = _confirm(phone, last_code(NEW), last_code(OLD))

    assert response.status_code == 302
    assert response["Location"] == reverse("workers:my_file")
    user = _reload(worker)
    assert (user.phone, user.phone_confirmed_at is not None) == (NEW, True)
    assert User.objects.find_by_phone(OLD) is None
    told = outbox[-1]
    assert (told.phone, told.template, told.params) == (
        OLD,
        "number_changed",
        {"number": "139****2222"},
    )
    entry = AuditEntry.objects.get(action=AuditAction.UPDATE)
    assert (entry.actor, entry.fields) == (user, ["phone", "phone_confirmed_at"])
    assert phone.get(reverse("workers:my_file")).status_code == 200  # still in
    assert other_phone.get(reverse("workers:my_file")).status_code == 302  # logged out


def test_the_old_numbers_codes_and_failed_log_ins_are_erased(phone, worker, outbox):
    old_hash = worker.phone_hash
    AccessAttempt.objects.create(
        username=old_hash[:32], ip_address="10.0.0.1", failures_since_start=2
    )
    _send(phone)

    _confirm(phone, last_code(NEW), last_code(OLD))

    assert not OneTimeCode.objects.filter(phone_hash=old_hash).exists()
    assert not AccessAttempt.objects.filter(username=old_hash[:32]).exists()


def test_changing_back_does_not_bring_an_old_session_back(client, worker, outbox):
    kept = Client()
    kept.force_login(worker)  # a session cookie kept on a stolen phone
    client.force_login(worker)
    for new, old in ((NEW, OLD), (OLD, NEW)):
        OneTimeCode.objects.all().delete()  # a few minutes later: codes may be sent
        _send(client, new)
        _confirm(client, last_code(new), last_code(old))

    assert _reload(worker).phone == OLD
    assert kept.get(reverse("workers:my_file")).status_code == 302


@pytest.mark.parametrize("wrong", ["new", "current"])
def test_a_wrong_code_from_either_number_changes_nothing(phone, worker, outbox, wrong):
    _send(phone)
    new_code, current_code = last_code(NEW), last_code(OLD)
    if wrong == "new":
        new_code = _wrong(new_code)
    else:
        current_code = _wrong(current_code)

    response = _confirm(phone, new_code, current_code)

    assert response.status_code == 400
    assert "The code is wrong" in response.content.decode()
    assert _reload(worker).phone == OLD
    assert not AuditEntry.objects.filter(action=AuditAction.UPDATE).exists()


@pytest.mark.parametrize(
    ("number", "message"),
    [
        (OLD, "This is already the number of the account."),
        ("12345", "11-digit mainland China mobile number"),
        ("13700003333", "This number is already registered."),
    ],
)
def test_a_number_that_cannot_be_the_accounts_is_refused(
    phone, worker, outbox, number, message
):
    make_worker(user__phone="13700003333")

    response = _send(phone, number)

    assert response.status_code in {400, 409}
    assert message in response.content.decode()
    assert outbox == []
    assert _reload(worker).phone == OLD


def test_right_after_logging_in_neither_number_is_texted_yet(phone, worker, outbox):
    send_one_time_code(phone=OLD, purpose=CodePurpose.LOGIN, ip_address=None)
    outbox.clear()  # the log-in code of a moment ago

    response = _send(phone)

    assert response.status_code == 429
    assert "less than a minute ago" in response.content.decode()
    assert outbox == []  # not even the new number: it would be a code wasted


def test_codes_without_a_new_number_ask_for_the_number_first(phone, worker):
    response = _confirm(phone, "123456", "654321")

    assert response.status_code == 400
    assert "Type the new number and ask for a code first." in response.content.decode()


def test_a_number_taken_meanwhile_is_refused_at_the_codes(phone, worker, outbox):
    _send(phone)
    new_code, current_code = last_code(NEW), last_code(OLD)
    make_worker(user__phone=NEW)

    response = _confirm(phone, new_code, current_code)

    assert response.status_code == 409
    assert _reload(worker).phone == OLD


def test_a_race_for_the_number_leaves_the_account_as_it_was(
    worker, outbox, monkeypatch
):
    from warmbee.workers import number_change

    number_change.send_number_change_codes(worker=worker, new_phone=NEW)
    new_code, current_code = last_code(NEW), last_code(OLD)
    make_worker(user__phone=NEW)
    # The other account registers between the check and the save.
    monkeypatch.setattr(number_change, "check_new_number", lambda *args: NEW)

    with pytest.raises(number_change.errors.PhoneAlreadyRegisteredError):
        number_change.change_own_number(
            worker=worker, new_phone=NEW, new_code=new_code, current_code=current_code
        )

    assert (worker.phone, worker.phone_hash) == (OLD, _reload(worker).phone_hash)
    assert _reload(worker).phone == OLD


def test_staff_have_no_way_to_set_a_workers_number():
    # Whoever types a number at a desk could confirm one of their own and take the
    # account; a worker without their old number registers anew and files are merged.
    with pytest.raises(NoReverseMatch):
        reverse("workers:change_number_at_station", args=[1])
