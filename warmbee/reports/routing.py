"""Where a report is (which community and county) and which department gets it."""

import math
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q

from warmbee.core.geo import haversine_m
from warmbee.regions.models import Region
from warmbee.reports.errors import ReportOutsideAreaError
from warmbee.reports.models import Department, RoutingRule
from warmbee.stations.models import Station


@dataclass(frozen=True)
class ReportArea:
    community: Region
    county: Region


def locate_report(lat_deg: float, lon_deg: float) -> ReportArea:
    """Return the community of the nearest station in service, and its county.

    Regions carry no boundaries here, so a station's community stands for the area
    around it. Raises ``ReportOutsideAreaError`` beyond ``REPORT_MAX_STATION_DISTANCE_KM``.
    """
    limit_km = settings.REPORT_MAX_STATION_DISTANCE_KM
    dlat = limit_km / 111.0
    dlon = limit_km / (111.0 * max(math.cos(math.radians(lat_deg)), 0.1))
    nearby = Station.objects.filter(
        is_active=True,
        lat_deg__range=(lat_deg - dlat, lat_deg + dlat),
        lon_deg__range=(lon_deg - dlon, lon_deg + dlon),
    ).select_related("community")
    best: tuple[float, Station] | None = None
    for station in nearby:
        distance = haversine_m(lat_deg, lon_deg, station.lat_deg, station.lon_deg)
        if distance <= limit_km * 1000 and (best is None or distance < best[0]):
            best = (distance, station)
    county = best[1].community.county() if best else None
    if best is None or county is None:
        raise ReportOutsideAreaError(km=limit_km)
    return ReportArea(community=best[1].community, county=county)


def route_report(category: str, area: ReportArea) -> Department | None:
    """Return the department for ``category`` in ``area``, or None for the county to choose.

    The community's own rule wins over the county-wide rule; a rule naming a department
    that no longer receives reports is skipped.
    """
    rules = (
        RoutingRule.objects.filter(
            county=area.county, category=category, department__is_active=True
        )
        .filter(Q(community=area.community) | Q(community__isnull=True))
        .select_related("department")
    )
    chosen = min(rules, key=lambda rule: rule.community_id is None, default=None)
    return chosen.department if chosen else None
