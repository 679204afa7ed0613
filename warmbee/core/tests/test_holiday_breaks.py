"""Weekend days inside a published holiday break count as public holidays."""

import datetime as dt

import pytest

from warmbee.core.calendar_cn import DayKind, day_kind


@pytest.mark.parametrize(
    ("day", "kind"),
    [
        ("2026-06-20", DayKind.PUBLIC_HOLIDAY),  # 端午节 6月19日至21日放假
        ("2026-06-21", DayKind.PUBLIC_HOLIDAY),
        ("2026-06-27", DayKind.WEEKEND),  # the next, ordinary weekend
        ("2026-01-03", DayKind.PUBLIC_HOLIDAY),  # 元旦 1月1日至3日放假
        ("2026-01-04", DayKind.MAKEUP_WORKDAY),  # 1月4日（周日）上班
        ("2026-04-04", DayKind.PUBLIC_HOLIDAY),  # 清明节 4月4日至6日放假
        ("2026-10-04", DayKind.PUBLIC_HOLIDAY),  # 国庆节 10月1日至7日放假
        ("2026-11-28", DayKind.WEEKEND),
        ("2026-11-30", DayKind.WORKDAY),
    ],
)
def test_day_kind_follows_the_published_breaks(day, kind):
    assert day_kind(dt.date.fromisoformat(day)) is kind
