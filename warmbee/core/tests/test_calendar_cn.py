"""China's calendar; opening hours take naive local wall-clock times."""

# ruff: noqa: DTZ001

import datetime as dt
import json

import pytest

from warmbee.core import calendar_cn, opening_hours
from warmbee.core.calendar_cn import DayKind, day_kind


def _clear_caches() -> None:
    calendar_cn._own_table.cache_clear()
    calendar_cn._year.cache_clear()
    opening_hours.day_intervals.cache_clear()


@pytest.fixture
def own_table(tmp_path, monkeypatch):
    """Point the calendar at a table of our own; return a function that writes it."""
    path = tmp_path / "cn_calendar.json"

    def write(years: dict[str, dict[str, list[str]]]) -> None:
        path.write_text(json.dumps({"about": "test", "years": years}), encoding="utf-8")
        _clear_caches()

    monkeypatch.setattr(calendar_cn, "TABLE_PATH", path)
    write({})
    yield write
    monkeypatch.undo()
    _clear_caches()


@pytest.mark.parametrize(
    ("day", "kind"),
    [
        ("2026-02-14", DayKind.MAKEUP_WORKDAY),  # Saturday before Spring Festival
        ("2026-02-28", DayKind.MAKEUP_WORKDAY),  # Saturday after it
        ("2026-02-16", DayKind.PUBLIC_HOLIDAY),  # New Year's Eve
        ("2026-02-18", DayKind.PUBLIC_HOLIDAY),  # second day of the new year
        ("2026-02-20", DayKind.PUBLIC_HOLIDAY),  # day off moved from 14 February
        ("2026-02-15", DayKind.PUBLIC_HOLIDAY),  # Sunday at the start of the break
        ("2026-02-21", DayKind.PUBLIC_HOLIDAY),  # Saturday inside the break
        ("2026-02-22", DayKind.PUBLIC_HOLIDAY),  # Sunday inside the break
        ("2026-02-23", DayKind.PUBLIC_HOLIDAY),  # day off moved from 28 February
        ("2026-10-01", DayKind.PUBLIC_HOLIDAY),  # National Day
        ("2026-06-20", DayKind.PUBLIC_HOLIDAY),  # weekend after Dragon Boat Festival
        ("2026-01-03", DayKind.PUBLIC_HOLIDAY),  # Saturday of the New Year break
        ("2026-01-04", DayKind.MAKEUP_WORKDAY),  # Sunday worked after it
        ("2026-11-28", DayKind.WEEKEND),  # an ordinary Saturday
        ("2026-11-29", DayKind.WEEKEND),  # an ordinary Sunday
        ("2026-03-04", DayKind.WORKDAY),  # an ordinary Wednesday
    ],
)
def test_day_kind_follows_the_state_council_arrangement_for_2026(day, kind):
    assert day_kind(dt.date.fromisoformat(day)) is kind


def test_own_table_takes_precedence_over_the_library_for_its_years(own_table):
    own_table(
        {
            "2026": {
                "days_off": ["2026-03-04"],
                "makeup_workdays": ["2026-03-07"],
            }
        }
    )
    assert calendar_cn.own_table_years() == [2026]
    assert day_kind(dt.date(2026, 3, 4)) is DayKind.PUBLIC_HOLIDAY
    assert day_kind(dt.date(2026, 3, 7)) is DayKind.MAKEUP_WORKDAY
    # The year listed replaces the library entirely.
    assert day_kind(dt.date(2026, 2, 18)) is DayKind.WORKDAY
    assert day_kind(dt.date(2026, 2, 14)) is DayKind.WEEKEND


def test_years_missing_from_the_own_table_come_from_the_library(own_table):
    own_table({"2099": {"days_off": ["2099-03-04"], "makeup_workdays": []}})
    assert calendar_cn.own_table_years() == [2099]
    assert day_kind(dt.date(2026, 2, 18)) is DayKind.PUBLIC_HOLIDAY
    assert day_kind(dt.date(2026, 2, 14)) is DayKind.MAKEUP_WORKDAY


def test_opening_hours_follow_the_own_table(own_table):
    expression = "Mo-Fr 08:00-18:00; Sa,Su 09:00-17:00; PH off"
    wednesday_noon = dt.datetime(2026, 3, 4, 12, 0)
    saturday_evening = dt.datetime(2026, 3, 7, 17, 30)
    assert opening_hours.state_at(expression, wednesday_noon).is_open is True
    assert opening_hours.state_at(expression, saturday_evening).is_open is False

    own_table({"2026": {"days_off": ["2026-03-04"], "makeup_workdays": ["2026-03-07"]}})

    closed = opening_hours.state_at(expression, wednesday_noon)
    assert (closed.is_open, closed.opens_at) == (False, dt.datetime(2026, 3, 5, 8, 0))
    working = opening_hours.state_at(expression, saturday_evening)
    assert (working.is_open, working.closes_at) == (
        True,
        dt.datetime(2026, 3, 7, 18, 0),
    )


def test_the_committed_table_is_readable():
    years = calendar_cn.own_table_years()
    assert all(isinstance(year, int) for year in years)
