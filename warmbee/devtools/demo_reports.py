"""Demo departments, routing rules and reports for Yangqu, all labelled as demo data.

The department names are the usual county bodies; which one takes which category here
is made up for the demo, and so is every report (no reporter but the demo rider).
"""

import datetime as dt
import random
import uuid

from django.db import transaction
from django.utils import timezone

from warmbee.accounts.models import User
from warmbee.core.geo import station_cell
from warmbee.regions.models import Region
from warmbee.reports.choices import (
    EventKind,
    ReportCategory,
    ReportStatus,
    kind_of,
    time_limit,
)
from warmbee.reports.models import Department, Report, ReportEvent, RoutingRule
from warmbee.reports.routing import ReportArea, locate_report, route_report
from warmbee.stations.models import Station

C = ReportCategory
DEPARTMENTS = (
    (
        "阳曲县城市管理局",
        "Yangqu Urban Management Bureau",
        (C.MANHOLE, C.STREET_LIGHT, C.WATER_ICE),
    ),
    ("阳曲县交通运输局", "Yangqu Transport Bureau", (C.ROAD_DAMAGE,)),
    ("阳曲县公安局交警大队", "Yangqu Traffic Police", (C.TRAFFIC_FACILITY,)),
    (
        "阳曲县应急管理局",
        "Yangqu Emergency Management Bureau",
        (C.FALLING_OBJECT, C.EXPOSED_WIRE),
    ),
    ("阳曲县总工会", "Yangqu Federation of Trade Unions", (C.WORKER_RIGHTS,)),
)
# Streets of the county seat are the urban management bureau's, not the transport bureau's.
TOWN_ROADS = ("140122400001", "阳曲县城市管理局")
FALLBACK = "阳曲县城市管理局"  # takes what no rule routes, in the demo
DEMO_HANDLER_PHONE = "13800000004"
DEMO_RIDER_PHONE = "13800000005"

DESCRIPTIONS: dict[str, str] = {
    C.ROAD_DAMAGE: "路面有个大坑，晚上电动车容易摔（演示）",
    C.MANHOLE: "井盖缺了一角，踩上去会晃（演示）",
    C.TRAFFIC_FACILITY: "路口红绿灯一直黄灯闪（演示）",
    C.STREET_LIGHT: "这一段路灯全不亮（演示）",
    C.WATER_ICE: "下雨后积水很深，冬天结冰（演示）",
    C.FALLING_OBJECT: "楼顶广告牌松了，风大时晃动（演示）",
    C.EXPOSED_WIRE: "电线杆下有裸露电线（演示）",
    C.OTHER_HAZARD: "人行道上堆了建筑垃圾（演示）",
    C.PUBLIC_SERVICE: "希望驿站晚上开到十点（演示）",
    C.WORKER_RIGHTS: "小区不让外卖电动车进，只能步行送很远（演示）",
}
HAZARD_WEIGHTS = {
    C.ROAD_DAMAGE: 5,
    C.MANHOLE: 3,
    C.TRAFFIC_FACILITY: 2,
    C.STREET_LIGHT: 4,
    C.WATER_ICE: 3,
    C.FALLING_OBJECT: 1,
    C.EXPOSED_WIRE: 1,
    C.OTHER_HAZARD: 1,
}


@transaction.atomic
def load_demo_reports(county: Region, *, count: int = 80, seed: int = 2026) -> bool:
    """Create the demo departments, rules and reports once; False if already there."""
    if Department.objects.filter(county=county, is_demo=True).exists():
        return False
    departments = {}
    for name, name_en, categories in DEPARTMENTS:
        department = Department.objects.create(
            county=county, name=name, name_en=name_en, is_demo=True
        )
        departments[name] = department
        for category in categories:
            RoutingRule.objects.create(
                county=county, category=category, department=department
            )
    community_code, department_name = TOWN_ROADS
    RoutingRule.objects.create(
        county=county,
        category=C.ROAD_DAMAGE,
        community=Region.objects.get(code=community_code),
        department=departments[department_name],
    )
    handler = User.objects.get_by_natural_key(DEMO_HANDLER_PHONE)
    departments[department_name].handlers.add(handler)
    _add_reports(county, count, random.Random(seed))
    return True


def _add_reports(county: Region, count: int, rng: random.Random) -> None:
    """Made-up reports over the last six months, most resolved; a cluster of hazards
    around a made-up hot spot north-east of the county seat, like the demo origins."""
    stations = list(Station.objects.filter(is_demo=True, is_active=True).order_by("pk"))
    hot_spot = (stations[0].lat_deg + 0.02, stations[0].lon_deg + 0.03)
    now = timezone.now()
    hazards = list(HAZARD_WEIGHTS)
    weights = list(HAZARD_WEIGHTS.values())
    for index in range(count):
        if index % 10 == 9:
            category = rng.choice((C.PUBLIC_SERVICE, C.WORKER_RIGHTS))
        else:
            category = rng.choices(hazards, weights)[0]
        if index % 3 == 0:
            centre, spread = hot_spot, 0.005
        else:
            station = rng.choice(stations)
            centre, spread = (station.lat_deg, station.lon_deg), 0.01
        lat = round(rng.gauss(centre[0], spread), 5)
        lon = round(rng.gauss(centre[1], spread), 5)
        age = dt.timedelta(minutes=rng.randint(30, 180 * 24 * 60))
        _add_report(
            category=category,
            lat=lat,
            lon=lon,
            sent_at=now - age,
            rng=rng,
        )
    _add_rider_reports(stations[0], now, rng)


def _add_rider_reports(station: Station, now: dt.datetime, rng: random.Random) -> None:
    """The demo rider's own three: just sent, being handled, resolved (feedback open)."""
    rider = User.objects.get_by_natural_key(DEMO_RIDER_PHONE)
    for category, hours_ago, status in (
        (C.ROAD_DAMAGE, 1, ReportStatus.SUBMITTED),
        (C.STREET_LIGHT, 26, ReportStatus.ACCEPTED),
        (C.MANHOLE, 50, ReportStatus.RESOLVED),
    ):
        _add_report(
            category=category,
            lat=round(station.lat_deg + rng.uniform(-0.004, 0.004), 5),
            lon=round(station.lon_deg + rng.uniform(-0.004, 0.004), 5),
            sent_at=now - dt.timedelta(hours=hours_ago),
            rng=rng,
            reporter=rider,
            status=status,
        )


def _add_report(
    *,
    category: str,
    lat: float,
    lon: float,
    sent_at: dt.datetime,
    rng: random.Random,
    reporter: User | None = None,
    status: ReportStatus | None = None,
) -> None:
    area: ReportArea = locate_report(lat, lon)
    department = route_report(category, area)
    # The county chose a department for older reports no rule routes.
    assigned = department is None and sent_at < timezone.now() - dt.timedelta(days=2)
    if assigned:
        department = Department.objects.get(county=area.county, name=FALLBACK)
    if status is None:
        old = sent_at < timezone.now() - dt.timedelta(days=5)
        status = (
            ReportStatus.RESOLVED
            if department is not None and (old or rng.random() < 0.4)
            else ReportStatus.SUBMITTED
        )
    resolved = status == ReportStatus.RESOLVED
    report = Report.objects.create(
        client_id=uuid.UUID(int=rng.getrandbits(128)),
        reporter=reporter,
        county=area.county,
        community=area.community,
        kind=kind_of(category),
        category=category,
        description=DESCRIPTIONS.get(category, DESCRIPTIONS[C.OTHER_HAZARD]),
        lat_deg=lat,
        lon_deg=lon,
        h3_cell=station_cell(lat, lon),
        department=department,
        status=status,
        due_at=sent_at + time_limit(category),
        resolved_at=sent_at + dt.timedelta(hours=rng.randint(4, 24))
        if resolved
        else None,
        created_at=sent_at,
        is_demo=True,
    )
    events: list[tuple[dt.datetime, EventKind, Department | None, str]] = [
        (sent_at, EventKind.SUBMITTED, None, "")
    ]
    events.append(
        (
            sent_at,
            EventKind.ROUTED if department and not assigned else EventKind.UNROUTED,
            None if assigned else department,
            "",
        )
    )
    if assigned:
        events.append(
            (sent_at + dt.timedelta(hours=1), EventKind.ASSIGNED, department, "")
        )
    if status != ReportStatus.SUBMITTED:
        events.append(
            (sent_at + dt.timedelta(hours=2), EventKind.ACCEPTED, department, "")
        )
    if resolved and report.resolved_at is not None:
        events.append(
            (
                report.resolved_at,
                EventKind.RESOLVED,
                department,
                "已安排维修，现场已处理完毕（演示）",
            )
        )
    for at, kind, by, note in events:
        ReportEvent.objects.create(
            report=report, at=at, kind=kind, department=by, note=note
        )
