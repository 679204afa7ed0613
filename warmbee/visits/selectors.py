"""Reads of visits."""

import datetime as dt
from typing import TypedDict

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Count, Q, QuerySet, Sum
from django_stubs_ext import WithAnnotations

from warmbee.regions.models import Region
from warmbee.stations.models import Station
from warmbee.visits.models import CheckInOriginCount, Visit


def count_visits_by_station(
    station_ids: list[int], *, since: dt.datetime, until: dt.datetime
) -> dict[int, int]:
    """Return {station id: visits with since <= visited_at <= until}; absent means 0."""
    rows = (
        Visit.objects.filter(
            station_id__in=station_ids, visited_at__gte=since, visited_at__lte=until
        )
        .values("station_id")
        .annotate(visit_count=Count("id"))
        .values_list("station_id", "visit_count")
    )
    return dict(rows)


class VisitCount(TypedDict):
    visit_count: int


def annotate_visit_counts(
    stations: QuerySet[Station], *, since: dt.datetime, until: dt.datetime
) -> "QuerySet[WithAnnotations[Station, VisitCount]]":
    """Annotate each station with ``visit_count``: visits with since <= visited_at <= until."""
    window = Q(visits__visited_at__gte=since, visits__visited_at__lte=until)
    return stations.annotate(visit_count=Count("visits", filter=window))


def visit_count_sql(
    station_id_sql: str,
    connection: BaseDatabaseWrapper,
    *,
    since: dt.datetime,
    until: dt.datetime,
) -> tuple[str, list[object]]:
    """Return (SQL, parameters) of a scalar subquery counting the visits of the station
    whose id is the SQL expression ``station_id_sql``, with since <= visited_at <= until.

    The count ``annotate_visit_counts`` makes, for reads written in SQL (the finder's).
    """
    quote = connection.ops.quote_name
    table = quote(Visit._meta.db_table)
    station = f"{table}.{quote(Visit._meta.get_field('station').column)}"
    visited_at = f"{table}.{quote(Visit._meta.get_field('visited_at').column)}"
    sql = (
        f"(SELECT COUNT(*) FROM {table} WHERE {station} = {station_id_sql}"  # noqa: S608
        f" AND {visited_at} >= %s AND {visited_at} <= %s)"
    )
    adapt = connection.ops.adapt_datetimefield_value
    return sql, [adapt(since), adapt(until)]


def list_station_visits(station_id: int) -> QuerySet[Visit]:
    return (
        Visit.objects.filter(station_id=station_id)
        .select_related("worker", "recorded_by")
        .prefetch_related("services")
        .order_by("-visited_at")
    )


def list_worker_visits(
    worker_id: int, *, station_ids: list[int] | None = None
) -> QuerySet[Visit]:
    """Return a worker's visits on file, newest first; ``station_ids`` limits them."""
    visits = Visit.objects.filter(worker_id=worker_id)
    if station_ids is not None:
        visits = visits.filter(station_id__in=station_ids)
    return (
        visits.select_related("station", "recorded_by")
        .prefetch_related("services")
        .order_by("-visited_at", "-id")
    )


def count_checkin_origins(county: Region, *, since: dt.date) -> dict[str, int]:
    """Return {H3 cell: check-ins counted from it in ``county`` from month ``since`` on}."""
    rows = (
        CheckInOriginCount.objects.filter(county=county, month__gte=since)
        .values("h3_cell")
        .annotate(total=Sum("check_ins"))
        .values_list("h3_cell", "total")
    )
    return {cell: int(total) for cell, total in rows}
