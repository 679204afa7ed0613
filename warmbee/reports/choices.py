"""What a report can be about, where it stands, and what can happen to it."""

import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportKind(models.TextChoices):
    HAZARD = "hazard", _("safety hazard")
    OPINION = "opinion", _("public opinion")


class ReportCategory(models.TextChoices):
    ROAD_DAMAGE = "road_damage", _("Damaged road or pothole")
    MANHOLE = "manhole", _("Missing or broken manhole cover")
    TRAFFIC_FACILITY = "traffic_facility", _("Broken traffic light or sign")
    STREET_LIGHT = "street_light", _("Street light out")
    WATER_ICE = "water_ice", _("Standing water or ice")
    FALLING_OBJECT = "falling_object", _("Something may fall (sign, tree, building)")
    EXPOSED_WIRE = "exposed_wire", _("Exposed wire or electric leak")
    OTHER_HAZARD = "other_hazard", _("Other safety hazard")
    PUBLIC_SERVICE = "public_service", _("Suggestion on public services")
    WORKER_RIGHTS = "worker_rights", _("Outdoor workers' rights and interests")
    OTHER_OPINION = "other_opinion", _("Other public opinion")


URGENT_CATEGORIES = frozenset(
    {ReportCategory.MANHOLE, ReportCategory.FALLING_OBJECT, ReportCategory.EXPOSED_WIRE}
)
OPINION_CATEGORIES = frozenset(
    {
        ReportCategory.PUBLIC_SERVICE,
        ReportCategory.WORKER_RIGHTS,
        ReportCategory.OTHER_OPINION,
    }
)


def kind_of(category: str) -> ReportKind:
    return ReportKind.OPINION if category in OPINION_CATEGORIES else ReportKind.HAZARD


def time_limit(category: str) -> dt.timedelta:
    """How long a department has to resolve a report of ``category`` (办理时限)."""
    if category in URGENT_CATEGORIES:
        return dt.timedelta(hours=24)
    if category in OPINION_CATEGORIES:
        return dt.timedelta(days=7)
    return dt.timedelta(days=3)


class ReportStatus(models.TextChoices):
    SUBMITTED = "submitted", _("waiting to be taken on")
    ACCEPTED = "accepted", _("being handled")
    RESOLVED = "resolved", _("resolved")


OPEN_STATUSES = (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED)


class EventKind(models.TextChoices):
    SUBMITTED = "submitted", _("sent by the reporter")
    ROUTED = "routed", _("sent to a department")
    UNROUTED = "unrouted", _("waiting for the county to choose a department")
    ACCEPTED = "accepted", _("taken on by the department")
    NOTE = "note", _("progress note")
    RESOLVED = "resolved", _("resolved")
    RETURNED = "returned", _("returned to the county: not this department's")
    ASSIGNED = "assigned", _("assigned to a department by the county")
    SATISFIED = "satisfied", _("the reporter is satisfied")
    REOPENED = "reopened", _("reopened by the reporter")


class Feedback(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    NOT_SATISFIED = "not_satisfied", _("Not satisfied: reopen it")
