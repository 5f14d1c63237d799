"""Reporting periods: which days a periodic report covers (domain, no Flask).

The campaign promised partners a report twice a quarter, so the default is the
half-quarter: 1 January–14 February, 15 February–31 March, 1 April–14 May,
15 May–30 June, and so on (each quarter cut on the 15th of its middle month;
periods of 45 or 46 days). Others, set with COURSEWARE_REPORT_PERIOD:

- month: calendar months;
- quarter: calendar quarters;
- six-weeks: 42-day periods counted from Monday 1 January 2024, so each starts
  on a Monday and the cut never depends on when the command last ran.

Periods are whole UTC days, `end` included: the same convention as the reports
(`organisation_report(..., start, end, ...)`) and the daily counters.
"""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass
from datetime import date, timedelta

PERIOD_KINDS = ("half-quarter", "month", "quarter", "six-weeks")
DEFAULT_PERIOD = "half-quarter"
_SIX_WEEKS_ANCHOR = date(2024, 1, 1)  # a Monday


@dataclass(frozen=True, order=True)
class Period:
    start: date
    end: date  # inclusive

    def __str__(self) -> str:
        return f"{self.start.isoformat()}..{self.end.isoformat()}"


class UnknownPeriod(ValueError):
    def __init__(self, kind: str) -> None:
        super().__init__(f"unknown report period '{kind}' (choose one of: {', '.join(PERIOD_KINDS)})")


def _month_end(year: int, month: int) -> date:
    return date(year, month, monthrange(year, month)[1])


def period_containing(day: date, kind: str = DEFAULT_PERIOD) -> Period:
    """The period of `kind` that `day` falls in."""
    if kind == "month":
        return Period(day.replace(day=1), _month_end(day.year, day.month))
    first_month = 3 * ((day.month - 1) // 3) + 1  # of the quarter
    if kind == "quarter":
        return Period(date(day.year, first_month, 1), _month_end(day.year, first_month + 2))
    if kind == "half-quarter":
        cut = date(day.year, first_month + 1, 15)
        if day < cut:
            return Period(date(day.year, first_month, 1), cut - timedelta(days=1))
        return Period(cut, _month_end(day.year, first_month + 2))
    if kind == "six-weeks":
        index = (day - _SIX_WEEKS_ANCHOR).days // 42
        start = _SIX_WEEKS_ANCHOR + timedelta(days=42 * index)
        return Period(start, start + timedelta(days=41))
    raise UnknownPeriod(kind)


def period_just_ended(today: date, kind: str = DEFAULT_PERIOD) -> Period:
    """The last complete period before `today`: what `courseware reports send` sends.

    Run any day: on the first day of a period it is the one that ended yesterday;
    later in the period it is still that one (already sent, so nothing happens).
    """
    current = period_containing(today, kind)
    return period_containing(current.start - timedelta(days=1), kind)
