"""One timeline of a worker's file, composed from every app that keeps records of them.

Each app contributes one source function; a new kind of record (events attended, health
checks, loans, reports, volunteer hours) is added by appending its source to ``SOURCES``.
Sources read only; what a viewer may see is decided by the ``TimelineScope`` they get.
"""

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from warmbee.reports.selectors import list_my_reports
from warmbee.visits.selectors import list_worker_visits
from warmbee.workers.models import WorkerProfile
from warmbee.workers.selectors import list_consents


class EntryKind(models.TextChoices):
    REGISTRATION = "registration", _("registration")
    VISIT = "visit", _("visit")
    CONSENT = "consent", _("consent")
    REPORT = "report", _("report")


@dataclass(frozen=True)
class TimelineScope:
    """What part of the file a viewer sees.

    ``visit_station_ids``: None for every visit, else only visits at those stations.
    ``include_reports``: only the owner sees what they reported; the departments and
    everyone else are never told who sent a report.
    """

    visit_station_ids: list[int] | None
    include_health: bool
    include_consents: bool
    include_reports: bool = False


OWNER_SCOPE = TimelineScope(
    visit_station_ids=None,
    include_health=True,
    include_consents=True,
    include_reports=True,
)


@dataclass(frozen=True)
class TimelineEntry:
    at: dt.datetime
    kind: EntryKind
    title: str
    detail: str = ""
    is_health: bool = False


Source = Callable[[WorkerProfile, TimelineScope], Iterable[TimelineEntry]]


def _registration(profile: WorkerProfile, scope: TimelineScope) -> list[TimelineEntry]:
    by_staff = profile.registered_by_id is not None
    title = _("Registered at a station by staff") if by_staff else _("Registered")
    return [TimelineEntry(profile.registered_at, EntryKind.REGISTRATION, str(title))]


def _visits(profile: WorkerProfile, scope: TimelineScope) -> Iterable[TimelineEntry]:
    visits = list_worker_visits(profile.user_id, station_ids=scope.visit_station_ids)
    for visit in visits:
        separator = str(pgettext_lazy("list separator", ", "))
        services = separator.join(str(amenity) for amenity in visit.services.all())
        yield TimelineEntry(
            visit.visited_at,
            EntryKind.VISIT,
            str(_("Visit: %(station)s") % {"station": visit.station.name}),
            services,
        )


def _consents(profile: WorkerProfile, scope: TimelineScope) -> Iterable[TimelineEntry]:
    if not scope.include_consents:
        return
    for consent in list_consents(profile.user):
        notice = str(consent.notice)
        yield TimelineEntry(
            consent.granted_at,
            EntryKind.CONSENT,
            str(_("Consent given: %(notice)s") % {"notice": notice}),
            consent.get_channel_display(),
        )
        if consent.withdrawn_at is not None:
            title = (
                _("Consent closed when files were merged: %(notice)s")
                if consent.closed_by_merge
                else _("Consent withdrawn: %(notice)s")
            )
            yield TimelineEntry(
                consent.withdrawn_at,
                EntryKind.CONSENT,
                str(title % {"notice": notice}),
            )


def _reports(profile: WorkerProfile, scope: TimelineScope) -> Iterable[TimelineEntry]:
    if not scope.include_reports:
        return
    for report in list_my_reports(profile.user):
        yield TimelineEntry(
            report.created_at,
            EntryKind.REPORT,
            str(
                _("Report sent: %(category)s")
                % {"category": report.get_category_display()}
            ),
            str(report.get_status_display()),
        )


SOURCES: list[Source] = [_registration, _visits, _consents, _reports]


def list_timeline(profile: WorkerProfile, scope: TimelineScope) -> list[TimelineEntry]:
    """Return every entry of the file that ``scope`` allows, newest first."""
    entries = [
        entry
        for source in SOURCES
        for entry in source(profile, scope)
        if scope.include_health or not entry.is_health
    ]
    return sorted(entries, key=lambda entry: entry.at, reverse=True)
