"""Who may manage which station: the scoping rules in one place."""

from django.db.models import QuerySet

from warmbee.accounts.models import Role, User
from warmbee.regions.models import Region, RegionLevel
from warmbee.stations.models import Station


def list_manageable_stations(user: User) -> QuerySet[Station]:
    """Return the stations ``user`` may manage (empty for workers, doctors, handlers)."""
    stations = Station.objects.select_related("community")
    if not user.is_authenticated or not user.is_active:
        return stations.none()
    if user.is_superuser:
        return stations
    if user.role == Role.PROVINCE_ADMIN and user.region is not None:
        return stations.filter(community__code__startswith=user.region.code[:2])
    if user.role == Role.COUNTY_ADMIN and user.region is not None:
        return stations.filter(community__code__startswith=user.region.code[:6])
    if user.role == Role.STATION_STAFF:
        return stations.filter(staff=user)
    return stations.none()


def list_communities_for(user: User) -> QuerySet[Region]:
    """Return the communities in which ``user`` may place stations."""
    communities = Region.objects.filter(level=RegionLevel.COMMUNITY)
    if user.is_superuser:
        return communities
    if (
        user.role in {Role.PROVINCE_ADMIN, Role.COUNTY_ADMIN}
        and user.region is not None
    ):
        digits = 2 if user.role == Role.PROVINCE_ADMIN else 6
        return communities.filter(code__startswith=user.region.code[:digits])
    return communities.none()


def can_manage_station(user: User, station: Station) -> bool:
    return list_manageable_stations(user).filter(pk=station.pk).exists()


def is_station_manager(user: User) -> bool:
    """Return whether ``user`` has a role that manages stations at all."""
    return user.is_authenticated and (
        user.is_superuser
        or user.role in {Role.PROVINCE_ADMIN, Role.COUNTY_ADMIN, Role.STATION_STAFF}
    )


def serves_at_a_station(user: User) -> bool:
    """Return whether ``user`` may serve workers at a desk: register walk-ins, open
    scanned cards. Administrators may; station staff only once assigned a station."""
    if not is_station_manager(user):
        return False
    if user.role == Role.STATION_STAFF and not user.is_superuser:
        return list_manageable_stations(user).exists()
    return True
