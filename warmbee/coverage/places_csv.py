"""Read and check a CSV of places (name, lat, lon, weight) for a demand layer.

Pure: bytes in, columns out, or every problem found (row number and what is wrong), in
the active language. Reads no database and saves nothing; ``services`` does that.
"""

import csv
import io
import math
from dataclasses import dataclass

import numpy as np
from django.utils.translation import gettext as _
from numpy.typing import ArrayLike

from warmbee.coverage.engine.geometry import haversine_m
from warmbee.coverage.errors import InvalidPlacesFileError

MAX_FILE_BYTES = 1_000_000
MAX_PLACES = 20_000
MAX_NAME_LENGTH = 100
MAX_DISTANCE_FROM_STATIONS_KM = 50.0
# Problems listed at most; the rest are counted.
MAX_PROBLEMS_SHOWN = 50

# Header names accepted for each column (compared trimmed and lower-cased).
COLUMN_NAMES = {
    "name": ("name", "名称"),
    "lat": ("lat", "latitude", "纬度"),
    "lon": ("lon", "lng", "longitude", "经度"),
    "weight": ("weight", "权重"),
}
REQUIRED_COLUMNS = ("name", "lat", "lon")


@dataclass(frozen=True)
class PlacesTable:
    """The places of a checked file as columns (n_places,), WGS-84 degrees."""

    name: list[str]
    lat_deg: list[float]
    lon_deg: list[float]
    weight: list[float]

    @property
    def total_weight(self) -> float:
        return math.fsum(self.weight)

    def as_columns(self) -> dict[str, list[str] | list[float]]:
        return {
            "name": self.name,
            "lat_deg": self.lat_deg,
            "lon_deg": self.lon_deg,
            "weight": self.weight,
        }


def _text(data: bytes) -> str:
    if len(data) > MAX_FILE_BYTES:
        raise InvalidPlacesFileError(
            [_("The file is larger than 1 MB; split it into smaller files.")]
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InvalidPlacesFileError(
            [
                _(
                    "The file is not UTF-8 text (byte %(position)s). In Excel or WPS, "
                    "save it as “CSV UTF-8”."
                )
                % {"position": error.start + 1}
            ]
        ) from error
    if "\x00" in text:
        raise InvalidPlacesFileError([_("The file is not a text (CSV) file.")])
    return text


def _columns(header: list[str]) -> dict[str, int]:
    """Return each known column's position, refusing missing or repeated ones."""
    positions: dict[str, int] = {}
    problems = []
    for index, raw in enumerate(header):
        label = raw.strip().lower()
        for column, names in COLUMN_NAMES.items():
            if label in names:
                if column in positions:
                    problems.append(
                        _("Row 1: the column %(column)s appears twice.")
                        % {"column": column}
                    )
                positions[column] = index
    missing = [column for column in REQUIRED_COLUMNS if column not in positions]
    if missing:
        problems.append(
            _(
                "Row 1 must be a header naming the columns name, lat, lon and "
                "optionally weight; missing: %(columns)s."
            )
            % {"columns": ", ".join(missing)}
        )
    if problems:
        raise InvalidPlacesFileError(problems)
    return positions


def _number(raw: str, row: int, label: str) -> tuple[float | None, str | None]:
    try:
        value = float(raw.strip())
    except ValueError:
        return None, _("Row %(row)s: the %(column)s “%(value)s” is not a number.") % {
            "row": row,
            "column": label,
            "value": raw.strip()[:30],
        }
    if not math.isfinite(value):
        return None, _("Row %(row)s: the %(column)s “%(value)s” is not a number.") % {
            "row": row,
            "column": label,
            "value": raw.strip()[:30],
        }
    return value, None


def _place(  # noqa: C901  # one check per field, each with its own message
    record: list[str], row: int, positions: dict[str, int], field_count: int
) -> tuple[tuple[str, float, float, float] | None, list[str]]:
    if len(record) != field_count:
        return None, [
            _("Row %(row)s has %(count)s fields, but the header has %(expected)s.")
            % {"row": row, "count": len(record), "expected": field_count}
        ]
    problems = []
    name = record[positions["name"]].strip()
    if not name:
        problems.append(_("Row %(row)s: the name is empty.") % {"row": row})
    elif len(name) > MAX_NAME_LENGTH:
        problems.append(
            _("Row %(row)s: the name is longer than %(limit)s characters.")
            % {"row": row, "limit": MAX_NAME_LENGTH}
        )
    lat, problem = _number(record[positions["lat"]], row, _("latitude"))
    if problem:
        problems.append(problem)
    elif lat is not None and not -90.0 <= lat <= 90.0:
        problems.append(
            _("Row %(row)s: the latitude %(value)s is not between -90 and 90.")
            % {"row": row, "value": f"{lat:g}"}
        )
    lon, problem = _number(record[positions["lon"]], row, _("longitude"))
    if problem:
        problems.append(problem)
    elif lon is not None and not -180.0 <= lon <= 180.0:
        problems.append(
            _("Row %(row)s: the longitude %(value)s is not between -180 and 180.")
            % {"row": row, "value": f"{lon:g}"}
        )
    weight: float | None = 1.0
    if "weight" in positions and record[positions["weight"]].strip():
        weight, problem = _number(record[positions["weight"]], row, _("weight"))
        if problem:
            problems.append(problem)
        elif weight is not None and weight <= 0:
            problems.append(
                _("Row %(row)s: the weight %(value)s must be more than 0.")
                % {"row": row, "value": f"{weight:g}"}
            )
    if problems or lat is None or lon is None or weight is None:
        return None, problems
    return (name, lat, lon, weight), []


def _far_from_stations(
    places: list[tuple[int, tuple[str, float, float, float]]],
    station_lat_deg: ArrayLike,
    station_lon_deg: ArrayLike,
) -> list[str]:
    station_lat = np.asarray(station_lat_deg, dtype=np.float64).ravel()
    station_lon = np.asarray(station_lon_deg, dtype=np.float64).ravel()
    if station_lat.size == 0:
        return [
            _(
                "The county has no station in service, so the places cannot be "
                "checked against it; add the stations first."
            )
        ]
    lat = np.asarray([place[1] for _row, place in places], dtype=np.float64)
    lon = np.asarray([place[2] for _row, place in places], dtype=np.float64)
    nearest_km = np.full(lat.size, np.inf)
    for s_lat, s_lon in zip(station_lat.tolist(), station_lon.tolist(), strict=True):
        nearest_km = np.minimum(nearest_km, haversine_m(lat, lon, s_lat, s_lon) / 1000)
    return [
        _(
            "Row %(row)s: the place (%(lat)s, %(lon)s) is %(distance)s km from the "
            "nearest station of the county; places must be within %(limit)s km. Are "
            "latitude and longitude swapped?"
        )
        % {
            "row": row,
            "lat": f"{place[1]:g}",
            "lon": f"{place[2]:g}",
            "distance": f"{distance:,.0f}",
            "limit": f"{MAX_DISTANCE_FROM_STATIONS_KM:g}",
        }
        for (row, place), distance in zip(places, nearest_km.tolist(), strict=True)
        if distance > MAX_DISTANCE_FROM_STATIONS_KM
    ]


def _limited(problems: list[str]) -> list[str]:
    if len(problems) <= MAX_PROBLEMS_SHOWN:
        return problems
    rest = len(problems) - MAX_PROBLEMS_SHOWN
    return [
        *problems[:MAX_PROBLEMS_SHOWN],
        _("… and %(count)s more problems.") % {"count": rest},
    ]


def parse_places_csv(
    data: bytes, *, station_lat_deg: ArrayLike, station_lon_deg: ArrayLike
) -> PlacesTable:
    """Return the places of a CSV file, or raise ``InvalidPlacesFileError``.

    The file is UTF-8 (a byte-order mark is fine), at most 1 MB, with a header row
    naming ``name``, ``lat``, ``lon`` and optionally ``weight`` (default 1, more than
    0), then at most 20,000 places in WGS-84 degrees, each within 50 km of a station
    of the county. Blank rows are skipped. All or nothing: any problem refuses the
    whole file, and every problem found is listed with its row (the header is row 1).
    """
    reader = csv.reader(io.StringIO(_text(data), newline=""))
    try:
        records = list(reader)
    except csv.Error:
        raise InvalidPlacesFileError(
            [
                _(
                    "Row %(row)s cannot be read as CSV (an unclosed quote or a field "
                    "that is far too long)."
                )
                % {"row": reader.line_num}
            ]
        ) from None
    if not records or not any(field.strip() for field in records[0]):
        raise InvalidPlacesFileError([_("The file is empty.")])
    positions = _columns(records[0])
    rows = [
        (number, record)
        for number, record in enumerate(records[1:], start=2)
        if any(field.strip() for field in record)
    ]
    if not rows:
        raise InvalidPlacesFileError([_("The file has a header but no places.")])
    if len(rows) > MAX_PLACES:
        raise InvalidPlacesFileError(
            [
                _(
                    "The file has %(count)s places; at most %(limit)s can be "
                    "imported at once."
                )
                % {"count": f"{len(rows):,}", "limit": f"{MAX_PLACES:,}"}
            ]
        )
    problems: list[str] = []
    places: list[tuple[int, tuple[str, float, float, float]]] = []
    for number, record in rows:
        place, found = _place(record, number, positions, len(records[0]))
        problems += found
        if place is not None:
            places.append((number, place))
    problems += _far_from_stations(places, station_lat_deg, station_lon_deg)
    if problems:
        raise InvalidPlacesFileError(_limited(problems))
    return PlacesTable(
        name=[place[0] for _row, place in places],
        lat_deg=[place[1] for _row, place in places],
        lon_deg=[place[2] for _row, place in places],
        weight=[place[3] for _row, place in places],
    )
