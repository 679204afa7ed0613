"""Who may import road networks and plan coverage for which county."""

from django.db.models import QuerySet

from warmbee.accounts.models import Role, User
from warmbee.regions.models import Region, RegionLevel


def list_plannable_counties(user: User) -> QuerySet[Region]:
    """Return the counties ``user`` may plan for: county and province administrators'."""
    counties = Region.objects.filter(level=RegionLevel.COUNTY)
    if not user.is_authenticated or not user.is_active:
        return counties.none()
    if user.is_superuser:
        return counties
    if user.role == Role.PROVINCE_ADMIN and user.region is not None:
        return counties.filter(code__startswith=user.region.code[:2])
    if user.role == Role.COUNTY_ADMIN and user.region is not None:
        return counties.filter(code__startswith=user.region.code[:6])
    return counties.none()


def can_plan_county(user: User, county: Region) -> bool:
    return list_plannable_counties(user).filter(pk=county.pk).exists()
