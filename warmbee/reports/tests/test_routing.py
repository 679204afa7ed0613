"""Where a report is (the nearest station in service) and which department gets it."""

import pytest
from django.db import IntegrityError, transaction

from warmbee.core.models import AuditEntry
from warmbee.factories import StationFactory, community
from warmbee.reports.choices import EventKind, ReportCategory
from warmbee.reports.errors import ReportOutsideAreaError
from warmbee.reports.models import Report, ReportEvent, RoutingRule
from warmbee.reports.routing import ReportArea, locate_report, route_report
from warmbee.reports.tests.factories import make_department, route, send_report

pytestmark = pytest.mark.django_db

XINYANG = "140122400001"
HUANGZHAI = "140122100001"
STATION_LAT, STATION_LON = 38.06, 112.68  # StationFactory's default position
# About 18.9 km north of the station: inside the 20 km limit.
INSIDE_LIMIT = (STATION_LAT + 0.17, STATION_LON)
# About 24 km north-east: inside the search box (±0.18° lat, ±0.23° lon) but beyond
# 20 km as the crow flies, so only the distance check can refuse it.
BOX_CORNER = (STATION_LAT + 0.15, STATION_LON + 0.20)
FAR_AWAY = (39.5, 116.4)  # Beijing


def area(community_code: str = XINYANG) -> ReportArea:
    place = community(community_code)
    county = place.county()
    assert county is not None
    return ReportArea(community=place, county=county)


# locate_report


def test_locates_the_community_and_county_of_the_nearest_station(yangqu):
    StationFactory(community=community(XINYANG), lat_deg=38.06, lon_deg=112.68)
    StationFactory(community=community(HUANGZHAI), lat_deg=38.10, lon_deg=112.68)

    near_huangzhai = locate_report(38.095, 112.68)
    near_xinyang = locate_report(38.065, 112.68)

    assert near_huangzhai == ReportArea(community=community(HUANGZHAI), county=yangqu)
    assert near_xinyang == ReportArea(community=community(XINYANG), county=yangqu)


def test_a_station_out_of_service_is_ignored(yangqu):
    StationFactory(community=community(XINYANG), lat_deg=38.06, lon_deg=112.68)
    StationFactory(
        community=community(HUANGZHAI), lat_deg=38.10, lon_deg=112.68, is_active=False
    )

    located = locate_report(38.10, 112.68)

    assert located.community == community(XINYANG)
    assert located.county == yangqu


def test_only_stations_out_of_service_nearby_is_outside_the_area():
    StationFactory(is_active=False)
    with pytest.raises(ReportOutsideAreaError):
        locate_report(STATION_LAT, STATION_LON)


def test_a_place_just_inside_the_limit_is_located(station, yangqu):
    located = locate_report(*INSIDE_LIMIT)
    assert located == ReportArea(community=station.community, county=yangqu)


@pytest.mark.parametrize("position", [BOX_CORNER, FAR_AWAY], ids=["corner", "far"])
def test_a_place_beyond_the_limit_is_outside_the_area(station, position):
    with pytest.raises(ReportOutsideAreaError) as caught:
        locate_report(*position)
    assert caught.value.code == "report_outside_area"
    assert caught.value.params == {"km": 20}


def test_no_station_at_all_is_outside_the_area():
    with pytest.raises(ReportOutsideAreaError):
        locate_report(STATION_LAT, STATION_LON)


def test_the_limit_follows_the_setting(station, settings):
    settings.REPORT_MAX_STATION_DISTANCE_KM = 5
    with pytest.raises(ReportOutsideAreaError) as caught:
        locate_report(STATION_LAT + 0.09, STATION_LON)  # about 10 km
    assert caught.value.params == {"km": 5}
    assert locate_report(STATION_LAT + 0.04, STATION_LON).community == station.community


def test_a_report_outside_the_area_saves_nothing(station, reporter, routed):
    with pytest.raises(ReportOutsideAreaError):
        send_report(reporter, lat_deg=FAR_AWAY[0], lon_deg=FAR_AWAY[1])
    assert not Report.objects.exists()
    assert not ReportEvent.objects.exists()
    assert not AuditEntry.objects.filter(target_type="reports.report").exists()


# route_report


@pytest.mark.parametrize("community_rule_first", [True, False])
def test_the_community_rule_beats_the_county_wide_rule(community_rule_first):
    county_wide = make_department("县住建局")
    local = make_department("新阳社区工作站")
    rules = [
        lambda: route(ReportCategory.ROAD_DAMAGE, local, XINYANG),
        lambda: route(ReportCategory.ROAD_DAMAGE, county_wide),
    ]
    for make_rule in rules if community_rule_first else reversed(rules):
        make_rule()

    assert route_report(ReportCategory.ROAD_DAMAGE, area(XINYANG)) == local
    assert route_report(ReportCategory.ROAD_DAMAGE, area(HUANGZHAI)) == county_wide


def test_the_county_wide_rule_is_used_without_a_community_rule():
    county_wide = make_department("县住建局")
    route(ReportCategory.STREET_LIGHT, county_wide)
    assert route_report(ReportCategory.STREET_LIGHT, area(HUANGZHAI)) == county_wide


def test_a_rule_for_another_category_or_county_is_not_used(qingxu):
    roads = make_department("县住建局")
    route(ReportCategory.ROAD_DAMAGE, roads)
    route(ReportCategory.ROAD_DAMAGE, roads, XINYANG)
    elsewhere = make_department("清徐县住建局", county=qingxu)
    route(ReportCategory.MANHOLE, elsewhere)

    assert route_report(ReportCategory.MANHOLE, area(XINYANG)) is None
    assert route_report(ReportCategory.STREET_LIGHT, area(XINYANG)) is None


def test_without_a_rule_the_report_waits_for_the_county(station, reporter):
    report = send_report(reporter, category=ReportCategory.WATER_ICE)

    report.refresh_from_db()
    assert report.department is None
    events = list(report.events.values_list("kind", "department"))
    assert events == [(EventKind.SUBMITTED, None), (EventKind.UNROUTED, None)]


def test_a_rule_to_a_department_that_no_longer_receives_reports_is_skipped():
    county_wide = make_department("县住建局")
    closed = make_department("旧工作站", is_active=False)
    route(ReportCategory.ROAD_DAMAGE, closed, XINYANG)
    route(ReportCategory.ROAD_DAMAGE, county_wide)

    assert route_report(ReportCategory.ROAD_DAMAGE, area(XINYANG)) == county_wide

    county_wide.is_active = False
    county_wide.save()
    assert route_report(ReportCategory.ROAD_DAMAGE, area(XINYANG)) is None


def test_a_report_is_routed_with_a_routed_event(station, reporter):
    local = make_department("新阳社区工作站")
    route(ReportCategory.ROAD_DAMAGE, make_department("县住建局"))
    route(ReportCategory.ROAD_DAMAGE, local, station.community.code)

    report = send_report(reporter)

    assert report.department == local
    routed = report.events.get(kind=EventKind.ROUTED)
    assert routed.department == local


# Constraints on the rules


def test_two_county_wide_rules_for_one_category_are_refused():
    route(ReportCategory.ROAD_DAMAGE, make_department("县住建局"))
    other = make_department("县交通局")
    with pytest.raises(IntegrityError), transaction.atomic():
        route(ReportCategory.ROAD_DAMAGE, other)
    assert RoutingRule.objects.count() == 1


def test_two_rules_for_one_community_and_category_are_refused():
    route(ReportCategory.ROAD_DAMAGE, make_department("县住建局"), XINYANG)
    other = make_department("县交通局")
    with pytest.raises(IntegrityError), transaction.atomic():
        route(ReportCategory.ROAD_DAMAGE, other, XINYANG)
    assert RoutingRule.objects.count() == 1


def test_rules_that_do_not_overlap_are_accepted(qingxu):
    roads = make_department("县住建局")
    route(ReportCategory.ROAD_DAMAGE, roads)
    route(ReportCategory.ROAD_DAMAGE, roads, XINYANG)
    route(ReportCategory.ROAD_DAMAGE, roads, HUANGZHAI)
    route(ReportCategory.MANHOLE, roads)
    route(ReportCategory.MANHOLE, roads, XINYANG)
    route(ReportCategory.ROAD_DAMAGE, make_department("清徐县住建局", county=qingxu))
    assert RoutingRule.objects.count() == 6
