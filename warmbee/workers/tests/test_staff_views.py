import pytest
from django.urls import reverse

from warmbee.accounts.models import Role, User
from warmbee.core.models import AuditAction, AuditEntry
from warmbee.factories import VisitFactory, community, make_station_staff, make_user
from warmbee.workers.identity import id_number_lookup_hash
from warmbee.workers.models import Consent, WorkerProfile
from warmbee.workers.tests.factories import last_code, make_worker
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
    client.force_login(make_station_staff())
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


def test_admin_merges_two_files_with_the_same_id_number(client):
    id_hash = id_number_lookup_hash("110101199003077571")
    older = make_worker(
        name="老档案", id_number="110101199003077571", id_number_hash=id_hash
    )
    newer = make_worker(
        name="新档案", id_number="110101199003077571", id_number_hash=id_hash
    )
    for profile in (older, newer):
        profile.work_communities.set([community()])
    VisitFactory(worker=newer.user)
    client.force_login(make_user(Role.COUNTY_ADMIN))
    page = client.get(reverse("workers:duplicates")).content.decode()
    assert page.count('data-testid="duplicate-group"') == 1
    data = {
        "file_a": older.pk,
        "file_b": newer.pk,
        "keep": "a",
        "reason": "同一身份证号，重复登记",
    }
    response = client.post(reverse("workers:duplicates"), data)
    assert response.status_code == 302
    newer.refresh_from_db()
    assert newer.merged_into == older
    assert older.user.visits.count() == 1
    assert AuditEntry.objects.filter(action=AuditAction.MERGE).count() == 2


def test_a_merge_without_a_reason_changes_nothing(client):
    first, second = make_worker(), make_worker()
    client.force_login(make_user(Role.COUNTY_ADMIN))
    data = {"file_a": first.pk, "file_b": second.pk, "keep": "a", "reason": "x"}
    response = client.post(reverse("workers:duplicates"), data)
    assert response.status_code == 400
    second.refresh_from_db()
    assert second.merged_into is None


def test_admin_keeps_the_newer_file_so_its_number_still_logs_in(client):
    id_hash = id_number_lookup_hash("110101199003077571")
    older = make_worker(id_number="110101199003077571", id_number_hash=id_hash)
    newer = make_worker(id_number="110101199003077571", id_number_hash=id_hash)
    for profile in (older, newer):
        profile.work_communities.set([community()])
    client.force_login(make_user(Role.COUNTY_ADMIN))
    data = {
        "file_a": older.pk,
        "file_b": newer.pk,
        "keep": "b",
        "reason": "换了新手机号，保留新档案",
    }
    assert client.post(reverse("workers:duplicates"), data).status_code == 302
    older.refresh_from_db()
    assert older.merged_into == newer
    assert User.objects.get(pk=newer.user_id).is_active


def test_merging_a_file_id_that_does_not_exist_is_not_found(client):
    first = make_worker()
    client.force_login(make_user(Role.COUNTY_ADMIN))
    data = {
        "file_a": first.pk,
        "file_b": 999_999,
        "keep": "a",
        "reason": "重复登记的档案",
    }
    response = client.post(reverse("workers:duplicates"), data)
    assert response.status_code == 404


def test_station_staff_without_a_station_cannot_register_walk_ins(client):
    client.force_login(make_user(Role.STATION_STAFF))

    response = client.post(reverse("workers:walk_in"), {"phone": PHONE})

    assert response.status_code == 403
    assert not User.objects.filter(phone=PHONE).exists()
