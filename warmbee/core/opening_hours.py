"""Opening hours in OpenStreetMap ``opening_hours`` syntax, evaluated on China's calendar.

The parser is the ``opening-hours-py`` library. Its built-in Chinese calendar knows only the
first day of each holiday and no make-up workdays, so each day is evaluated on a proxy date
that has the right kind instead: a public holiday (per :mod:`warmbee.core.calendar_cn`) on a
date the library treats as ``PH``, a make-up workday on a nearby ordinary weekday, and any
other day on itself with ``PH`` switched off. Times are local wall-clock times.
"""

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

import opening_hours as oh_lib

from warmbee.core.calendar_cn import DayKind, day_kind

# Longer than the longest holiday break (Spring Festival, up to 9 days with its weekends),
# so a station closed for the break still reports when it opens again.
MAX_LOOKAHEAD_DAYS = 14
_PROXY_SEARCH_DAYS = 7


class InvalidOpeningHoursError(ValueError):
    pass


@dataclass(frozen=True)
class OpenInterval:
    start: dt.datetime
    end: dt.datetime


@lru_cache(maxsize=4096)
def _parse(expression: str, with_holidays: bool) -> oh_lib.OpeningHours:
    country = "CN" if with_holidays else None
    return oh_lib.OpeningHours(
        expression, country=country, auto_country=False, auto_timezone=False
    )


def check_expression(expression: str) -> str:
    """Return the expression stripped, or raise InvalidOpeningHoursError."""
    cleaned = expression.strip()
    if not cleaned or not oh_lib.validate(cleaned):
        raise InvalidOpeningHoursError(cleaned)
    try:
        _parse(cleaned, False)
    except (SyntaxError, ValueError) as error:
        raise InvalidOpeningHoursError(cleaned) from error
    return cleaned


@lru_cache(maxsize=64)
def _library_holidays(year: int) -> tuple[dt.date, ...]:
    probe = _parse("24/7; PH off", True)
    start = dt.datetime(year, 1, 1)  # noqa: DTZ001  # local wall-clock time by design
    days = []
    for offset in range(366):
        moment = start + dt.timedelta(days=offset, hours=12)
        if moment.year == year and probe.is_closed(moment):
            days.append(moment.date())
    return tuple(days)


def _holiday_proxy(day: dt.date) -> dt.date:
    candidates = _library_holidays(day.year) or _library_holidays(day.year - 1)
    return min(candidates, key=lambda holiday: abs((holiday - day).days))


def _workday_proxy(day: dt.date) -> dt.date:
    for offset in range(1, _PROXY_SEARCH_DAYS + 1):
        for candidate in (
            day - dt.timedelta(days=offset),
            day + dt.timedelta(days=offset),
        ):
            if day_kind(candidate) is DayKind.WORKDAY:
                return candidate
    return day


@lru_cache(maxsize=65536)
def day_intervals(
    expression: str, day: dt.date
) -> tuple[tuple[dt.time, dt.time | None], ...]:
    """Return the open intervals of ``day`` as (start, end) local times; end None = midnight."""
    kind = day_kind(day)
    uses_holidays = "PH" in expression
    if kind is DayKind.PUBLIC_HOLIDAY and uses_holidays:
        proxy, parsed = _holiday_proxy(day), _parse(expression, True)
    elif kind is DayKind.MAKEUP_WORKDAY:
        proxy, parsed = _workday_proxy(day), _parse(expression, False)
    else:
        proxy, parsed = day, _parse(expression, False)
    start = dt.datetime.combine(proxy, dt.time())
    end = start + dt.timedelta(days=1)
    result = []
    for interval_start, interval_end, state, _comments in parsed.intervals(start, end):
        if state != oh_lib.State.OPEN:
            continue
        clipped_end = min(interval_end or end, end)
        end_time = None if clipped_end >= end else clipped_end.time()
        result.append((max(interval_start, start).time(), end_time))
    return tuple(result)


def open_intervals(
    expression: str, since: dt.datetime, days: int
) -> list[OpenInterval]:
    """Return merged open intervals from the start of ``since``'s day for ``days`` days.

    ``since`` is a naive local datetime; so are the results.
    """
    merged: list[OpenInterval] = []
    for offset in range(days):
        day = since.date() + dt.timedelta(days=offset)
        for start_time, end_time in day_intervals(expression, day):
            start = dt.datetime.combine(day, start_time)
            end = (
                dt.datetime.combine(day + dt.timedelta(days=1), dt.time())
                if end_time is None
                else dt.datetime.combine(day, end_time)
            )
            if merged and merged[-1].end >= start:
                merged[-1] = OpenInterval(merged[-1].start, max(merged[-1].end, end))
            else:
                merged.append(OpenInterval(start, end))
    return merged


@dataclass(frozen=True)
class OpenState:
    is_open: bool
    closes_at: dt.datetime | None
    opens_at: dt.datetime | None


# The merged open intervals of an expression from a day on, as state_at works them out.
IntervalsMemo = dict[tuple[str, dt.date], tuple[OpenInterval, ...]]


def state_at(
    expression: str, moment: dt.datetime, memo: IntervalsMemo | None = None
) -> OpenState:
    """Return whether the place is open at the naive local ``moment`` and when that changes.

    ``memo``, a dict the caller keeps for one task (one search of the finder), saves
    working out the same intervals again for places that share their hours.
    """
    day_before = moment - dt.timedelta(days=1)
    key = (expression, day_before.date())
    intervals = None if memo is None else memo.get(key)
    if intervals is None:
        intervals = tuple(
            open_intervals(expression, day_before, MAX_LOOKAHEAD_DAYS + 1)
        )
        if memo is not None:
            memo[key] = intervals
    for interval in intervals:
        if interval.start <= moment < interval.end:
            horizon = dt.datetime.combine(
                day_before.date() + dt.timedelta(days=MAX_LOOKAHEAD_DAYS + 1), dt.time()
            )
            closes_at = None if interval.end >= horizon else interval.end
            return OpenState(is_open=True, closes_at=closes_at, opens_at=None)
        if interval.start > moment:
            return OpenState(is_open=False, closes_at=None, opens_at=interval.start)
    return OpenState(is_open=False, closes_at=None, opens_at=None)
