"""Reads: the reporter's own reports, inboxes and their figures, the hazard layer."""

import datetime as dt

import pytest
from django.utils import timezone

from warmbee.accounts.models import Role
from warmbee.factories import StationFactory, make_user
from warmbee.regions.models import Region
from warmbee.reports.choices import ReportCategory
from warmbee.reports.errors import ReportNotFoundError
from warmbee.reports.models import Report
from warmbee.reports.selectors import (
    InboxCounts,
    InboxView,
    count_inbox,
    get_my_report,
    get_report_in_scope,
    list_hazard_positions,
    list_inbox,
    list_my_reports,
    list_public_hazards,
)
from warmbee.reports.services import accept_report, resolve_report, return_report
from warmbee.reports.tests.factories import (
    make_department,
    make_handler,
    route,
    send_report,
)
from warmbee.workers.tests.factories import make_worker

pytestmark = pytest.mark.django_db

QINGXU_POSITION = (37.60, 112.35)  # about 60 km from the Yangqu station


def ids(reports):
    return [report.pk for report in reports]


def set_fields(report, **fields):
    Report.objects.filter(pk=report.pk).update(**fields)
    report.refresh_from_db()


@pytest.fixture
def county_admin():
    return make_user(Role.COUNTY_ADMIN)


@pytest.fixture
def inbox(settings, station, reporter, department, handler):
    """Reports of ``department`` in every state, and one the county has to route.

    The overdue one is sent first, then opinion, road and manhole, so that the
    order of the time limits (past, 24 h, 3 days, 7 days) differs from the order of
    sending both ways.
    """
    settings.REPORT_LIMIT_PER_HOUR = 20
    for category in (
        ReportCategory.PUBLIC_SERVICE,
        ReportCategory.ROAD_DAMAGE,
        ReportCategory.MANHOLE,
        ReportCategory.STREET_LIGHT,
    ):
        route(category, department)
    late = send_report(reporter, category=ReportCategory.STREET_LIGHT)
    set_fields(late, due_at=timezone.now() - dt.timedelta(hours=1))
    opinion = send_report(reporter, category=ReportCategory.PUBLIC_SERVICE)
    road = send_report(reporter, category=ReportCategory.ROAD_DAMAGE)
    manhole = send_report(reporter, category=ReportCategory.MANHOLE)
    accept_report(report=road, handler=handler)
    done_first = send_report(reporter, category=ReportCategory.STREET_LIGHT)
    resolve_report(report=done_first, handler=handler, note="已修好")
    set_fields(
        done_first,
        due_at=timezone.now() - dt.timedelta(days=1),
        resolved_at=timezone.now() - dt.timedelta(hours=2),
    )
    done_last = send_report(reporter, category=ReportCategory.STREET_LIGHT)
    resolve_report(report=done_last, handler=handler, note="已修好")
    unrouted = send_report(reporter, category=ReportCategory.WATER_ICE)
    return {
        "opinion": opinion,
        "road": road,
        "manhole": manhole,
        "late": late,
        "done_first": done_first,
        "done_last": done_last,
        "unrouted": unrouted,
    }


# The reporter's own reports


def test_a_reporter_sees_only_their_own_reports(station, reporter, routed):
    mine = send_report(reporter)
    theirs = send_report(make_worker().user)

    assert ids(list_my_reports(reporter)) == [mine.pk]
    assert get_my_report(reporter, mine.pk) == mine
    with pytest.raises(ReportNotFoundError):
        get_my_report(reporter, theirs.pk)


# Inboxes


def test_the_open_view_lists_open_reports_soonest_due_first(inbox, handler):
    expected = ["late", "manhole", "road", "opinion"]
    assert ids(list_inbox(handler, InboxView.OPEN)) == [
        inbox[name].pk for name in expected
    ]


def test_the_overdue_view_lists_open_reports_past_their_time_limit(inbox, handler):
    # The first resolved report is past its time limit too, but resolved.
    assert ids(list_inbox(handler, InboxView.OVERDUE)) == [inbox["late"].pk]


def test_the_resolved_view_lists_the_latest_resolved_first(inbox, handler):
    assert ids(list_inbox(handler, InboxView.RESOLVED)) == [
        inbox["done_last"].pk,
        inbox["done_first"].pk,
    ]


def test_the_unrouted_view_is_the_county_admin_s(inbox, handler, county_admin):
    assert ids(list_inbox(county_admin, InboxView.UNROUTED)) == [inbox["unrouted"].pk]
    assert ids(list_inbox(handler, InboxView.UNROUTED)) == []


def test_a_county_admin_sees_every_open_report_of_the_county(inbox, county_admin):
    open_ids = ids(list_inbox(county_admin, InboxView.OPEN))
    assert sorted(open_ids) == sorted(
        inbox[name].pk for name in ("opinion", "road", "manhole", "late", "unrouted")
    )


def test_the_inbox_figures(inbox, handler, county_admin):
    assert count_inbox(handler) == InboxCounts(open=4, overdue=1, unrouted=0)
    assert count_inbox(county_admin) == InboxCounts(open=5, overdue=1, unrouted=1)


def test_nobody_else_sees_the_inbox(inbox, reporter, qingxu):
    outsiders = [
        make_handler(make_department("县交通局")),
        make_user(Role.COUNTY_ADMIN, region=qingxu),
        make_user(Role.STATION_STAFF),
        reporter,
    ]
    for user in outsiders:
        for view in InboxView.ALL:
            assert not list_inbox(user, view).exists(), (user.role, view)
        assert count_inbox(user) == InboxCounts(open=0, overdue=0, unrouted=0)
        with pytest.raises(ReportNotFoundError):
            get_report_in_scope(user, inbox["road"].pk)


def test_a_returned_report_leaves_the_department_inbox(inbox, handler, county_admin):
    return_report(report=inbox["road"], handler=handler, note="不归我们管")

    assert inbox["road"].pk not in ids(list_inbox(handler, InboxView.OPEN))
    assert inbox["road"].pk in ids(list_inbox(county_admin, InboxView.UNROUTED))
    assert count_inbox(handler).open == 3


# The hazard layer


def test_hazard_positions_leave_out_opinions_old_reports_and_other_counties(
    settings, station, reporter, routed, qingxu, yangqu
):
    settings.REPORT_LIMIT_PER_HOUR = 20
    StationFactory(
        community=Region.objects.get(code="140121100001"),
        lat_deg=QINGXU_POSITION[0],
        lon_deg=QINGXU_POSITION[1],
    )
    since = timezone.now() - dt.timedelta(days=30)
    recent = send_report(reporter, lat_deg=38.0601, lon_deg=112.6801)
    urgent = send_report(
        reporter, category=ReportCategory.MANHOLE, lat_deg=38.0702, lon_deg=112.6903
    )
    send_report(reporter, category=ReportCategory.WORKER_RIGHTS, lat_deg=38.0604)
    old = send_report(reporter, lat_deg=38.0605, lon_deg=112.6805)
    set_fields(old, created_at=since - dt.timedelta(minutes=1))
    elsewhere = send_report(
        reporter, lat_deg=QINGXU_POSITION[0], lon_deg=QINGXU_POSITION[1]
    )
    assert elsewhere.county == qingxu

    positions = list_hazard_positions(yangqu, since)

    assert sorted(positions) == sorted(
        [(recent.lat_deg, recent.lon_deg), (urgent.lat_deg, urgent.lon_deg)]
    )
    assert list_hazard_positions(qingxu, since) == [QINGXU_POSITION]


def test_the_public_hazards_are_open_hazards_rounded_and_without_words(
    station, reporter, routed, handler
):
    open_hazard = send_report(reporter, lat_deg=38.06137, lon_deg=112.68049)
    fixed = send_report(reporter, lat_deg=38.0612, lon_deg=112.6812)
    accept_report(report=fixed, handler=handler)
    resolve_report(report=fixed, handler=handler, note="已修")
    send_report(reporter, category="public_service", description="希望多开一会")

    hazards = list_public_hazards()

    assert [(h.category, h.lat_deg, h.lon_deg) for h in hazards] == [
        ("road_damage", 38.061, 112.68)
    ]
    assert hazards[0].sent_on == timezone.localdate(open_hazard.created_at)
    assert not hasattr(hazards[0], "description")
