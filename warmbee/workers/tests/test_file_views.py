import json

import pytest
from django.urls import reverse

from warmbee.accounts.models import Role
from warmbee.factories import VisitFactory, community, make_user
from warmbee.workers.access import open_sensitive_file
from warmbee.workers.models import WorkerProfile
from warmbee.workers.tests.factories import make_worker

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker_client(client):
    profile = make_worker(name="赵师傅")
    client.force_login(profile.user)
    return client, profile


def test_my_file_shows_the_timeline(worker_client):
    client, profile = worker_client
    VisitFactory(worker=profile.user)
    page = client.get(reverse("workers:my_file")).content.decode()
    assert "赵师傅" in page
    assert page.count('class="timeline-') == 3  # registration, visit, consent


def test_correcting_details_on_the_page(worker_client):
    client, profile = worker_client
    data = {
        "name": "赵建国",
        "occupation": "courier",
        "platform": "jd",
        "vehicle": "tricycle",
        "work_communities": [community().pk],
        "emergency_contact_name": "",
        "emergency_contact_phone": "",
        "id_number": "",
    }
    response = client.post(reverse("workers:correct"), data)
    assert response.status_code == 302
    profile.refresh_from_db()
    assert (profile.name, profile.platform) == ("赵建国", "jd")


def test_a_bad_id_number_is_shown_on_its_field_in_english(worker_client):
    client, profile = worker_client
    data = {"name": "x", "occupation": "courier", "platform": "jd", "vehicle": "car"}
    response = client.post(
        "/en" + reverse("workers:correct"), data | {"id_number": "1"}
    )
    assert response.status_code == 400
    assert "18-character resident ID number" in response.content.decode()
    assert WorkerProfile.objects.get().name == "赵师傅"


def test_export_downloads_a_json_file(worker_client):
    client, profile = worker_client
    response = client.get(reverse("workers:export_json"))
    assert response["Content-Disposition"].startswith(
        'attachment; filename="warmbee-my-data-'
    )
    document = json.loads(response.content)
    assert document["file"]["name"] == "赵师傅"


def test_the_export_page_calls_the_worker_you_and_names_staff(worker_client):
    client, profile = worker_client
    VisitFactory(worker=profile.user)  # in the county's scope
    admin = make_user(Role.COUNTY_ADMIN, display_name="县管理员")
    open_sensitive_file(viewer=admin, profile_id=profile.pk, reason="核实身份信息")

    page = client.get("/en" + reverse("workers:export")).content.decode()

    log = page[page.index('data-testid="export-access-log"') :]
    assert "县管理员" in log
    assert "· you<br>" in log  # the export this page view recorded
    assert f"worker #{profile.user_id}" not in log


def test_deleting_logs_out_and_erases(worker_client):
    client, profile = worker_client
    response = client.post(reverse("workers:delete"), {"confirmation": "DELETE"})
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    profile.refresh_from_db()
    assert profile.anonymised_at is not None


def test_a_wrong_confirmation_deletes_nothing(worker_client):
    client, profile = worker_client
    response = client.post(reverse("workers:delete"), {"confirmation": "ok"})
    assert response.status_code == 400
    profile.refresh_from_db()
    assert profile.anonymised_at is None


def test_staff_find_a_file_by_full_number(client):
    admin = make_user(Role.COUNTY_ADMIN)
    wanted = make_worker(name="要找的人")
    wanted.work_communities.set([community()])
    other = make_worker(name="别人")
    other.work_communities.set([community()])
    client.force_login(admin)
    page = client.get(
        reverse("workers:file_list"), {"query": wanted.user.phone}
    ).content.decode()
    assert "要找的人" in page
    assert "别人" not in page
    listing = page[page.index('data-testid="file-list"') :]
    assert wanted.user.phone not in listing  # the list shows masked numbers only
    assert wanted.user.masked_phone in listing
