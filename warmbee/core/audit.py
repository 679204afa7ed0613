"""Write to the audit log: every read of sensitive data and every change goes through here.

Also who may read the log (``list_readable_audit_entries``), so the admin stays thin.
"""

from typing import TYPE_CHECKING

from django.contrib.auth.models import AnonymousUser
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from warmbee.core.clients import client_address
from warmbee.core.models import AuditAction, AuditEntry

if TYPE_CHECKING:  # app models, for typing only: core imports no app at run time
    from warmbee.accounts.models import User
    from warmbee.regions.models import Region

SYSTEM_LABEL = "system"
ANONYMOUS_LABEL = "anonymous"
WORKER_ROLE = "worker"  # accounts.models.Role.WORKER
COUNTY_LEVEL = "county"  # warmbee.regions.models.RegionLevel.COUNTY
# accounts.models.Role values; compared as strings so core needs no import of accounts.
LOG_WIDE_ROLES = frozenset({"province_admin"})
COUNTY_SCOPED_ROLES = frozenset({"county_admin"})


def record_audit(
    *,
    actor: "User | None",
    action: AuditAction,
    target: Model,
    fields: list[str] | None = None,
    reason: str = "",
    request: HttpRequest | None = None,
    county: "Region | None" = None,
    actor_label: str | None = None,
) -> AuditEntry:
    """Append one entry, in the caller's transaction (a rolled-back change leaves none).

    ``actor_label`` replaces the recorded name where even an account number would say
    too much (a report's sender is "reporter"); pass no ``request`` then, or its address
    is kept too.

    ``actor`` None is the system (a command or a task) when there is no ``request``, and
    an anonymous visitor (someone without an account, known by the recorded address)
    when there is one. Workers are recorded by account number, not name
    (``_actor_label``).

    ``county`` is the county in which the action happened; it decides which county
    administrators can read the entry:

    - changes to a station and its records (amenities, flags, closures, visits): the
      station's county;
    - staff or administrators acting on a person: the actor's county;
    - a worker's self-service (registration, consent, export, deletion): None, unless a
      county is known for certain.

    Entries without a county are read by province administrators only.
    """
    if county is not None and county.level != COUNTY_LEVEL:
        raise ValueError(f"An audit entry's county must be a county, not {county!r}.")
    if actor_label is not None:
        pass
    elif actor is not None:
        actor_label = _actor_label(actor)
    else:
        actor_label = ANONYMOUS_LABEL if request is not None else SYSTEM_LABEL
    return AuditEntry.objects.create(
        actor=actor,
        actor_label=actor_label[:80],
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        fields=sorted(fields or []),
        reason=reason.strip(),
        ip_address=client_address(request),
        user_agent=(request.META.get("HTTP_USER_AGENT", "") if request else "")[:200],
        county=county,
    )


def _actor_label(actor: "User") -> str:
    """Return who acted, as the entry keeps it for good.

    Staff and administrators are named: they answer for what they do. An outdoor
    worker is kept as their account number, never their name, because the log is
    append-only and deleting an account must leave no name behind.
    """
    if actor.role == WORKER_ROLE:
        return f"worker #{actor.pk}"
    return str(actor)


def actor_county(user: "User | AnonymousUser | None") -> "Region | None":
    """Return the county of an administrator's region (``User.region``), else None.

    For ``record_audit(county=...)`` when staff or administrators act on a person; a
    station staff member has no region: pass the county of the station they act at.
    """
    region: Region | None = getattr(user, "region", None)
    return region.county() if region is not None else None


def _role(user: "User | AnonymousUser") -> str:
    return str(getattr(user, "role", ""))


def may_read_audit_log(user: "User | AnonymousUser") -> bool:
    """Return whether ``user`` may open the audit log at all (their entries may be none)."""
    return bool(
        user.is_authenticated
        and user.is_active
        and (
            user.is_superuser
            or _role(user) in LOG_WIDE_ROLES
            or _role(user) in COUNTY_SCOPED_ROLES
        )
    )


def list_readable_audit_entries(user: "User | AnonymousUser") -> QuerySet[AuditEntry]:
    """Return the entries ``user`` may read.

    Superusers and province administrators read every entry; a county administrator
    reads the entries of their county (``User.region``, or the county it lies in);
    everyone else reads none.
    """
    entries = AuditEntry.objects.select_related("county")
    if not may_read_audit_log(user):
        return entries.none()
    if user.is_superuser or _role(user) in LOG_WIDE_ROLES:
        return entries
    county = actor_county(user)
    if county is None:
        return entries.none()
    return entries.filter(county=county)
