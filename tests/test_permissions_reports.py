"""The permission matrix of reports: every page and endpoint of the reports app, over every role.

Roles: anonymous, the worker who sent the report, another worker, station staff, a doctor,
the handler of the department the report is routed to, the handler of another department,
Yangqu's county admin, another county's admin, the province admin and a superuser.
Refused writes leave the report, its history and the audit log as they were; handlers and
administrators are never shown who sent a report.
"""

import io
import uuid
from dataclasses import dataclass
from urllib.parse import quote

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation
from PIL import Image

from tests.test_permissions import (
    ANONYMOUS,
    COUNTY_ADMIN,
    DOCTOR,
    DONE,
    HANDLER,
    LOGIN,
    OTHER_COUNTY_ADMIN,
    PROVINCE_ADMIN,
    QINGXU_CODE,
    STATION_STAFF,
    SUPERUSER,
    WORKER,
    _assert_outcome,
    _cases,
    _other_county,
)
from warmbee.accounts.models import Role, User, mask_phone
from warmbee.core.models import AuditEntry
from warmbee.factories import StationFactory, make_user
from warmbee.regions.models import Region
from warmbee.reports import services
from warmbee.reports.choices import EventKind, ReportCategory, ReportStatus
from warmbee.reports.models import Department, Report, ReportEvent, ReportPhoto
from warmbee.reports.tests.factories import (
    make_department,
    make_handler,
    new_report,
    route,
)
from warmbee.stations.models import Station
from warmbee.workers.tests.factories import make_worker

pytestmark = pytest.mark.django_db

OTHER_WORKER = "other_worker"
OTHER_HANDLER = "other_department_handler"
ROLES = [
    ANONYMOUS,
    WORKER,  # sent the report
    OTHER_WORKER,
    STATION_STAFF,
    DOCTOR,
    HANDLER,  # of the department the report is routed to
    OTHER_HANDLER,  # of another Yangqu department
    COUNTY_ADMIN,
    OTHER_COUNTY_ADMIN,
    PROVINCE_ADMIN,
    SUPERUSER,
]
ADMINS = [COUNTY_ADMIN, PROVINCE_ADMIN, SUPERUSER]  # those who oversee the report

WORKER_LOGIN = "redirect to worker login"
LANGUAGES = ["zh-hans", "en"]

REPORTER_NAME = "张三丰"
REPORTER_PHONE = "13912345678"
DESCRIPTION = "路面塌了一个坑"
NOTE = "已派人修补"


@dataclass(frozen=True)
class ReportWorld:
    station: Station  # Xinyang, Yangqu; staffed by STATION_STAFF
    qingxu_station: Station  # in another county
    department: Department  # Yangqu; handled by HANDLER; road damage is routed to it
    other_department: Department  # Yangqu; handled by OTHER_HANDLER
    report: Report  # road damage near ``station``, sent by WORKER, with one photo
    photo: ReportPhoto
    users: dict[str, User]


@pytest.fixture(autouse=True)
def _fast_setup(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    # Eleven users per test: Argon2 would spend seconds hashing their passwords.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"  # report photos
    cache.clear()  # the hourly report limit counts in the cache


def _png(name: str = "坑.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 80, 40)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@pytest.fixture
def world() -> ReportWorld:
    qingyuan = _other_county()
    station = StationFactory(name="新阳驿站")
    qingxu_station = StationFactory(
        name="清源驿站", community=qingyuan, lat_deg=37.60, lon_deg=112.36
    )
    department = make_department("县住建局")
    other_department = make_department("县城管局")
    route(ReportCategory.ROAD_DAMAGE, department)
    reporter = make_worker(
        name=REPORTER_NAME,
        user__phone=REPORTER_PHONE,
        user__display_name=REPORTER_NAME,  # registration copies the name there
    ).user
    users = {
        WORKER: reporter,
        OTHER_WORKER: make_worker().user,
        STATION_STAFF: make_user(Role.STATION_STAFF),
        DOCTOR: make_user(Role.DOCTOR),
        HANDLER: make_handler(department),
        OTHER_HANDLER: make_handler(other_department),
        COUNTY_ADMIN: make_user(Role.COUNTY_ADMIN, is_staff=True),
        OTHER_COUNTY_ADMIN: make_user(
            Role.COUNTY_ADMIN, region=qingyuan.parent, is_staff=True
        ),
        PROVINCE_ADMIN: make_user(Role.PROVINCE_ADMIN, is_staff=True),
        SUPERUSER: make_user(Role.PROVINCE_ADMIN, is_staff=True, is_superuser=True),
    }
    station.staff.add(users[STATION_STAFF])
    report = services.submit_report(
        reporter=reporter, new=new_report(description=DESCRIPTION), photos=[_png()]
    )
    assert report.department == department  # the routing rule applied
    return ReportWorld(
        station=station,
        qingxu_station=qingxu_station,
        department=department,
        other_department=other_department,
        report=report,
        photo=report.photos.get(),
        users=users,
    )


def _client_as(world: ReportWorld, role: str) -> Client:
    client = Client()
    if role != ANONYMOUS:
        client.force_login(world.users[role])
    return client


def _outcome(response, expected, url, done_url=""):  # type: ignore[no-untyped-def]
    """``_assert_outcome``, plus the worker login; the login pages follow the language."""
    language = "/en" if url.startswith("/en/") else ""
    if expected == WORKER_LOGIN:
        assert response.status_code == 302
        assert response["Location"] == f"{language}/workers/login/?next={quote(url)}"
    elif expected == LOGIN and language:
        assert response.status_code == 302
        assert response["Location"] == f"/en/accounts/login/?next={quote(url)}"
    else:
        _assert_outcome(response, expected, url, done_url)


def _url(name: str, *args: object, language: str = "zh-hans") -> str:
    with translation.override(language):
        return reverse(name, args=args)


def _workers_only(worker: object, other_worker: object) -> dict[str, object]:
    """Expected outcomes for a worker's own pages: everyone else is refused by role."""
    return dict.fromkeys(ROLES, 403) | {
        ANONYMOUS: WORKER_LOGIN,
        WORKER: worker,
        OTHER_WORKER: other_worker,
    }


def _inbox_users(
    handler: object,
    other_handler: object,
    admin: object,
    other_county_admin: object,
) -> dict[str, object]:
    """Expected outcomes for an inbox page about ``world.report``."""
    return {
        ANONYMOUS: LOGIN,
        WORKER: 403,
        OTHER_WORKER: 403,
        STATION_STAFF: 403,
        DOCTOR: 403,
        HANDLER: handler,
        OTHER_HANDLER: other_handler,
        COUNTY_ADMIN: admin,
        OTHER_COUNTY_ADMIN: other_county_admin,
        PROVINCE_ADMIN: admin,
        SUPERUSER: admin,
    }


def _unchanged(world: ReportWorld, status: str, events: int, audit: int) -> None:
    report = Report.objects.get(pk=world.report.pk)
    assert (report.status, report.department) == (status, world.department)
    assert ReportEvent.objects.filter(report=report).count() == events
    assert AuditEntry.objects.count() == audit


# ---------------------------------------------------------------- pages (GET)


PAGES = {
    "hazards": lambda w, lang: _url("reports:hazards", language=lang),
    "new": lambda w, lang: _url("reports:new", language=lang),
    "mine": lambda w, lang: _url("reports:mine", language=lang),
    "my-report": lambda w, lang: _url("reports:my_report", w.report.pk, language=lang),
    "inbox": lambda w, lang: _url("reports:inbox", language=lang),
    "handle": lambda w, lang: _url("reports:handle", w.report.pk, language=lang),
}
PAGE_MATRIX = {
    # The public list of open hazards: for everyone, anonymous visitors too.
    "hazards": dict.fromkeys(ROLES, 200),
    "new": _workers_only(200, 200),
    "mine": _workers_only(200, 200),
    # Another worker's report does not exist for them.
    "my-report": _workers_only(200, 404),
    "inbox": _inbox_users(200, 200, 200, 200),
    "handle": _inbox_users(200, 404, 200, 404),
}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("page", "role", "expected"), _cases(PAGE_MATRIX))
def test_report_pages(world, page, role, expected, language):
    url = PAGES[page](world, language)

    response = _client_as(world, role).get(url)

    _outcome(response, expected, url)
    if expected == 200 and page in {"my-report", "handle"}:
        assert DESCRIPTION in response.content.decode()
    if page == "hazards":
        # The words sent and who sent them are never public.
        page_html = response.content.decode()
        assert DESCRIPTION not in page_html
        for trace in REPORTER_TRACES:
            assert trace not in page_html


def test_my_reports_lists_only_the_workers_own(world):
    mine = _client_as(world, WORKER).get(_url("reports:mine"))
    theirs = _client_as(world, OTHER_WORKER).get(_url("reports:mine"))

    assert list(mine.context["reports"]) == [world.report]
    assert list(theirs.context["reports"]) == []


# ---------------------------------------------------------------- photos


PHOTO_READERS = {WORKER, HANDLER, COUNTY_ADMIN, PROVINCE_ADMIN, SUPERUSER}


@pytest.mark.parametrize(
    ("role", "expected"),
    # Anonymous too: a photo that is not yours to see does not exist.
    [(role, 200 if role in PHOTO_READERS else 404) for role in ROLES],
)
def test_report_photo(world, role, expected):
    url = _url("reports:photo", world.photo.pk)

    response = _client_as(world, role).get(url)

    _outcome(response, expected, url)
    if expected == 200:
        assert b"".join(response.streaming_content).startswith(b"\x89PNG")
        assert response["Cache-Control"] == "no-store"
        response.close()


def test_report_photo_of_no_photo_is_not_found(world):
    url = _url("reports:photo", world.photo.pk + 1)

    assert _client_as(world, SUPERUSER).get(url).status_code == 404


def test_report_photo_is_read_only(world):
    url = _url("reports:photo", world.photo.pk)

    assert _client_as(world, WORKER).post(url).status_code == 405


# ---------------------------------------------------------------- sending a report


@pytest.mark.parametrize(("role", "expected"), _workers_only(DONE, DONE).items())
def test_only_workers_send_reports(world, role, expected):
    url = _url("reports:new")
    client_id = uuid.uuid4()
    before = Report.objects.count()

    response = _client_as(world, role).post(
        url,
        {
            "client_id": str(client_id),
            "category": ReportCategory.ROAD_DAMAGE,
            "description": "井盖旁边的路面裂了",
            "lat": "38.0601",
            "lon": "112.6801",
            "photos": [_png()],
        },
    )

    sent = Report.objects.filter(client_id=client_id).first()
    done_url = _url("reports:my_report", sent.pk) if sent else ""
    _outcome(response, expected, url, done_url)
    if expected == DONE:
        assert sent is not None
        assert (sent.reporter, sent.department, sent.status) == (
            world.users[role],
            world.department,
            ReportStatus.SUBMITTED,
        )
        assert sent.photos.count() == 1
    else:
        assert sent is None
        assert Report.objects.count() == before


# ---------------------------------------------------------------- working a report


def _handler_only(handler: object, admin: object) -> dict[str, object]:
    """Expected outcomes for a handler's action on ``world.report``."""
    return _inbox_users(handler, 404, admin, 404)


# An administrator sees the report but does not handle it: NotHandlerError is a 404.
HANDLER_ACTION_MATRIX = {
    action: _handler_only(DONE, 404)
    for action in ["accept", "note", "resolve", "return"]
}


@pytest.mark.parametrize(("action", "role", "expected"), _cases(HANDLER_ACTION_MATRIX))
def test_only_the_departments_handler_works_the_report(world, action, role, expected):
    if action == "note":  # a progress note is added to a report taken on
        services.accept_report(report=world.report, handler=world.users[HANDLER])
    status = Report.objects.get(pk=world.report.pk).status
    events = ReportEvent.objects.count()
    audit = AuditEntry.objects.count()
    url = _url("reports:handle", world.report.pk)

    response = _client_as(world, role).post(url, {"action": action, "note": NOTE})

    _outcome(response, expected, url, url)
    report = Report.objects.get(pk=world.report.pk)
    if expected == DONE:
        expected_state = {
            "accept": (ReportStatus.ACCEPTED, world.department, EventKind.ACCEPTED),
            "note": (ReportStatus.ACCEPTED, world.department, EventKind.NOTE),
            "resolve": (ReportStatus.RESOLVED, world.department, EventKind.RESOLVED),
            "return": (ReportStatus.SUBMITTED, None, EventKind.RETURNED),
        }[action]
        event = ReportEvent.objects.filter(report=report).last()
        assert (report.status, report.department, event.kind) == expected_state
        assert (event.actor, event.note) == (world.users[HANDLER], NOTE)
        assert AuditEntry.objects.count() == audit + 1
    else:
        _unchanged(world, status, events, audit)
        assert report.resolved_at is None


# A handler sees the report but cannot choose its department: not found for them.
ASSIGN_MATRIX = _inbox_users(404, 404, DONE, 404)


@pytest.mark.parametrize(("role", "expected"), ASSIGN_MATRIX.items())
def test_only_administrators_of_the_county_assign_a_department(world, role, expected):
    events = ReportEvent.objects.count()
    audit = AuditEntry.objects.count()
    url = _url("reports:handle", world.report.pk)

    response = _client_as(world, role).post(
        url, {"action": "assign", "department": world.other_department.pk}
    )

    _outcome(response, expected, url, url)
    report = Report.objects.get(pk=world.report.pk)
    if expected == DONE:
        assert (report.status, report.department) == (
            ReportStatus.SUBMITTED,
            world.other_department,
        )
        event = ReportEvent.objects.filter(report=report).last()
        assert (event.kind, event.actor, event.department) == (
            EventKind.ASSIGNED,
            world.users[role],
            world.other_department,
        )
        # The new department's handler now has it; the old one no longer does.
        assert _in_inbox(world, OTHER_HANDLER) == [world.report]
        assert _in_inbox(world, HANDLER) == []
    else:
        _unchanged(world, ReportStatus.SUBMITTED, events, audit)


@pytest.mark.parametrize("role", ADMINS)
def test_administrators_cannot_assign_a_department_of_another_county(world, role):
    qingxu_department = make_department(
        "清徐县住建局", county=Region.objects.get(code=QINGXU_CODE)
    )
    events = ReportEvent.objects.count()
    audit = AuditEntry.objects.count()
    url = _url("reports:handle", world.report.pk)

    response = _client_as(world, role).post(
        url, {"action": "assign", "department": qingxu_department.pk}
    )

    assert response.status_code == 400
    assert "department" in response.context["assign_form"].errors
    _unchanged(world, ReportStatus.SUBMITTED, events, audit)


@pytest.mark.parametrize("role", ROLES)
def test_get_or_an_unknown_action_changes_nothing(world, role):
    events = ReportEvent.objects.count()
    audit = AuditEntry.objects.count()
    url = _url("reports:handle", world.report.pk)
    client = _client_as(world, role)

    client.get(url, {"action": "accept"})
    client.post(url, {"action": "delete", "note": NOTE})

    _unchanged(world, ReportStatus.SUBMITTED, events, audit)


# ---------------------------------------------------------------- the reporter's feedback


@pytest.mark.parametrize(("role", "expected"), _workers_only(DONE, 404).items())
def test_only_the_reporter_gives_feedback(world, role, expected):
    services.resolve_report(
        report=world.report, handler=world.users[HANDLER], note=NOTE
    )
    events = ReportEvent.objects.count()
    audit = AuditEntry.objects.count()
    url = _url("reports:my_report", world.report.pk)

    response = _client_as(world, role).post(
        url, {"feedback": "not_satisfied", "note": "坑还在"}
    )

    _outcome(response, expected, url, url)
    report = Report.objects.get(pk=world.report.pk)
    if expected == DONE:
        assert (report.status, report.resolved_at) == (ReportStatus.ACCEPTED, None)
        event = ReportEvent.objects.filter(report=report).last()
        # The ledger names nobody for the reporter; the report itself knows who.
        assert (event.kind, event.actor) == (EventKind.REOPENED, None)
    else:
        _unchanged(world, ReportStatus.RESOLVED, events, audit)
        assert report.resolved_at is not None


# ---------------------------------------------------------------- data isolation


def _in_inbox(world: ReportWorld, role: str, view: str = "open") -> list[Report]:
    response = _client_as(world, role).get(_url("reports:inbox"), {"view": view})
    assert response.status_code == 200
    return list(response.context["reports"])


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (HANDLER, ["yangqu"]),
        (OTHER_HANDLER, []),
        (COUNTY_ADMIN, ["yangqu"]),
        (OTHER_COUNTY_ADMIN, []),
        (PROVINCE_ADMIN, ["yangqu"]),
        (SUPERUSER, ["yangqu"]),
    ],
)
def test_inbox_lists_only_the_reports_in_scope(world, role, expected):
    reports = {"yangqu": world.report}

    listed = _in_inbox(world, role)

    assert listed == [reports[name] for name in expected]
    counts = _client_as(world, role).get(_url("reports:inbox")).context["counts"]
    assert counts.open == len(expected)


@pytest.mark.parametrize(
    ("role", "expected_open", "expected_unrouted"),
    [
        (HANDLER, ["yangqu"], []),
        (OTHER_HANDLER, [], []),
        (COUNTY_ADMIN, ["yangqu"], []),
        (OTHER_COUNTY_ADMIN, ["qingxu"], ["qingxu"]),
        (PROVINCE_ADMIN, ["qingxu", "yangqu"], ["qingxu"]),
        (SUPERUSER, ["qingxu", "yangqu"], ["qingxu"]),
    ],
)
def test_inbox_keeps_each_county_to_its_own_reports(
    world, role, expected_open, expected_unrouted
):
    # Near the Qingxu station; Qingxu has no department, so it waits for its county.
    qingxu_report = services.submit_report(
        reporter=world.users[OTHER_WORKER],
        new=new_report(lat_deg=37.6001, lon_deg=112.3601),
    )
    reports = {"yangqu": world.report, "qingxu": qingxu_report}

    assert sorted(_in_inbox(world, role), key=lambda r: r.pk) == [
        reports[name] for name in sorted(expected_open, key=lambda n: reports[n].pk)
    ]
    assert _in_inbox(world, role, "unrouted") == [
        reports[name] for name in expected_unrouted
    ]
    handle = _url("reports:handle", qingxu_report.pk)
    assert _client_as(world, role).get(handle).status_code == (
        200 if "qingxu" in expected_open else 404
    )


REPORTER_TRACES = [REPORTER_NAME, REPORTER_PHONE, mask_phone(REPORTER_PHONE)]


@pytest.mark.parametrize("role", [HANDLER, *ADMINS])
def test_handlers_and_administrators_are_never_shown_who_sent_the_report(world, role):
    # The report goes all the way: taken on, resolved, reopened by its reporter.
    handler = world.users[HANDLER]
    services.accept_report(report=world.report, handler=handler, note=NOTE)
    services.resolve_report(report=world.report, handler=handler, note=NOTE)
    services.give_feedback(
        report=world.report,
        reporter=world.users[WORKER],
        feedback="not_satisfied",
        note="坑还在",
    )
    client = _client_as(world, role)
    urls = [
        _url("reports:handle", world.report.pk, language=language)
        for language in LANGUAGES
    ] + [
        _url("reports:inbox", language=language) + f"?view={view}"
        for language in LANGUAGES
        for view in ["open", "overdue", "unrouted", "resolved"]
    ]

    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        for trace in REPORTER_TRACES:
            assert trace not in page, (url, trace)
        if url.endswith("?view=open"):
            assert world.report.reference in page, url
    handle_page = client.get(urls[0]).content.decode()
    assert DESCRIPTION in handle_page
    assert "坑还在" in handle_page  # the reporter's words reach the department


@pytest.mark.parametrize("role", ADMINS)
def test_the_audit_log_list_does_not_name_the_reporter(world, role):
    response = _client_as(world, role).get(
        reverse("admin:core_auditentry_changelist") + "?target_type=reports.report"
    )

    assert response.status_code == 200
    entries = list(response.context["cl"].result_list)
    # Not even the account number: the county could look it up in other entries.
    assert [e.actor_label for e in entries] == ["reporter"]
    assert [(e.ip_address, e.user_agent) for e in entries] == [(None, "")]
    page = response.content.decode()
    for trace in REPORTER_TRACES:
        assert trace not in page, trace


@pytest.mark.parametrize("role", ADMINS)
def test_the_audit_entry_of_a_report_does_not_name_the_reporter(world, role):
    entry = AuditEntry.objects.get(
        target_type="reports.report", target_id=str(world.report.pk)
    )

    response = _client_as(world, role).get(
        reverse("admin:core_auditentry_change", args=[entry.pk])
    )

    assert response.status_code == 200
    page = response.content.decode()
    for trace in REPORTER_TRACES:
        assert trace not in page, trace
