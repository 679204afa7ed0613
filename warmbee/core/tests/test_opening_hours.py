"""Opening hours on China's calendar; datetimes here are naive local times."""

# ruff: noqa: DTZ001

import datetime as dt

import pytest

from warmbee.core.opening_hours import (
    InvalidOpeningHoursError,
    OpenState,
    check_expression,
    day_intervals,
    open_intervals,
    state_at,
)

OFFICE_HOURS = "Mo-Fr 08:00-18:00; Sa,Su 09:00-17:00; PH off"
OVERNIGHT = "Mo-Su 20:00-02:00"


def _open_until(*closes_at: int) -> OpenState:
    return OpenState(is_open=True, closes_at=dt.datetime(*closes_at), opens_at=None)


def _closed_until(*opens_at: int) -> OpenState:
    return OpenState(is_open=False, closes_at=None, opens_at=dt.datetime(*opens_at))


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        # 2026-03-04, an ordinary Wednesday: weekday hours.
        (dt.datetime(2026, 3, 4, 7, 59), _closed_until(2026, 3, 4, 8, 0)),
        (dt.datetime(2026, 3, 4, 8, 0), _open_until(2026, 3, 4, 18, 0)),
        (dt.datetime(2026, 3, 4, 18, 0), _closed_until(2026, 3, 5, 8, 0)),
        # 2026-02-14, a Saturday worked as a make-up workday: weekday hours.
        (dt.datetime(2026, 2, 14, 8, 30), _open_until(2026, 2, 14, 18, 0)),
        (dt.datetime(2026, 2, 14, 17, 30), _open_until(2026, 2, 14, 18, 0)),
        (dt.datetime(2026, 2, 14, 7, 30), _closed_until(2026, 2, 14, 8, 0)),
        # 2026-02-18, Spring Festival: closed for the whole break (15 to 23 February,
        # its weekend included), open again on Tuesday the 24th.
        (dt.datetime(2026, 2, 18, 12, 0), _closed_until(2026, 2, 24, 8, 0)),
        (dt.datetime(2026, 2, 21, 10, 0), _closed_until(2026, 2, 24, 8, 0)),
        (dt.datetime(2026, 2, 13, 18, 0), _closed_until(2026, 2, 14, 8, 0)),
        # The evening before the nine-day break: the next opening is after it.
        (dt.datetime(2026, 2, 14, 18, 0), _closed_until(2026, 2, 24, 8, 0)),
        # 2026-11-28, an ordinary Saturday: weekend hours.
        (dt.datetime(2026, 11, 28, 8, 30), _closed_until(2026, 11, 28, 9, 0)),
        (dt.datetime(2026, 11, 28, 9, 30), _open_until(2026, 11, 28, 17, 0)),
        (dt.datetime(2026, 11, 28, 17, 30), _closed_until(2026, 11, 29, 9, 0)),
    ],
)
def test_state_at_on_chinas_calendar(moment, expected):
    assert state_at(OFFICE_HOURS, moment) == expected


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (dt.datetime(2026, 3, 4, 1, 0), _open_until(2026, 3, 4, 2, 0)),
        (dt.datetime(2026, 3, 4, 2, 0), _closed_until(2026, 3, 4, 20, 0)),
        (dt.datetime(2026, 3, 4, 3, 0), _closed_until(2026, 3, 4, 20, 0)),
        (dt.datetime(2026, 3, 4, 21, 0), _open_until(2026, 3, 5, 2, 0)),
        # Across the end of a month and the turn of the week.
        (dt.datetime(2026, 3, 31, 23, 59), _open_until(2026, 4, 1, 2, 0)),
        (dt.datetime(2026, 3, 8, 23, 0), _open_until(2026, 3, 9, 2, 0)),
    ],
)
def test_overnight_hours_run_past_midnight(moment, expected):
    assert state_at(OVERNIGHT, moment) == expected


def test_overnight_day_splits_at_midnight():
    assert day_intervals(OVERNIGHT, dt.date(2026, 3, 4)) == (
        (dt.time(0, 0), dt.time(2, 0)),
        (dt.time(20, 0), None),
    )


def test_open_intervals_merge_across_midnight():
    intervals = open_intervals(OVERNIGHT, dt.datetime(2026, 3, 4, 12, 0), 2)
    assert [(interval.start, interval.end) for interval in intervals] == [
        (dt.datetime(2026, 3, 4, 0, 0), dt.datetime(2026, 3, 4, 2, 0)),
        (dt.datetime(2026, 3, 4, 20, 0), dt.datetime(2026, 3, 5, 2, 0)),
        (dt.datetime(2026, 3, 5, 20, 0), dt.datetime(2026, 3, 6, 0, 0)),
    ]


@pytest.mark.parametrize(
    "moment",
    [
        dt.datetime(2026, 3, 4, 3, 0),
        dt.datetime(2026, 2, 18, 12, 0),  # a public holiday
        dt.datetime(2026, 11, 28, 23, 59),
    ],
)
def test_always_open_never_closes(moment):
    assert state_at("24/7", moment) == OpenState(
        is_open=True, closes_at=None, opens_at=None
    )


def test_always_closed_never_opens():
    assert state_at("off", dt.datetime(2026, 3, 4, 12, 0)) == OpenState(
        is_open=False, closes_at=None, opens_at=None
    )


def test_hours_without_ph_rule_stay_open_on_public_holidays():
    assert state_at("Mo-Su 08:00-18:00", dt.datetime(2026, 2, 18, 12, 0)) == (
        _open_until(2026, 2, 18, 18, 0)
    )


def test_ph_rule_with_own_hours_applies_on_public_holidays():
    expression = "Mo-Fr 08:00-18:00; PH 10:00-12:00"
    assert state_at(expression, dt.datetime(2026, 2, 18, 9, 0)) == _closed_until(
        2026, 2, 18, 10, 0
    )
    assert state_at(expression, dt.datetime(2026, 2, 18, 11, 0)) == _open_until(
        2026, 2, 18, 12, 0
    )


def test_check_expression_strips_whitespace():
    assert check_expression("  Mo-Fr 08:00-18:00; PH off \n") == (
        "Mo-Fr 08:00-18:00; PH off"
    )


@pytest.mark.parametrize(
    "expression",
    [
        "",
        "   ",
        "nonsense",
        "Mo-Fr 08:00-",
        "Xy 10:00-12:00",
        "Mo-Fr 25:00-26:00",
        "Mo-Fr 08:00-18:00;",
        "Mo-Fr 8-18",
    ],
)
def test_check_expression_rejects_invalid_hours(expression):
    with pytest.raises(InvalidOpeningHoursError):
        check_expression(expression)
