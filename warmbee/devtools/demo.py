"""Yangqu demo data: the 12 county-seat stations, users for every role and demo visits.

Everything made here is marked as demo data. Station positions are approximate (no
coordinates are published), and so are opening hours and amenities except where the
January 2023 Shanxi Evening News report describes a station.
"""

import datetime as dt
import random
import uuid
from collections import Counter
from dataclasses import dataclass

import h3
import numpy as np
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from warmbee.accounts.models import Role, User
from warmbee.coverage.engine.synthetic import perturbed_grid
from warmbee.coverage.services import install_road_network
from warmbee.devtools.demo_reports import load_demo_reports
from warmbee.regions.models import Region
from warmbee.stations.choices import AmenityStatus
from warmbee.stations.models import Station, StationAmenity
from warmbee.stations.services import create_station
from warmbee.visits.models import CheckInOriginCount, Visit, VisitChannel
from warmbee.visits.origins import first_of_month
from warmbee.workers.choices import (
    ConsentChannel,
    NoticeKind,
    Occupation,
    Platform,
    Vehicle,
)
from warmbee.workers.models import Consent, WorkerProfile
from warmbee.workers.selectors import get_current_notice

DEMO_PASSWORD = "warmbee-demo-2026"  # noqa: S105  # printed for demo logins only
DEMO_NETWORK_NAME = "yangqu-demo-grid"
DEMO_NETWORK_SEED = 4
YANGQU_CODE = "140122000000"

TYPICAL = [
    "rest_seats",
    "drinking_water",
    "hot_water",
    "microwave",
    "toilet",
    "phone_charging",
    "power_bank",
    "rain_gear",
    "first_aid",
    "repair_tools",
    "wifi",
    "heating_cooling",
    "sewing_kit",
]


@dataclass(frozen=True)
class DemoStation:
    community_code: str
    name: str
    name_en: str
    address: str
    address_en: str
    lat_deg: float
    lon_deg: float
    opening_hours: str
    amenities: tuple[str, ...]


# Positions are spread around the county seat (about 38.06 N, 112.68 E): approximate.
STATIONS = (
    DemoStation(
        "140122400001",
        "新阳东街社区暖蜂驿站",
        "Xinyang East Street Warm Bee Station",
        "新阳东街社区党群服务中心",
        "Xinyang East Street community service centre",
        38.0655,
        112.6850,
        "Mo-Su 08:00-20:00",
        (
            "rest_seats",
            "drinking_water",
            "hot_water",
            "phone_charging",
            "repair_tools",
            "microwave",
            "toilet",
            "rain_gear",
            "first_aid",
        ),
    ),
    DemoStation(
        "140122400008",
        "城南街社区暖蜂驿站",
        "Chengnan Street Warm Bee Station",
        "首邑路停车场内，城南街社区党群服务中心",
        "Inside the Shouyi Road car park",
        38.0520,
        112.6790,
        "Mo-Su 07:30-21:00",
        (
            "rest_seats",
            "drinking_water",
            "hot_water",
            "first_aid",
            "health_hut",
            "phone_charging",
            "microwave",
            "toilet",
            "rain_gear",
            "wifi",
        ),
    ),
    DemoStation(
        "140122400002",
        "商贸新街社区暖蜂驿站",
        "Shangmao New Street Warm Bee Station",
        "商贸新街社区党群服务中心",
        "Shangmao New Street community service centre",
        38.0610,
        112.6745,
        "Mo-Fr 08:00-18:00; Sa,Su 09:00-17:00; PH off",
        tuple(TYPICAL),
    ),
    DemoStation(
        "140122400003",
        "南坡街社区暖蜂驿站",
        "Nanpo Street Warm Bee Station",
        "南坡街社区党群服务中心",
        "Nanpo Street community service centre",
        38.0560,
        112.6905,
        "Mo-Fr 08:30-18:00; PH off",
        tuple(TYPICAL[:8]),
    ),
    DemoStation(
        "140122400004",
        "首邑北路社区暖蜂驿站",
        "Shouyi North Road Warm Bee Station",
        "首邑北路社区党群服务中心",
        "Shouyi North Road community service centre",
        38.0700,
        112.6800,
        "24/7",
        tuple(TYPICAL[:6]),
    ),
    DemoStation(
        "140122400005",
        "首邑南路社区暖蜂驿站",
        "Shouyi South Road Warm Bee Station",
        "首邑南路社区党群服务中心",
        "Shouyi South Road community service centre",
        38.0480,
        112.6830,
        "Mo-Su 08:00-20:00",
        tuple(TYPICAL),
    ),
    DemoStation(
        "140122400006",
        "新安东街社区暖蜂驿站",
        "Xin'an East Street Warm Bee Station",
        "新安东街社区党群服务中心",
        "Xin'an East Street community service centre",
        38.0630,
        112.6960,
        "Mo-Sa 08:00-19:00",
        tuple(TYPICAL[:10]),
    ),
    DemoStation(
        "140122400007",
        "城东路社区暖蜂驿站",
        "Chengdong Road Warm Bee Station",
        "城东路社区党群服务中心",
        "Chengdong Road community service centre",
        38.0590,
        112.7030,
        "Mo-Su 08:00-20:00",
        tuple(TYPICAL),
    ),
    DemoStation(
        "140122400009",
        "东北街社区暖蜂驿站",
        "Dongbei Street Warm Bee Station",
        "东北街社区党群服务中心",
        "Dongbei Street community service centre",
        38.0740,
        112.6930,
        "Mo-Fr 08:00-18:00",
        tuple(TYPICAL[:7]),
    ),
    DemoStation(
        "140122400010",
        "文明街社区暖蜂驿站",
        "Wenming Street Warm Bee Station",
        "文明街社区党群服务中心",
        "Wenming Street community service centre",
        38.0575,
        112.6700,
        "Mo-Su 08:00-20:00",
        (
            "rest_seats",
            "drinking_water",
            "toilet",
            "phone_charging",
            "reading_corner",
            "wifi",
        ),
    ),
    DemoStation(
        "140122400011",
        "大运路社区暖蜂驿站",
        "Dayun Road Warm Bee Station",
        "大运路社区党群服务中心",
        "Dayun Road community service centre",
        38.0450,
        112.6680,
        "Mo-Su 07:00-22:00",
        tuple(TYPICAL),
    ),
    DemoStation(
        "140122400012",
        "锦绣大街社区暖蜂驿站",
        "Jinxiu Avenue Warm Bee Station",
        "锦绣大街社区党群服务中心",
        "Jinxiu Avenue community service centre",
        38.0680,
        112.6640,
        "Mo-Su 08:00-20:00",
        tuple(TYPICAL) + ("gym",),
    ),
)

USERS = (
    ("13800000000", "省级管理员（演示）", Role.PROVINCE_ADMIN, "140000000000"),
    ("13800000001", "阳曲县管理员（演示）", Role.COUNTY_ADMIN, "140122000000"),
    ("13800000002", "驿站工作人员（演示）", Role.STATION_STAFF, None),
    ("13800000003", "签约医生（演示）", Role.DOCTOR, None),
    ("13800000004", "职能部门（演示）", Role.DEPARTMENT_HANDLER, None),
    ("13800000005", "外卖骑手（演示）", Role.WORKER, None),
)


@transaction.atomic
def load_demo(*, visits: int = 300, seed: int = 2026) -> bool:
    """Create the demo once; return False if it was already there."""
    if Station.objects.filter(is_demo=True).exists():
        # Demo databases made before reports existed get the demo reports too.
        return load_demo_reports(Region.objects.get(code=YANGQU_CODE))
    staff_user = None
    for phone, name, role, region_code in USERS:
        region = Region.objects.get(code=region_code) if region_code else None
        user = User.objects.create_user(
            phone,
            DEMO_PASSWORD,
            display_name=name,
            role=role,
            region=region,
            is_staff=role in {Role.PROVINCE_ADMIN, Role.COUNTY_ADMIN},
            phone_confirmed_at=timezone.now(),
        )
        if role == Role.STATION_STAFF:
            staff_user = user
    stations = []
    for demo in STATIONS:
        station = create_station(
            name=demo.name,
            name_en=demo.name_en,
            community=Region.objects.get(code=demo.community_code),
            address=demo.address,
            address_en=demo.address_en,
            lat_deg=demo.lat_deg,
            lon_deg=demo.lon_deg,
            position_is_approximate=True,
            opening_hours=demo.opening_hours,
            capacity=12,
            is_demo=True,
        )
        StationAmenity.objects.filter(station=station).update(status=AmenityStatus.NO)
        StationAmenity.objects.filter(
            station=station, amenity__code__in=demo.amenities
        ).update(status=AmenityStatus.YES, verified_at=timezone.now())
        stations.append(station)
    assert staff_user is not None  # noqa: S101  # USERS has a station staff entry
    stations[0].staff.add(staff_user)
    stations[1].staff.add(staff_user)
    _add_worker_file(stations[0].community)
    _add_visits(stations, visits, random.Random(seed))
    _add_checkin_origins(stations, random.Random(seed))
    _add_generated_network(stations[0].community.county())
    load_demo_reports(Region.objects.get(code=YANGQU_CODE))
    return True


def _add_generated_network(county: Region | None) -> None:
    """Install a made-up street grid around the county seat, labelled as generated.

    No real extract of Yangqu ships in any package; this one lets the planner and the
    finder show network travel times. 10 km x 7 km, a street every 180 m: milliseconds.
    """
    assert county is not None  # noqa: S101  # demo communities lie in Yangqu
    install_road_network(
        county=county,
        network=perturbed_grid(
            rows=40,
            columns=55,
            spacing_m=180.0,
            rng=np.random.default_rng(DEMO_NETWORK_SEED),
            origin_lat_deg=38.03,
            origin_lon_deg=112.63,
        ),
        name=DEMO_NETWORK_NAME,
        user=None,
        is_generated=True,
    )


def _add_worker_file(community: Region) -> None:
    """Give the demo rider a file with every consent, as if registered on the phone."""
    worker = User.objects.get_by_natural_key("13800000005")
    profile = WorkerProfile.objects.create(
        user=worker,
        name=worker.display_name,
        occupation=Occupation.DELIVERY_RIDER,
        platform=Platform.MEITUAN,
        vehicle=Vehicle.EBIKE,
        card_code="demo-rider-card",
    )
    profile.work_communities.set([community])
    for kind in NoticeKind:
        Consent.objects.create(
            worker=worker,
            notice=get_current_notice(kind),
            granted_at=timezone.now(),
            channel=ConsentChannel.PHONE,
        )


def _add_visits(stations: list[Station], count: int, rng: random.Random) -> None:
    now = timezone.now()
    worker = User.objects.get_by_natural_key("13800000005")
    rows = []
    for _index in range(count):
        visited_at = now - dt.timedelta(minutes=rng.randint(5, 7 * 24 * 60))
        rows.append(
            Visit(
                client_id=uuid.UUID(int=rng.getrandbits(128)),
                station=rng.choice(stations),
                visited_at=visited_at,
                channel=VisitChannel.QR,
                worker=worker if rng.random() < 0.1 else None,
                is_demo=True,
            )
        )
    Visit.objects.bulk_create(rows)


def _add_checkin_origins(stations: list[Station], rng: random.Random) -> None:
    """Note made-up check-in origins over the last six months, labelled as demo.

    Most lie within a few kilometres of a station; a quarter come from a made-up
    delivery hot spot 3 km north-east of the first station, so a plan has somewhere
    to recommend (inside the generated network, which ends 4 km north of the seat).
    """
    county = stations[0].community.county()
    assert county is not None  # noqa: S101  # demo communities lie in Yangqu
    hot_spot = (stations[0].lat_deg + 0.02, stations[0].lon_deg + 0.03)
    now = timezone.now()
    counts: Counter[tuple[str, dt.date]] = Counter()
    for index in range(400):
        if index % 4 == 0:
            centre, spread_deg = hot_spot, 0.006
        else:
            station = rng.choice(stations)
            centre, spread_deg = (station.lat_deg, station.lon_deg), 0.012
        lat_deg = rng.gauss(centre[0], spread_deg)
        lon_deg = rng.gauss(centre[1], spread_deg)
        cell = h3.latlng_to_cell(
            lat_deg, lon_deg, settings.CHECKIN_ORIGIN_H3_RESOLUTION
        )
        month = first_of_month(now - dt.timedelta(days=rng.randint(0, 180)))
        counts[str(cell), month] += 1
    CheckInOriginCount.objects.bulk_create(
        CheckInOriginCount(
            county=county, h3_cell=cell, month=month, check_ins=n, is_demo=True
        )
        for (cell, month), n in sorted(counts.items())
    )


def demo_logins() -> list[tuple[str, str, str]]:
    return [(phone, name, DEMO_PASSWORD) for phone, name, _role, _region in USERS]
