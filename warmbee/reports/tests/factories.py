"""Factories for reports (tests only)."""

import uuid

from warmbee.accounts.models import Role, User
from warmbee.factories import community, make_user
from warmbee.regions.models import Region
from warmbee.reports.choices import ReportCategory
from warmbee.reports.models import Department, Report, RoutingRule
from warmbee.reports.services import NewReport, submit_report

YANGQU_CODE = "140122000000"


def make_department(
    name: str = "县住建局", county: Region | None = None, **fields: object
) -> Department:
    county = county or Region.objects.get(code=YANGQU_CODE)
    return Department.objects.create(county=county, name=name, **fields)


def make_handler(department: Department) -> User:
    handler = make_user(Role.DEPARTMENT_HANDLER)
    department.handlers.add(handler)
    return handler


def route(
    category: str, department: Department, community_code: str | None = None
) -> RoutingRule:
    return RoutingRule.objects.create(
        county=department.county,
        category=category,
        community=community(community_code) if community_code else None,
        department=department,
    )


def new_report(**fields: object) -> NewReport:
    """A report at the default StationFactory position (Xinyang, Yangqu) unless told."""
    values: dict[str, object] = {
        "client_id": uuid.uuid4(),
        "category": ReportCategory.ROAD_DAMAGE,
        "description": "路面塌了一个坑",
        "place_note": "",
        "lat_deg": 38.0601,
        "lon_deg": 112.6801,
        "position_from_station": False,
    }
    values.update(fields)
    return NewReport(**values)  # type: ignore[arg-type]


def send_report(reporter: User, **fields: object) -> Report:
    """Submit a report through the service (a station must be near its position)."""
    return submit_report(reporter=reporter, new=new_report(**fields))
