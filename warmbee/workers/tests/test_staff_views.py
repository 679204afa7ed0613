import pytest
from django.urls import reverse

from warmbee.accounts.models import Role, User
from warmbee.factories import make_user
from warmbee.workers.models import Consent, WorkerProfile
from warmbee.workers.tests.factories import last_code
from warmbee.workers.tests.test_walk_ins import signature_png

pytestmark = pytest.mark.django_db

PHONE = "13812345678"
DETAILS = {
    "name": "周师傅",
    "occupation": "sanitation_worker",
    "platform": "sanitation_company",
    "vehicle": "tricycle",
    "general_notice_version": "1",
    "health_notice_version": "1",
    "general_consent": "on",
}


@pytest.fixture
def staff_client(client):
    client.force_login(make_user(Role.STATION_STAFF))
    return client


def test_walk_in_with_a_code_in_two_steps(staff_client):
    response = staff_client.post(
        reverse("workers:walk_in"), {"phone": PHONE, "method": "code"}
    )
    assert response["Location"] == reverse("workers:walk_in_details")
    response = staff_client.post(
        reverse("workers:walk_in_details"), DETAILS | {"code": last_code(PHONE)}
    )
    assert response.status_code == 302
    profile = WorkerProfile.objects.get()
    assert profile.user == User.objects.find_by_phone(PHONE)
    assert Consent.objects.get().channel == "staff_confirmed_on_worker_phone"


def test_walk_in_with_a_signature(staff_client):
    staff_client.post(
        reverse("workers:walk_in"), {"phone": PHONE, "method": "signature"}
    )
    page = staff_client.get(reverse("workers:walk_in_details")).content.decode()
    assert "data-signature-pad" in page
    response = staff_client.post(
        reverse("workers:walk_in_details"), DETAILS | {"signature": signature_png()}
    )
    assert response.status_code == 302
    assert Consent.objects.get().channel == "staff_signature"


def test_walk_in_without_a_signature_keeps_the_form(staff_client):
    staff_client.post(
        reverse("workers:walk_in"), {"phone": PHONE, "method": "signature"}
    )
    response = staff_client.post(reverse("workers:walk_in_details"), DETAILS)
    assert response.status_code == 400
    assert 'data-testid="error-signature"' in response.content.decode()
    assert not WorkerProfile.objects.exists()


def test_walk_in_with_a_wrong_code_registers_nobody(staff_client):
    staff_client.post(reverse("workers:walk_in"), {"phone": PHONE, "method": "code"})
    response = staff_client.post(
        reverse("workers:walk_in_details"), DETAILS | {"code": "000000"}
    )
    assert response.status_code == 400
    assert not WorkerProfile.objects.exists()


def test_walk_in_details_without_a_number_go_back_to_step_one(staff_client):
    response = staff_client.get(reverse("workers:walk_in_details"))
    assert response["Location"] == reverse("workers:walk_in")


def test_a_malformed_number_is_refused_at_step_one(staff_client):
    response = staff_client.post(
        reverse("workers:walk_in"), {"phone": "12345", "method": "code"}
    )
    assert response.status_code == 400
    assert not WorkerProfile.objects.exists()
