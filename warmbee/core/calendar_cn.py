"""China's public holidays (days off) and make-up workdays (调休上班日).

The State Council publishes each year's arrangement in the preceding autumn. The
``holidays`` library carries it for the years it knows; ``data/cn_calendar.json`` is our
own maintained table that takes precedence for any year it lists, so a county can add a
newly published year before the library releases it.
"""

import datetime as dt
import enum
import json
from functools import cache
from pathlib import Path

import holidays

TABLE_PATH = Path(__file__).parent / "data" / "cn_calendar.json"


class DayKind(enum.StrEnum):
    WORKDAY = "workday"
    WEEKEND = "weekend"
    PUBLIC_HOLIDAY = "public_holiday"
    MAKEUP_WORKDAY = "makeup_workday"


@cache
def _own_table() -> dict[int, tuple[frozenset[dt.date], frozenset[dt.date]]]:
    raw = json.loads(TABLE_PATH.read_text(encoding="utf-8"))
    table = {}
    for year_text, year in raw["years"].items():
        days_off = frozenset(dt.date.fromisoformat(day) for day in year["days_off"])
        workdays = frozenset(
            dt.date.fromisoformat(day) for day in year["makeup_workdays"]
        )
        table[int(year_text)] = (days_off, workdays)
    return table


@cache
def _year(year: int) -> tuple[frozenset[dt.date], frozenset[dt.date]]:
    """Return (days off, make-up workdays) for ``year``."""
    own = _own_table().get(year)
    if own is not None:
        return own
    library = holidays.country_holidays("CN", years=year)
    days_off = frozenset(day for day in library if day.year == year)
    makeup = frozenset(day for day in library.weekend_workdays if day.year == year)
    return days_off, makeup


def _is_listed_day_off(day: dt.date) -> bool:
    return day in _year(day.year)[0]


def _is_weekend_off(day: dt.date) -> bool:
    return day.weekday() >= 5 and day not in _year(day.year)[1]


def _in_holiday_break(day: dt.date) -> bool:
    """Return whether a weekend day is part of a holiday break (放假调休).

    The published breaks (e.g. 6月19日至21日放假, a Friday holiday and its weekend) include
    the weekend days next to the holidays, but the library lists only the weekdays off.
    """
    for step in (dt.timedelta(days=-1), dt.timedelta(days=1)):
        neighbour = day + step
        while _is_weekend_off(neighbour) and not _is_listed_day_off(neighbour):
            neighbour += step
        if _is_listed_day_off(neighbour):
            return True
    return False


def day_kind(day: dt.date) -> DayKind:
    days_off, makeup_workdays = _year(day.year)
    if day in days_off:
        return DayKind.PUBLIC_HOLIDAY
    if day in makeup_workdays:
        return DayKind.MAKEUP_WORKDAY
    if day.weekday() < 5:
        return DayKind.WORKDAY
    return DayKind.PUBLIC_HOLIDAY if _in_holiday_break(day) else DayKind.WEEKEND


def own_table_years() -> list[int]:
    return sorted(_own_table())
