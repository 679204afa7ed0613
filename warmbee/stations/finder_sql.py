"""The finder's reads: stations in H3 cells, their state fields and what the results show.

SQL on the ORM's connection with the models' table and column names; every value is a
parameter, and the same SQL runs on SQLite and PostgreSQL.
"""

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any, cast

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper

from warmbee.core import geo
from warmbee.regions.models import Region
from warmbee.stations.choices import AmenityStatus
from warmbee.stations.models import Amenity, Station, StationAmenity
from warmbee.visits.selectors import visit_count_sql

# (opening hours, closed until, closure reason): what a station's state depends on.
StateFields = tuple[str, dt.datetime | None, str]


def _column(
    model: type[models.Model], name: str, connection: BaseDatabaseWrapper
) -> str:
    model_field = model._meta.get_field(name)
    assert isinstance(model_field, models.Field)  # noqa: S101  # a column, not a relation
    quote = connection.ops.quote_name
    return f"{quote(model._meta.db_table)}.{quote(model_field.column)}"


def _placeholders(count: int) -> str:
    return ", ".join(["%s"] * count)


@dataclass(frozen=True)
class _Statements:
    """The finder's SQL, up to its lists of parameters, for one kind of database."""

    positions: str
    state_fields: str
    amenity: str
    stations: str
    regions: str


# By vendor: the SQL depends only on how the database quotes names.
_STATEMENTS: dict[str, _Statements] = {}


def _statements(connection: BaseDatabaseWrapper) -> _Statements:
    statements = _STATEMENTS.get(connection.vendor)
    if statements is not None:
        return statements

    def column(model: type[models.Model], name: str) -> str:
        return _column(model, name, connection)

    def columns(*names: str) -> str:
        return ", ".join(column(Station, name) for name in names)

    quote = connection.ops.quote_name
    station = quote(Station._meta.db_table)
    station_id = column(Station, "id")
    active = f"FROM {station} WHERE {column(Station, 'is_active')} = %s"
    statements = _STATEMENTS[connection.vendor] = _Statements(
        positions=(
            f"SELECT {columns('id', 'lat_deg', 'lon_deg', 'h3_search_cell')} {active}"
            f" AND {column(Station, 'h3_search_cell')} IN "
        ),
        state_fields=(
            f"SELECT {columns('id', 'opening_hours', 'closed_until', 'closure_reason')}"
            f" {active} AND {station_id} IN "
        ),
        amenity=(
            f" AND EXISTS (SELECT 1 FROM {quote(StationAmenity._meta.db_table)}"  # noqa: S608
            f" INNER JOIN {quote(Amenity._meta.db_table)}"
            f" ON {column(Amenity, 'id')} = {column(StationAmenity, 'amenity')}"
            f" WHERE {column(StationAmenity, 'station')} = {station_id}"
            f" AND {column(Amenity, 'code')} = %s"
            f" AND {column(StationAmenity, 'status')} = %s)"
        ),
        # {visits}: the visit count's subquery, which has parameters of its own.
        stations=(
            f"SELECT {station}.*, {{visits}} AS visit_count FROM {station}"  # noqa: S608
            f" WHERE {station_id} IN "
        ),
        regions=(
            f"SELECT * FROM {quote(Region._meta.db_table)}"  # noqa: S608
            f" WHERE {column(Region, 'id')} IN "
        ),
    )
    return statements


class FinderSql:
    """The finder's reads, in SQL on the ORM's connection, with the models' names.

    Django takes longer to build a query than SQLite takes to run it, and these run
    several times per search. Only table and column names are put into the SQL; every
    value is a parameter. The same SQL runs on SQLite and PostgreSQL.
    """

    def __init__(
        self, connection: BaseDatabaseWrapper, amenity_codes: tuple[str, ...]
    ) -> None:
        self.connection = connection
        self.amenity_codes = amenity_codes
        self.statements = _statements(connection)
        closed_until = Station._meta.get_field("closed_until")
        closed_until_col = closed_until.get_col(Station._meta.db_table)
        # What the ORM does to a value read from the column (SQLite's are text).
        self.closed_until_converters = [
            *connection.ops.get_db_converters(closed_until_col),
            *closed_until_col.get_db_converters(connection),
        ]

    def _rows(self, sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)
            return list(cursor.fetchall())

    def positions(self, cells: list[str]) -> list[tuple[int, float, float, str]]:
        """Return (id, lat, lon, search cell) of the active stations in ``cells``."""
        sql = f"{self.statements.positions}({_placeholders(len(cells))})"
        return cast(
            list[tuple[int, float, float, str]], self._rows(sql, [True, *cells])
        )

    def qualifying_state_fields(self, ids: list[int]) -> dict[int, StateFields]:
        """Return {id: state fields} of those of ``ids`` that are active stations with
        every wanted amenity available."""
        sql = f"{self.statements.state_fields}({_placeholders(len(ids))})"
        params: list[Any] = [True, *ids]
        for code in self.amenity_codes:
            # A correlated EXISTS on the few stations of the batch, by their ids.
            sql += self.statements.amenity
            params += [code, str(AmenityStatus.YES)]
        found = {}
        for pk, opening_hours, closed_until, reason in self._rows(sql, params):
            for converter in self.closed_until_converters:
                closed_until = converter(closed_until, None, self.connection)
            found[pk] = (opening_hours, closed_until, reason)
        return found

    def stations(
        self, ids: list[int], *, since: dt.datetime, until: dt.datetime
    ) -> dict[int, Station]:
        """Return {id: station} of ``ids`` (those that still exist), each with its
        community and ``visit_count``: its visits with since <= visited_at <= until."""
        if not ids:
            return {}
        visits_sql, visits_params = visit_count_sql(
            _column(Station, "id", self.connection),
            self.connection,
            since=since,
            until=until,
        )
        sql = self.statements.stations.format(visits=visits_sql)
        sql += f"({_placeholders(len(ids))})"
        alias = self.connection.alias
        found = {
            station.pk: station
            for station in Station.objects.raw(sql, [*visits_params, *ids]).using(alias)
        }
        region_ids = sorted({station.community_id for station in found.values()})
        if not region_ids:
            return found
        communities = Region.objects.raw(
            f"{self.statements.regions}({_placeholders(len(region_ids))})", region_ids
        ).using(alias)
        by_id = {community.pk: community for community in communities}
        for station in found.values():
            station.community = by_id[station.community_id]
        return found


def with_distances_m(
    lat_deg: float, lon_deg: float, rows: list[tuple[int, float, float, str]]
) -> list[tuple[float, int, str]]:
    """Return (distance from the position, id, cell) for (id, lat, lon, cell) rows.

    The distance is ``geo.haversine_m``'s, to the last bit: the same operations in the
    same order, with what depends only on the position worked out once.
    """
    radians, sin, cos = math.radians, math.sin, math.cos
    asin, sqrt = math.asin, math.sqrt
    phi1 = radians(lat_deg)
    cos_phi1 = cos(phi1)
    diameter_m = 2 * geo.EARTH_RADIUS_M
    result = []
    for pk, lat, lon, cell in rows:
        phi2 = radians(lat)
        a = (
            sin((phi2 - phi1) / 2) ** 2
            + cos_phi1 * cos(phi2) * sin(radians(lon - lon_deg) / 2) ** 2
        )
        result.append((diameter_m * asin(sqrt(a)), pk, cell))
    return result
