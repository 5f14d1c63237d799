"""Reporting periods: twice a quarter by default, months, quarters, six weeks."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from courseware.reports.periods import (
    PERIOD_KINDS,
    Period,
    UnknownPeriod,
    period_containing,
    period_just_ended,
)


@pytest.mark.parametrize(("day", "expected"), [
    (date(2027, 1, 1), Period(date(2027, 1, 1), date(2027, 2, 14))),
    (date(2027, 2, 14), Period(date(2027, 1, 1), date(2027, 2, 14))),
    (date(2027, 2, 15), Period(date(2027, 2, 15), date(2027, 3, 31))),
    (date(2027, 5, 1), Period(date(2027, 4, 1), date(2027, 5, 14))),
    (date(2027, 6, 30), Period(date(2027, 5, 15), date(2027, 6, 30))),
    (date(2027, 12, 31), Period(date(2027, 11, 15), date(2027, 12, 31))),
])
def test_half_quarters_cut_each_quarter_on_the_15th_of_its_middle_month(day: date, expected: Period):
    assert period_containing(day, "half-quarter") == expected


def test_the_report_sent_is_for_the_period_that_just_ended():
    assert period_just_ended(date(2027, 2, 15)) == Period(date(2027, 1, 1), date(2027, 2, 14))
    assert period_just_ended(date(2027, 3, 20)) == Period(date(2027, 1, 1), date(2027, 2, 14))
    assert period_just_ended(date(2027, 4, 1)) == Period(date(2027, 2, 15), date(2027, 3, 31))
    assert period_just_ended(date(2027, 1, 1)) == Period(date(2026, 11, 15), date(2026, 12, 31))
    assert period_just_ended(date(2028, 3, 1), "month") == Period(date(2028, 2, 1), date(2028, 2, 29))
    assert period_just_ended(date(2027, 7, 2), "quarter") == Period(date(2027, 4, 1), date(2027, 6, 30))


@pytest.mark.parametrize("kind", PERIOD_KINDS)
def test_periods_tile_the_calendar_without_gaps_or_overlaps(kind: str):
    day, end = date(2026, 1, 1), date(2029, 1, 1)
    period = period_containing(day, kind)
    while period.start < end:
        following = period_containing(period.end + timedelta(days=1), kind)
        assert following.start == period.end + timedelta(days=1)
        assert period_containing(period.start, kind) == period == period_containing(period.end, kind)
        period = following


def test_six_week_periods_start_on_mondays_and_last_42_days():
    period = period_containing(date(2027, 3, 3), "six-weeks")
    assert period.start.weekday() == 0 and (period.end - period.start).days == 41


def test_an_unknown_period_names_the_choices():
    with pytest.raises(UnknownPeriod, match="half-quarter, month, quarter, six-weeks"):
        period_containing(date(2027, 1, 1), "fortnight")
