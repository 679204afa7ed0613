"""Changing a worker's number: on their own phone, or by station staff with the worker."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from warmbee.accounts.models import User
from warmbee.core.models import AuditAction, AuditEntry
from warmbee.factories import VisitFactory, make_station_staff
from warmbee.workers.tests.factories import last_code, make_worker

pytestmark = pytest.mark.django_db

OLD = "13800001111"
NEW = "13900002222"
URL = "/en/workers/me/number/"


@pytest.fixture
def worker():
    return make_worker(user__phone=OLD).user


@pytest.fixture
def phone(client, worker):
    client.force_login(worker)
    return client


def _send(client, number=NEW):
    return client.post(URL, {"phone": number, "send": "1"})


def _confirm(client, code):
    return client.post(URL, {"code": code, "confirm": "1"})


def _reload(user):
    return User.objects.get(pk=user.pk)


def test_a_worker_changes_their_number_with_a_code_sent_to_it(
    phone, worker, outbox, client
):
    other_phone = Client()
    other_phone.force_login(worker)  # say, the phone that was lost

    assert _send(phone).status_code == 302
    assert [message.phone for message in outbox] == [NEW]
    page = phone.get(URL).content.decode()
    assert "139****2222" in page
    response = _confirm(phone, last_code(NEW))

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


def test_a_wrong_code_changes_nothing(phone, worker, outbox):
    _send(phone)
    code = last_code(NEW)
    wrong = f"{(int(code[0]) + 1) % 10}{code[1:]}"

    response = _confirm(phone, wrong)

    assert response.status_code == 400
    assert "The code is wrong" in response.content.decode()
    assert _reload(worker).phone == OLD
    assert not AuditEntry.objects.filter(action=AuditAction.UPDATE).exists()


def test_a_code_without_a_new_number_asks_for_the_number_first(phone, worker):
    response = _confirm(phone, "123456")

    assert response.status_code == 400
    assert "Type the new number and ask for a code first." in response.content.decode()


def test_a_number_taken_meanwhile_is_refused_at_the_code(phone, worker, outbox):
    _send(phone)
    make_worker(user__phone=NEW)

    response = _confirm(phone, last_code(NEW))

    assert response.status_code == 409
    assert _reload(worker).phone == OLD


# ------------------------------------------------------------------ at a station


@pytest.fixture
def staffed(worker):
    """Station staff who may open the worker's file (the worker visited there)."""
    staff = make_station_staff()
    VisitFactory(station=staff.staffed_stations.first(), worker=worker)
    return staff


def _station_url(worker):
    profile_id = worker.worker_profile.pk
    return reverse("workers:change_number_at_station", args=[profile_id]), profile_id


def test_staff_give_a_new_number_the_worker_then_confirms_with_a_code(
    client, worker, staffed, outbox
):
    lost_phone = Client()
    lost_phone.force_login(worker)
    client.force_login(staffed)
    url, profile_id = _station_url(worker)

    response = client.post(url, {"phone": NEW})

    assert response["Location"] == reverse("workers:file_detail", args=[profile_id])
    user = _reload(worker)
    assert (user.phone, user.phone_confirmed_at) == (NEW, None)
    assert outbox[-1].phone == OLD and outbox[-1].template == "number_changed"
    entry = AuditEntry.objects.get(action=AuditAction.UPDATE)
    assert (entry.actor, entry.fields) == (staffed, ["phone", "phone_confirmed_at"])
    assert lost_phone.get(reverse("workers:my_file")).status_code == 302
    page = client.get(reverse("workers:file_detail", args=[profile_id]))
    assert 'data-testid="confirm-number"' in page.content.decode()

    confirm = reverse("workers:confirm_phone", args=[profile_id])
    client.post(confirm, {"action": "send"})
    client.post(confirm, {"action": "confirm", "code": last_code(NEW)})

    assert _reload(worker).phone_confirmed_at is not None


def test_staff_who_cannot_open_the_file_cannot_change_its_number(
    client, worker, outbox
):
    client.force_login(make_station_staff())  # another station: never saw the worker
    url, _profile_id = _station_url(worker)

    response = client.post(url, {"phone": NEW})

    assert response.status_code == 302  # back to the file, which answers 404
    assert client.get(response["Location"]).status_code == 404
    assert _reload(worker).phone == OLD
    assert outbox == []


def test_a_bad_number_typed_by_staff_changes_nothing(client, worker, staffed, outbox):
    client.force_login(staffed)
    url, _profile_id = _station_url(worker)

    response = client.post("/en" + url, {"phone": "1380000"}, follow=True)

    assert re.search(
        r"11-digit mainland China mobile number", response.content.decode()
    )
    assert _reload(worker).phone == OLD
    assert outbox == []
