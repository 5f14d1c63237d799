"""A report as CSV: UTF-8 with a BOM, so Excel opens accents right.

One row per tracking link plus a total row (for the platform: one row per
organisation plus the total), a blank line, then the per-chapter table. Column
names are in the reader's language; counts are plain integers (or "<5") and the
completion rate a percentage with one decimal, so a spreadsheet can sum them.
"""

from __future__ import annotations

import csv
import io

from .funnel import FunnelRow, OrganisationReport, PlatformReport
from .wording import Wording, wording

BOM = "\ufeff"
# A cell starting with one of these is a formula to Excel and LibreOffice: labels
# typed by an admin or a partner must stay text ("CSV injection").
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(value: str) -> str:
    """A cell that a spreadsheet shows as typed, never runs as a formula."""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def _rate(row: FunnelRow) -> str:
    rate = row.completion_rate
    return "" if rate is None else f"{100 * rate:.1f}"


def _figures(row: FunnelRow) -> list:
    return [row.clicks, row.signups, row.started, row.finished, row.certified, _rate(row)]


def _funnel_header(words: Wording, first: str) -> list[str]:
    return [first, words.clicks, words.signups, words.started, words.finished,
            words.certified, f"{words.completion_rate} (%)"]


def report_csv(report: OrganisationReport | PlatformReport, locale: str) -> bytes:
    """The report as CSV bytes (see the module docstring for the layout)."""
    words = wording(locale)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if isinstance(report, OrganisationReport):
        writer.writerow(_funnel_header(words, words.link))
        for row in report.links:
            writer.writerow([spreadsheet_text(words.row_label(row)), *_figures(row)])
    else:
        writer.writerow(_funnel_header(words, words.organisation))
        for item in report.organisations:
            writer.writerow([spreadsheet_text(item.row.label), *_figures(item.row)])
    writer.writerow([words.total, *_figures(report.total)])
    writer.writerow([])
    writer.writerow([words.chapter, words.opened, words.completed])
    for chapter in report.chapters:
        writer.writerow([spreadsheet_text(f"{chapter.position}. {chapter.title}"), chapter.opened,
                         chapter.completed])
    return (BOM + buffer.getvalue()).encode("utf-8")
