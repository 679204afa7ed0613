"""Who may see which worker file, and which parts of it: the scoping rules in one place.

- a worker sees only their own file (through the "me" pages, not these rules);
- station staff see the basic file of consenting workers who visited one of their
  stations or whom they registered, and the visits at their stations;
- doctors see the basic file of workers who gave both consents, and health records;
- county (province) administrators see every file of their county (province): the
  basic file at once, the sensitive parts (contact numbers, ID number, the whole
  visit trail) only after stating a reason, which is logged.
"""

from django.db.models import Exists, OuterRef, Q, QuerySet

from warmbee.accounts.models import Role, User
from warmbee.core.audit import actor_county
from warmbee.regions.models import Region
from warmbee.stations.models import Station
from warmbee.stations.permissions import list_manageable_stations
from warmbee.visits.models import Visit
from warmbee.workers.choices import NoticeKind
from warmbee.workers.models import Consent, WorkerProfile
from warmbee.workers.selectors import find_current_notice

ADMIN_CODE_DIGITS = {Role.PROVINCE_ADMIN: 2, Role.COUNTY_ADMIN: 6}


def _admin_code_prefix(user: User) -> str | None:
    digits = ADMIN_CODE_DIGITS.get(Role(user.role))
    if digits is None or user.region is None:
        return None
    return str(user.region.code[:digits])


def _consents_now(kind: NoticeKind) -> Exists | None:
    """Return "the worker consents to the current ``kind`` notice", or None if none is out."""
    notice = find_current_notice(kind)
    if notice is None:
        return None
    return Exists(
        Consent.objects.filter(
            worker_id=OuterRef("user_id"), notice=notice, withdrawn_at__isnull=True
        )
    )


def _in_area(prefix: str) -> Q:
    works_there = WorkerProfile.work_communities.through.objects.filter(
        workerprofile_id=OuterRef("pk"), region__code__startswith=prefix
    )
    visited_there = Visit.objects.filter(
        worker_id=OuterRef("user_id"), station__community__code__startswith=prefix
    )
    return Q(Exists(works_there)) | Q(Exists(visited_there))


def _staff_scope(user: User, consents: Exists) -> Q:
    visited_their_station = Visit.objects.filter(
        worker_id=OuterRef("user_id"), station__staff=user
    )
    return (Q(Exists(visited_their_station)) | Q(registered_by=user)) & Q(consents)


def list_visible_profiles(user: User) -> QuerySet[WorkerProfile]:
    """Return the files ``user`` may open (basic part); anonymised files are never shown.

    Station staff and doctors lose sight of a file the moment its general consent is
    withdrawn; administrators keep it, to answer the worker's requests and run retention.
    """
    profiles = WorkerProfile.objects.filter(
        user__is_active=True, anonymised_at__isnull=True, merged_into__isnull=True
    ).select_related("user")
    if not user.is_authenticated or not user.is_active:
        return profiles.none()
    if user.is_superuser:
        return profiles
    prefix = _admin_code_prefix(user)
    if prefix is not None:
        return profiles.filter(_in_area(prefix))
    general = _consents_now(NoticeKind.GENERAL)
    if general is None or user.role not in {Role.STATION_STAFF, Role.DOCTOR}:
        return profiles.none()
    if user.role == Role.STATION_STAFF:
        return profiles.filter(_staff_scope(user, general))
    health = _consents_now(NoticeKind.HEALTH)
    return profiles.filter(general, health) if health is not None else profiles.none()


def may_open_sensitive(user: User) -> bool:
    """Return whether ``user`` may open sensitive parts of files (with a stated reason)."""
    return user.is_active and (
        user.is_superuser or _admin_code_prefix(user) is not None
    )


def may_see_health(user: User) -> bool:
    return user.is_active and (user.is_superuser or user.role == Role.DOCTOR)


def may_merge_files(user: User) -> bool:
    return may_open_sensitive(user)


def list_visit_scope(user: User) -> QuerySet[Station]:
    """Return the stations whose visits ``user`` sees in a file without a reason.

    Station staff: their own stations; everyone else: none (administrators see every
    visit only in the sensitive view, after stating a reason).
    """
    if user.role == Role.STATION_STAFF and not user.is_superuser:
        return list_manageable_stations(user)
    return Station.objects.none()


def audit_county(actor: User | None) -> Region | None:
    """Return the county an audit entry of ``actor`` acting on a person belongs to.

    Administrators: their own county; station staff: the county of their (first)
    station; anyone else, and the worker acting on their own file: none.
    """
    if actor is None:
        return None
    county = actor_county(actor)
    if county is None and actor.role == Role.STATION_STAFF:
        station = list_manageable_stations(actor).order_by("pk").first()
        county = station.community.county() if station is not None else None
    return county
