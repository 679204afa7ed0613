"""The permission matrix: every page and endpoint of stations and visits, over every role.

Roles: anonymous, worker, staff of the station, staff of another station, doctor,
department handler, Yangqu's county admin, another county's admin, the province admin and
a superuser. Refused writes also leave the database as it was.
"""

import datetime as dt
import uuid
from dataclasses import dataclass
from urllib.parse import quote

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from warmbee.accounts.models import Role, User
from warmbee.core.audit import record_audit
from warmbee.core.models import AuditAction, AuditEntry
from warmbee.factories import StationFactory, community, make_user
from warmbee.regions.models import Region, RegionLevel
from warmbee.stations.choices import AmenityStatus, FlagStatus
from warmbee.stations.models import Amenity, AmenityFlag, Station, StationAmenity
from warmbee.visits.models import Visit, VisitChannel
from warmbee.workers.tests.factories import give_consent

pytestmark = pytest.mark.django_db

ANONYMOUS = "anonymous"
WORKER = "worker"
STATION_STAFF = "station_staff"
OTHER_STATION_STAFF = "other_station_staff"
DOCTOR = "doctor"
HANDLER = "department_handler"
COUNTY_ADMIN = "county_admin"
OTHER_COUNTY_ADMIN = "other_county_admin"
PROVINCE_ADMIN = "province_admin"
SUPERUSER = "superuser"
ROLES = [
    ANONYMOUS,
    WORKER,
    STATION_STAFF,
    OTHER_STATION_STAFF,
    DOCTOR,
    HANDLER,
    COUNTY_ADMIN,
    OTHER_COUNTY_ADMIN,
    PROVINCE_ADMIN,
    SUPERUSER,
]

LOGIN = "redirect to login"
ADMIN_LOGIN = "redirect to admin login"
DONE = "done (redirect back)"

QINGXU_CODE = "140121000000"
QINGYUAN_COMMUNITY_CODE = "140121100001"


@dataclass(frozen=True)
class World:
    station: Station  # Xinyang, Yangqu; staffed by STATION_STAFF
    other_station: Station  # Huangzhai, Yangqu; staffed by OTHER_STATION_STAFF
    qingxu_station: Station  # in another county
    flag: AmenityFlag  # an open correction at ``station``
    users: dict[str, User]


def _other_county() -> Region:
    county = Region.objects.create(
        code=QINGXU_CODE,
        name="清徐县",
        name_en="Qingxu County",
        level=RegionLevel.COUNTY,
        parent=Region.objects.get(code="140100000000"),
    )
    return Region.objects.create(
        code=QINGYUAN_COMMUNITY_CODE,
        name="清源社区",
        name_en="Qingyuan Community",
        level=RegionLevel.COMMUNITY,
        parent=county,
    )


@pytest.fixture(autouse=True)
def _fast_setup(settings) -> None:  # type: ignore[no-untyped-def]
    # Nine users per test: Argon2 would spend seconds hashing their passwords.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()  # the check-in API's rate limit counts in the cache


@pytest.fixture
def world() -> World:
    qingyuan = _other_county()
    station = StationFactory(name="新阳驿站")
    other_station = StationFactory(
        name="黄寨驿站", community=community("140122100001"), lat_deg=38.07
    )
    qingxu_station = StationFactory(
        name="清源驿站", community=qingyuan, lat_deg=37.60, lon_deg=112.36
    )
    users = {
        WORKER: give_consent(make_user(Role.WORKER)).worker,
        STATION_STAFF: make_user(Role.STATION_STAFF),
        OTHER_STATION_STAFF: make_user(Role.STATION_STAFF),
        DOCTOR: make_user(Role.DOCTOR),
        HANDLER: make_user(Role.DEPARTMENT_HANDLER),
        COUNTY_ADMIN: make_user(Role.COUNTY_ADMIN, is_staff=True),
        OTHER_COUNTY_ADMIN: make_user(
            Role.COUNTY_ADMIN, region=qingyuan.parent, is_staff=True
        ),
        PROVINCE_ADMIN: make_user(Role.PROVINCE_ADMIN, is_staff=True),
        SUPERUSER: make_user(Role.PROVINCE_ADMIN, is_staff=True, is_superuser=True),
    }
    station.staff.add(users[STATION_STAFF])
    other_station.staff.add(users[OTHER_STATION_STAFF])
    flag = AmenityFlag.objects.create(
        station=station, amenity_id=_amenity_id("toilet"), suggested_status="broken"
    )
    return World(station, other_station, qingxu_station, flag, users)


def _amenity_id(code: str) -> int:
    return Amenity.objects.get(code=code).pk


def _client_as(world: World, role: str, **client_options: bool) -> Client:
    client = Client(**client_options)
    if role != ANONYMOUS:
        client.force_login(world.users[role])
    return client


def _assert_outcome(response, expected: object, url: str, done_url: str = "") -> None:  # type: ignore[no-untyped-def]
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"] == f"/accounts/login/?next={quote(url)}"
    elif expected == ADMIN_LOGIN:
        assert response.status_code == 302
        assert response["Location"] == f"/admin/login/?next={quote(url)}"
    elif expected == DONE:
        assert response.status_code == 302
        assert response["Location"] == done_url
    else:
        assert response.status_code == expected


def _cases(matrix: dict[str, dict[str, object]]) -> list[object]:
    return [
        pytest.param(page, role, expected, id=f"{page}-{role}")
        for page, expectations in matrix.items()
        for role, expected in expectations.items()
    ]


def _everyone(expected: object) -> dict[str, object]:
    return dict.fromkeys(ROLES, expected)


# ---------------------------------------------------------------- public pages and API


PUBLIC_PAGES = {
    "home": lambda w: "/",
    "home-en": lambda w: "/en/",
    "finder": lambda w: "/find/?lat=38.06&lon=112.68",
    "finder-en": lambda w: "/en/find/?lat=38.06&lon=112.68",
    "station-detail": lambda w: reverse("stations:detail", args=[w.station.pk]),
    "checkin-page": lambda w: f"/s/{w.station.checkin_code}/",
    "api-nearest": lambda w: "/api/stations/nearest?lat=38.06&lon=112.68",
    "api-amenities": lambda w: "/api/stations/amenities",
    "api-station": lambda w: f"/api/stations/{w.station.pk}",
}


@pytest.mark.parametrize(
    ("page", "role", "expected"),
    _cases({page: _everyone(200) for page in PUBLIC_PAGES}),
)
def test_public_pages_and_reads_open_to_every_role(world, page, role, expected):
    url = PUBLIC_PAGES[page](world)

    response = _client_as(world, role).get(url)

    _assert_outcome(response, expected, url)


@pytest.mark.parametrize("role", ROLES)
def test_everyone_can_flag_an_amenity(world, role):
    url = reverse("stations:flag", args=[world.station.pk])

    response = _client_as(world, role).post(
        url,
        {"amenity": "drinking_water", "suggested_status": AmenityStatus.OUT_OF_STOCK},
    )

    _assert_outcome(
        response, DONE, url, reverse("stations:detail", args=[world.station.pk])
    )
    flag = AmenityFlag.objects.exclude(pk=world.flag.pk).get()
    assert (flag.station, flag.amenity.code, flag.status) == (
        world.station,
        "drinking_water",
        FlagStatus.OPEN,
    )
    assert StationAmenity.objects.get(
        station=world.station, amenity__code="drinking_water"
    ).status == (AmenityStatus.UNKNOWN)


@pytest.mark.parametrize("role", ROLES)
def test_everyone_can_check_in_on_the_page_and_only_a_worker_gets_it_on_file(
    world, role
):
    url = f"/s/{world.station.checkin_code}/"
    client_id = uuid.uuid4()

    response = _client_as(world, role).post(
        url, {"client_id": str(client_id), "services": ["drinking_water"]}
    )

    assert response.status_code == 200
    visit = Visit.objects.get()
    assert (visit.client_id, visit.station, visit.channel) == (
        client_id,
        world.station,
        VisitChannel.QR,
    )
    expected_worker = world.users[WORKER] if role == WORKER else None
    assert visit.worker == expected_worker


def _checkin_payload(world: World) -> dict[str, object]:
    return {
        "client_id": str(uuid.uuid4()),
        "checkin_code": world.station.checkin_code,
        "visited_at": timezone.now().isoformat(),
        "services": ["drinking_water"],
    }


@pytest.mark.parametrize("role", ROLES)
def test_everyone_can_check_in_through_the_api(world, role):
    payload = _checkin_payload(world)

    response = _client_as(world, role).post(
        "/api/visits/", payload, content_type="application/json"
    )

    assert response.status_code == 201
    visit = Visit.objects.get()
    assert str(visit.client_id) == payload["client_id"]
    assert visit.worker == (world.users[WORKER] if role == WORKER else None)


@pytest.mark.parametrize(
    ("role", "expected"),
    [(role, 201 if role == ANONYMOUS else 403) for role in ROLES],
)
def test_signed_in_api_check_in_without_csrf_token_is_refused(world, role, expected):
    client = _client_as(world, role, enforce_csrf_checks=True)

    response = client.post(
        "/api/visits/", _checkin_payload(world), content_type="application/json"
    )

    assert response.status_code == expected
    if expected == 403:
        assert response.json()["code"] == "csrf_failed"
        assert Visit.objects.count() == 0
    else:
        assert Visit.objects.count() == 1


# ---------------------------------------------------------------- staff pages


def _managers(
    own: object, other_station: object, other_county: object
) -> dict[str, object]:
    """Expected outcomes for a page about ``world.station``."""
    return {
        ANONYMOUS: LOGIN,
        WORKER: 403,
        STATION_STAFF: own,
        OTHER_STATION_STAFF: other_station,
        DOCTOR: 403,
        HANDLER: 403,
        COUNTY_ADMIN: own,
        OTHER_COUNTY_ADMIN: other_county,
        PROVINCE_ADMIN: own,
        SUPERUSER: own,
    }


STAFF_PAGES = {
    "dashboard": lambda w: reverse("staff:dashboard"),
    "manage-station": lambda w: reverse("staff:station", args=[w.station.pk]),
    "poster": lambda w: reverse("staff:poster", args=[w.station.pk]),
}
STAFF_PAGE_MATRIX = {
    "dashboard": _managers(200, 200, 200),
    "manage-station": _managers(200, 404, 404),
    "poster": _managers(200, 404, 404),
}


@pytest.mark.parametrize(("page", "role", "expected"), _cases(STAFF_PAGE_MATRIX))
def test_staff_pages(world, page, role, expected):
    url = STAFF_PAGES[page](world)

    response = _client_as(world, role).get(url)

    _assert_outcome(response, expected, url)


@pytest.mark.parametrize(
    ("role", "expected_names"),
    [
        (STATION_STAFF, ["新阳驿站"]),
        (OTHER_STATION_STAFF, ["黄寨驿站"]),
        (COUNTY_ADMIN, ["新阳驿站", "黄寨驿站"]),
        (OTHER_COUNTY_ADMIN, ["清源驿站"]),
        (PROVINCE_ADMIN, ["新阳驿站", "清源驿站", "黄寨驿站"]),
        (SUPERUSER, ["新阳驿站", "清源驿站", "黄寨驿站"]),
    ],
)
def test_dashboard_lists_only_the_stations_in_scope(world, role, expected_names):
    response = _client_as(world, role).get(reverse("staff:dashboard"))

    assert response.status_code == 200
    assert [s.name for s in response.context["stations"]] == sorted(expected_names)
    expected_flags = [world.flag] if "新阳驿站" in expected_names else []
    assert list(response.context["flags"]) == expected_flags


@pytest.mark.parametrize(("role", "expected"), list(_managers(DONE, 404, 404).items()))
def test_set_amenity_status(world, role, expected):
    url = reverse("staff:amenity_status", args=[world.station.pk, "microwave"])

    response = _client_as(world, role).post(url, {"status": AmenityStatus.BROKEN})

    _assert_outcome(
        response, expected, url, reverse("staff:station", args=[world.station.pk])
    )
    row = StationAmenity.objects.get(station=world.station, amenity__code="microwave")
    if expected == DONE:
        assert (row.status, row.verified_by) == (
            AmenityStatus.BROKEN,
            world.users[role],
        )
    else:
        assert (row.status, row.verified_by, row.verified_at) == (
            AmenityStatus.UNKNOWN,
            None,
            None,
        )


@pytest.mark.parametrize(("role", "expected"), list(_managers(DONE, 404, 404).items()))
def test_close_station_temporarily(world, role, expected):
    url = reverse("staff:closure", args=[world.station.pk])
    until = timezone.localtime() + dt.timedelta(hours=3)

    response = _client_as(world, role).post(
        url, {"closed_until": until.strftime("%Y-%m-%d %H:%M"), "reason": "停水"}
    )

    _assert_outcome(
        response, expected, url, reverse("staff:station", args=[world.station.pk])
    )
    world.station.refresh_from_db()
    if expected == DONE:
        assert world.station.closure_reason == "停水"
        assert world.station.closed_until == until.replace(second=0, microsecond=0)
    else:
        assert (world.station.closed_until, world.station.closure_reason) == (None, "")


@pytest.mark.parametrize(("role", "expected"), list(_managers(DONE, 404, 404).items()))
def test_review_amenity_flag(world, role, expected):
    url = reverse("staff:review_flag", args=[world.flag.pk])

    response = _client_as(world, role).post(url, {"accept": "on"})

    _assert_outcome(response, expected, url, reverse("staff:dashboard"))
    world.flag.refresh_from_db()
    toilet = StationAmenity.objects.get(station=world.station, amenity__code="toilet")
    if expected == DONE:
        assert (world.flag.status, world.flag.reviewed_by) == (
            FlagStatus.ACCEPTED,
            world.users[role],
        )
        assert toilet.status == AmenityStatus.BROKEN
    else:
        assert (world.flag.status, world.flag.reviewed_by) == (FlagStatus.OPEN, None)
        assert toilet.status == AmenityStatus.UNKNOWN


@pytest.mark.parametrize(
    ("role", "expected"),
    # The walk-in view finds the station first and refuses in the service: 403, not 404.
    list(_managers(DONE, 403, 403).items()),
)
def test_record_walk_in(world, role, expected):
    url = reverse("visits:walk_in", args=[world.station.pk])

    response = _client_as(world, role).post(
        url,
        {"client_id": str(uuid.uuid4()), "count": 2, "services": ["drinking_water"]},
    )

    _assert_outcome(
        response, expected, url, reverse("staff:station", args=[world.station.pk])
    )
    if expected == DONE:
        visits = Visit.objects.filter(station=world.station)
        assert visits.count() == 2
        assert {(v.channel, v.recorded_by) for v in visits} == {
            (VisitChannel.STAFF, world.users[role])
        }
    else:
        assert Visit.objects.count() == 0


@pytest.mark.parametrize(
    "page",
    ["manage-station", "amenity-status", "closure", "poster", "walk-in"],
)
def test_staff_pages_of_a_station_out_of_service_are_not_found(world, page):
    Station.objects.filter(pk=world.station.pk).update(is_active=False)
    station_id = world.station.pk
    url, method = {
        "manage-station": (reverse("staff:station", args=[station_id]), "get"),
        "amenity-status": (
            reverse("staff:amenity_status", args=[station_id, "drinking_water"]),
            "post",
        ),
        "closure": (reverse("staff:closure", args=[station_id]), "post"),
        "poster": (reverse("staff:poster", args=[station_id]), "get"),
        "walk-in": (reverse("visits:walk_in", args=[station_id]), "post"),
    }[page]
    client = _client_as(world, STATION_STAFF)

    response = getattr(client, method)(url, {})

    # Managing pages still open (staff can reopen); only the poster and walk-ins refuse.
    expected = {"poster": 404, "walk-in": 404}.get(
        page, 200 if method == "get" else 302
    )
    assert response.status_code == expected


def test_get_is_not_allowed_on_staff_writes(world):
    client = _client_as(world, STATION_STAFF)
    urls = [
        reverse("staff:amenity_status", args=[world.station.pk, "drinking_water"]),
        reverse("staff:closure", args=[world.station.pk]),
        reverse("staff:review_flag", args=[world.flag.pk]),
        reverse("visits:walk_in", args=[world.station.pk]),
        reverse("stations:flag", args=[world.station.pk]),
    ]

    statuses = [client.get(url).status_code for url in urls]

    assert statuses == [405, 405, 405, 405, 405]
    assert world.flag.status == FlagStatus.OPEN
    assert AmenityFlag.objects.count() == 1
    assert Visit.objects.count() == 0


# ---------------------------------------------------------------- Django admin


def _admins(allowed: object) -> dict[str, object]:
    return {
        ANONYMOUS: ADMIN_LOGIN,
        WORKER: ADMIN_LOGIN,
        STATION_STAFF: ADMIN_LOGIN,
        OTHER_STATION_STAFF: ADMIN_LOGIN,
        DOCTOR: ADMIN_LOGIN,
        HANDLER: ADMIN_LOGIN,
        COUNTY_ADMIN: allowed,
        OTHER_COUNTY_ADMIN: allowed,
        PROVINCE_ADMIN: allowed,
        SUPERUSER: allowed,
    }


ADMIN_PAGES = {
    "changelist": lambda w: reverse("admin:stations_station_changelist"),
    "add": lambda w: reverse("admin:stations_station_add"),
    "import": lambda w: reverse("admin:stations_station_import"),
    "change-yangqu-station": lambda w: reverse(
        "admin:stations_station_change", args=[w.station.pk]
    ),
}
ADMIN_MATRIX = {
    "changelist": _admins(200),
    "add": _admins(200),
    "import": _admins(200),
    # Out of scope: the admin says the object does not exist and goes to its index.
    "change-yangqu-station": {**_admins(200), OTHER_COUNTY_ADMIN: 302},
}


@pytest.mark.parametrize(("page", "role", "expected"), _cases(ADMIN_MATRIX))
def test_admin_station_pages(world, page, role, expected):
    url = ADMIN_PAGES[page](world)

    response = _client_as(world, role).get(url)

    _assert_outcome(response, expected, url)
    if page == "change-yangqu-station" and expected == 302:
        assert response["Location"] == reverse("admin:index")


@pytest.mark.parametrize(
    "role", [WORKER, STATION_STAFF, OTHER_STATION_STAFF, DOCTOR, HANDLER]
)
@pytest.mark.parametrize("page", list(ADMIN_PAGES))
def test_non_admins_with_the_admin_flag_still_cannot_use_station_admin(
    world, role, page
):
    User.objects.filter(pk=world.users[role].pk).update(is_staff=True)

    response = _client_as(world, role).get(ADMIN_PAGES[page](world))

    assert response.status_code == 403


@pytest.mark.parametrize(
    ("role", "expected_names"),
    [
        (COUNTY_ADMIN, ["新阳驿站", "黄寨驿站"]),
        (OTHER_COUNTY_ADMIN, ["清源驿站"]),
        (PROVINCE_ADMIN, ["新阳驿站", "清源驿站", "黄寨驿站"]),
        (SUPERUSER, ["新阳驿站", "清源驿站", "黄寨驿站"]),
    ],
)
def test_admin_changelist_shows_only_the_stations_in_scope(world, role, expected_names):
    response = _client_as(world, role).get(reverse("admin:stations_station_changelist"))

    assert response.status_code == 200
    listed = sorted(s.name for s in response.context["cl"].result_list)
    assert listed == sorted(expected_names)


def _admin_add_form(community_pk: int) -> dict[str, object]:
    return {
        "name": "新驿站",
        "community": community_pk,
        "address": "某地",
        "lat_deg": "38.05",
        "lon_deg": "112.67",
        "opening_hours": "24/7",
        "capacity": "8",
        "is_active": "on",
        "amenities-TOTAL_FORMS": "0",
        "amenities-INITIAL_FORMS": "0",
        "photos-TOTAL_FORMS": "0",
        "photos-INITIAL_FORMS": "0",
    }


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (COUNTY_ADMIN, 302),
        (OTHER_COUNTY_ADMIN, 200),  # the form refuses a community outside the county
        (PROVINCE_ADMIN, 302),
        (SUPERUSER, 302),
    ],
)
def test_admin_adds_stations_only_in_own_county(world, role, expected):
    before = Station.objects.count()

    response = _client_as(world, role).post(
        reverse("admin:stations_station_add"),
        _admin_add_form(community("140122400001").pk),
    )

    assert response.status_code == expected
    if expected == 302:
        station = Station.objects.get(name="新驿站")
        assert (
            station.amenities.count()
            == StationAmenity.objects.filter(station=world.station).count()
        )
    else:
        assert list(response.context["adminform"].form.errors) == ["community"]
        assert Station.objects.count() == before


@pytest.mark.parametrize("role", [COUNTY_ADMIN, OTHER_COUNTY_ADMIN])
def test_admin_cannot_delete_stations(world, role):
    station = world.qingxu_station if role == OTHER_COUNTY_ADMIN else world.station

    response = _client_as(world, role).post(
        reverse("admin:stations_station_delete", args=[station.pk]), {"post": "yes"}
    )

    assert response.status_code == 403
    assert Station.objects.filter(pk=station.pk).exists()


# ---------------------------------------------------------------- audit log (admin)
# The world's three stations were created through save_station, so the log holds one
# entry per station, in the station's county.


def _creation_entry(station: Station) -> AuditEntry:
    return AuditEntry.objects.get(
        target_type="stations.station", target_id=str(station.pk)
    )


AUDIT_PAGES = {
    "audit-changelist": lambda w: reverse("admin:core_auditentry_changelist"),
    "audit-search": lambda w: reverse("admin:core_auditentry_changelist") + "?q=system",
    "audit-yangqu-entry": lambda w: reverse(
        "admin:core_auditentry_change", args=[_creation_entry(w.station).pk]
    ),
    "audit-qingxu-entry": lambda w: reverse(
        "admin:core_auditentry_change", args=[_creation_entry(w.qingxu_station).pk]
    ),
}
# Another county's entry: the admin says it does not exist and goes to its index.
AUDIT_MATRIX = {
    "audit-changelist": _admins(200),
    "audit-search": _admins(200),
    "audit-yangqu-entry": {**_admins(200), OTHER_COUNTY_ADMIN: 302},
    "audit-qingxu-entry": {**_admins(200), COUNTY_ADMIN: 302},
}


@pytest.mark.parametrize(("page", "role", "expected"), _cases(AUDIT_MATRIX))
def test_audit_log_pages(world, page, role, expected):
    url = AUDIT_PAGES[page](world)

    response = _client_as(world, role).get(url)

    _assert_outcome(response, expected, url)
    if expected == 302:
        assert response["Location"] == reverse("admin:index")


@pytest.mark.parametrize(
    "role", [WORKER, STATION_STAFF, OTHER_STATION_STAFF, DOCTOR, HANDLER]
)
@pytest.mark.parametrize("page", list(AUDIT_PAGES))
def test_non_admins_with_the_admin_flag_still_cannot_read_the_audit_log(
    world, role, page
):
    User.objects.filter(pk=world.users[role].pk).update(is_staff=True)

    response = _client_as(world, role).get(AUDIT_PAGES[page](world))

    assert response.status_code == 403


@pytest.mark.parametrize(
    ("role", "expected_stations"),
    [
        (COUNTY_ADMIN, ["新阳驿站", "黄寨驿站"]),
        (OTHER_COUNTY_ADMIN, ["清源驿站"]),
        (PROVINCE_ADMIN, ["新阳驿站", "清源驿站", "黄寨驿站", "no county"]),
        (SUPERUSER, ["新阳驿站", "清源驿站", "黄寨驿站", "no county"]),
    ],
)
def test_audit_log_lists_only_the_entries_in_scope(world, role, expected_stations):
    worker = world.users[WORKER]
    record_audit(actor=worker, action=AuditAction.LOGIN, target=worker)  # no county
    names = {str(s.pk): s.name for s in Station.objects.all()}

    response = _client_as(world, role).get(reverse("admin:core_auditentry_changelist"))

    assert response.status_code == 200
    listed = sorted(
        names[entry.target_id]
        if entry.target_type == "stations.station"
        else "no county"
        for entry in response.context["cl"].result_list
    )
    assert listed == sorted(expected_stations)


@pytest.mark.parametrize("role", [COUNTY_ADMIN, PROVINCE_ADMIN, SUPERUSER])
def test_nobody_can_add_change_or_delete_audit_entries_in_the_admin(world, role):
    entry = _creation_entry(world.station)
    client = _client_as(world, role)
    change_url = reverse("admin:core_auditentry_change", args=[entry.pk])

    add = client.post(reverse("admin:core_auditentry_add"), {"reason": "x"})
    change = client.post(change_url, {"reason": "rewritten"})
    delete = client.post(
        reverse("admin:core_auditentry_delete", args=[entry.pk]), {"post": "yes"}
    )
    bulk = client.post(
        reverse("admin:core_auditentry_changelist"),
        {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"},
    )

    assert (add.status_code, change.status_code, delete.status_code) == (403, 403, 403)
    assert bulk.status_code == 200  # no actions: the list is shown again
    assert _lists_no_actions(client)
    assert AuditEntry.objects.get(pk=entry.pk).reason == ""
    assert AuditEntry.objects.count() == 3


def _lists_no_actions(client: Client) -> bool:
    response = client.get(reverse("admin:core_auditentry_changelist"))
    return response.context["action_form"] is None


# ---------------------------------------------------------------- audit of page writes


def test_page_writes_are_audited_with_the_actor_and_address(world):
    staff = _client_as(world, STATION_STAFF)
    before = AuditEntry.objects.count()

    _client_as(world, ANONYMOUS).post(
        reverse("stations:flag", args=[world.station.pk]),
        {"amenity": "toilet", "suggested_status": AmenityStatus.NO},
    )
    staff.post(
        reverse("staff:amenity_status", args=[world.station.pk, "microwave"]),
        {"status": AmenityStatus.BROKEN},
    )
    staff.post(
        reverse("visits:walk_in", args=[world.station.pk]),
        {"client_id": str(uuid.uuid4()), "count": 2, "services": ["drinking_water"]},
    )

    entries = AuditEntry.objects.order_by("pk")[before:]
    assert [
        (e.actor_label, e.target_type, e.ip_address, e.county.code) for e in entries
    ] == [
        ("anonymous", "stations.amenityflag", "127.0.0.1", "140122000000"),
        (
            str(world.users[STATION_STAFF]),
            "stations.stationamenity",
            "127.0.0.1",
            "140122000000",
        ),
        (
            str(world.users[STATION_STAFF]),
            "stations.station",
            "127.0.0.1",
            "140122000000",
        ),
    ]
