"""Reads of regions."""

from django.db.models import QuerySet

from warmbee.regions.models import Region, RegionLevel


def list_communities(*, county: Region | None = None) -> QuerySet[Region]:
    communities = Region.objects.filter(level=RegionLevel.COMMUNITY)
    if county is not None:
        communities = communities.filter(code__startswith=county.code[:6])
    return communities.order_by("code")


def county_code_prefix(county: Region) -> str:
    """Return the six-digit prefix every division inside ``county`` shares."""
    return county.code[:6]
