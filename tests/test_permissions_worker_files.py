"""The permission matrix of the worker file: own pages, staff pages, the reason prompt.

Uses the world of tests/test_permissions.py: the worker visited ``station`` (staffed by
STATION_STAFF) in Yangqu; OTHER_COUNTY_ADMIN runs Qingxu.
"""

from urllib.parse import quote

import pytest
from django.urls import reverse

from tests.test_permissions import (
    ANONYMOUS,
    COUNTY_ADMIN,
    DOCTOR,
    HANDLER,
    LOGIN,
    OTHER_COUNTY_ADMIN,
    OTHER_STATION_STAFF,
    PROVINCE_ADMIN,
    ROLES,
    STATION_STAFF,
    SUPERUSER,
    WORKER,
    World,
    _assert_outcome,
    _cases,
    _client_as,
    _fast_setup,  # noqa: F401  # an autouse fixture, used by being imported
    world,  # noqa: F401  # the fixture, used by name
)
from warmbee.core.models import AuditAction, AuditEntry
from warmbee.factories import VisitFactory
from warmbee.workers.models import WorkerProfile
from warmbee.workers.tests.factories import WorkerProfileFactory

pytestmark = pytest.mark.django_db

WORKER_LOGIN = "redirect to worker login"
REASON = "核实紧急联系人信息"


@pytest.fixture
def profile(world: World) -> WorkerProfile:
    worker_file = WorkerProfileFactory(user=world.users[WORKER])
    VisitFactory(station=world.station, worker=worker_file.user)
    return worker_file


def _outcome(response, expected, url):  # type: ignore[no-untyped-def]
    if expected == WORKER_LOGIN:
        assert response.status_code == 302
        assert response["Location"] == f"/workers/login/?next={quote(url)}"
    else:
        _assert_outcome(response, expected, url)


OWN_PAGES = ["my_file", "correct", "change_number", "export", "export_json", "delete"]
OWN_MATRIX = {
    page: dict.fromkeys(ROLES, 403) | {ANONYMOUS: WORKER_LOGIN, WORKER: 200}
    for page in OWN_PAGES
}


@pytest.mark.parametrize(("page", "role", "expected"), _cases(OWN_MATRIX))
def test_own_file_pages_are_for_the_worker_only(world, profile, page, role, expected):
    url = reverse(f"workers:{page}")
    response = _client_as(world, role).get(url)
    _outcome(response, expected, url)


READERS = {STATION_STAFF, OTHER_STATION_STAFF, DOCTOR, COUNTY_ADMIN}
READERS |= {OTHER_COUNTY_ADMIN, PROVINCE_ADMIN, SUPERUSER}
STAFF_MATRIX = {
    "file_list": {
        role: LOGIN if role == ANONYMOUS else 200 if role in READERS else 403
        for role in ROLES
    },
    "walk_in": dict.fromkeys(ROLES, 200)
    | {ANONYMOUS: LOGIN, WORKER: 403, DOCTOR: 403, HANDLER: 403},
    "duplicates": dict.fromkeys(ROLES, 403)
    | {ANONYMOUS: LOGIN, COUNTY_ADMIN: 200, OTHER_COUNTY_ADMIN: 200}
    | {PROVINCE_ADMIN: 200, SUPERUSER: 200},
    "file_detail": {
        ANONYMOUS: LOGIN,
        WORKER: 403,
        STATION_STAFF: 200,
        OTHER_STATION_STAFF: 404,
        DOCTOR: 404,
        HANDLER: 403,
        COUNTY_ADMIN: 200,
        OTHER_COUNTY_ADMIN: 404,
        PROVINCE_ADMIN: 200,
        SUPERUSER: 200,
    },
}


@pytest.mark.parametrize(("page", "role", "expected"), _cases(STAFF_MATRIX))
def test_staff_file_pages_follow_the_scoping_rules(
    world, profile, page, role, expected
):
    args = [profile.pk] if page == "file_detail" else []
    url = reverse(f"workers:{page}", args=args)
    response = _client_as(world, role).get(url)
    _outcome(response, expected, url)
    if page == "file_detail" and expected == 200:
        assert profile.user.phone not in response.content.decode()


SENSITIVE_MATRIX = {
    ANONYMOUS: LOGIN,
    WORKER: 403,
    STATION_STAFF: 403,
    OTHER_STATION_STAFF: 403,  # refused by role before the file is even looked up
    DOCTOR: 403,
    HANDLER: 403,
    COUNTY_ADMIN: 200,
    OTHER_COUNTY_ADMIN: 404,
    PROVINCE_ADMIN: 200,
    SUPERUSER: 200,
}


@pytest.mark.parametrize(("role", "expected"), SENSITIVE_MATRIX.items())
def test_opening_sensitive_data_needs_an_admin_and_is_logged(
    world,
    profile,
    role,
    expected,
):
    url = reverse("workers:file_detail", args=[profile.pk])
    response = _client_as(world, role).post(url, {"reason": REASON})
    _outcome(response, expected, url)
    reads = AuditEntry.objects.filter(action=AuditAction.READ_SENSITIVE)
    if expected == 200:
        assert profile.user.phone in response.content.decode()
        read = reads.get()
        assert (read.actor, read.reason) == (world.users[role], REASON)
    else:
        assert not reads.exists()  # a refused open reads nothing, not even the visits


@pytest.mark.parametrize("reason", ["", "看"])
def test_the_reason_prompt_refuses_an_empty_reason(world, profile, reason):
    url = reverse("workers:file_detail", args=[profile.pk])
    response = _client_as(world, COUNTY_ADMIN).post(url, {"reason": reason})
    assert response.status_code == 400
    assert profile.user.phone not in response.content.decode()
    assert not AuditEntry.objects.filter(action=AuditAction.READ_SENSITIVE).exists()
