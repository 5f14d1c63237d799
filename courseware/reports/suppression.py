"""Small counts hidden in what an organisation receives (domain, no Flask).

A count from 1 to 4 is shown as "<5" so that no one can be singled out. That alone is
not enough where rows add up to a total: with links of 30 and "<5" and a total of 31,
anyone can subtract. So, column by column, more cells are hidden ("≥5": it is what
any shown non-zero count is) until every "<5" has at least two possible values given
the others and the total; the smallest counts go first, the total last.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from math import inf
from typing import TypeVar

from .funnel import (
    SMALL_COUNT,
    SMALL_COUNT_LIMIT,
    ChapterRow,
    Count,
    FunnelRow,
    OrganisationReport,
    PlatformReport,
)

# What a count hidden only so that a "<5" cannot be worked out shows instead.
LARGE_COUNT = f"≥{SMALL_COUNT_LIMIT}"

R = TypeVar("R", OrganisationReport, PlatformReport)
_STEPS = ("clicks", "signups", "started", "finished", "certified")
# Range of values a reader knows a shown cell can hold.
_RANGES = {SMALL_COUNT: (1, SMALL_COUNT_LIMIT - 1), LARGE_COUNT: (SMALL_COUNT_LIMIT, inf)}


def hide_small(value: Count) -> Count:
    """1..4 become "<5"; 0 and 5+ are shown (0 singles nobody out)."""
    if isinstance(value, int) and 0 < value < SMALL_COUNT_LIMIT:
        return SMALL_COUNT
    return value


def _range(cell: Count) -> tuple[float, float]:
    return (cell, cell) if isinstance(cell, int) else _RANGES[cell]


def _some_small_count_is_determined(cells: Sequence[Count], total: Count, rest_unknown: bool) -> bool:
    """True when a "<5" cell can hold only one value, given the other cells, the total
    and (`rest_unknown`) a remainder the reader cannot see, from 0 up."""
    ranges = [_range(cell) for cell in cells]
    if rest_unknown:
        ranges.append((0, inf))
    total_low, total_high = _range(total)
    for index, cell in enumerate(cells):
        if cell != SMALL_COUNT:
            continue
        others_low = sum(low for i, (low, _high) in enumerate(ranges) if i != index)
        others_high = sum(high for i, (_low, high) in enumerate(ranges) if i != index)
        lowest = max(1, total_low - others_high)
        highest = min(SMALL_COUNT_LIMIT - 1, total_high - others_low)
        if highest <= lowest:
            return True
    return False


def protect_column(values: Sequence[int], total: int, *,
                   rest_unknown: bool = False) -> tuple[list[Count], Count]:
    """`values` and their `total` as shown: 1..4 as "<5", then more cells as "≥5" until
    no "<5" can be worked out. `rest_unknown`: the values need not add up to the total
    (the platform's learners without an organisation are in no row)."""
    cells: list[Count] = [hide_small(value) for value in values]
    shown_total: Count = hide_small(total)
    while _some_small_count_is_determined(cells, shown_total, rest_unknown):
        candidates = [i for i, cell in enumerate(cells) if isinstance(cell, int) and cell > 0]
        if candidates:
            cells[min(candidates, key=lambda i: values[i])] = LARGE_COUNT
        elif isinstance(shown_total, int):
            shown_total = LARGE_COUNT
        else:  # every cell is hidden already: nothing more can be done
            break
    return cells, shown_total


def _protect_rows(rows: Sequence[FunnelRow], total: FunnelRow,
                  rest_unknown: bool) -> tuple[list[FunnelRow], FunnelRow]:
    changes: list[dict[str, Count]] = [{} for _row in rows]
    total_changes: dict[str, Count] = {}
    for step in _STEPS:
        cells, shown_total = protect_column([int(getattr(row, step)) for row in rows],
                                            int(getattr(total, step)), rest_unknown=rest_unknown)
        for change, cell in zip(changes, cells, strict=True):
            change[step] = cell
        total_changes[step] = shown_total
    return ([replace(row, **change) for row, change in zip(rows, changes, strict=True)],
            replace(total, **total_changes))


def _hide_chapter(row: ChapterRow) -> ChapterRow:
    # Chapter counts add up to nothing: hiding 1..4 is enough.
    return replace(row, opened=hide_small(row.opened), completed=hide_small(row.completed))


def suppress_small_counts(report: R) -> R:
    """The report as an organisation may receive it: every count from 1 to 4 is "<5",
    counts that would let one be worked out are "≥5", and a completion rate that would
    reveal one is hidden too (see FunnelRow.completion_rate). Admins see it unchanged."""
    chapters = tuple(_hide_chapter(row) for row in report.chapters)
    if isinstance(report, OrganisationReport):
        links, total = _protect_rows(report.links, report.total, rest_unknown=False)
        return replace(report, links=tuple(links), total=total, chapters=chapters, suppressed=True)
    rows, total = _protect_rows([item.row for item in report.organisations], report.total,
                                rest_unknown=True)
    weeks, _signups = protect_column([int(week.signups) for week in report.signups_per_week],
                                     int(report.total.signups))
    if isinstance(total.signups, int) and not isinstance(_signups, int):
        total = replace(total, signups=_signups)
    return replace(
        report, total=total, chapters=chapters,
        signups_per_week=tuple(replace(week, signups=cell)
                               for week, cell in zip(report.signups_per_week, weeks, strict=True)),
        organisations=tuple(replace(item, row=row)
                            for item, row in zip(report.organisations, rows, strict=True)),
        suppressed=True)
