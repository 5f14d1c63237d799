"""The instructor dashboard as CSV: UTF-8 with a BOM, like the organisation reports.

The per-chapter table, a blank line, then one row per option of each quiz
question: the question's first-attempt figures and how many first attempts
ticked that option.
Column names are in the reader's language; figures are plain numbers (durations
in minutes, shares in percent with one decimal) so a spreadsheet can sort them.
"""

from __future__ import annotations

import csv
import io

from markupsafe import Markup

from ..reports.csv_export import BOM, spreadsheet_text
from ..reports.wording import translations
from .dashboard import CourseDashboard


def _percent(share: float | None) -> str:
    return "" if share is None else f"{100 * share:.1f}"


def _minutes(seconds: float | None) -> str:
    return "" if seconds is None else f"{seconds / 60:.1f}"


def _plain(html: str) -> str:
    """Question and option text without its inline HTML (emphasis, code)."""
    return Markup(html).striptags()  # noqa: S704 - rendered by the content loader, read only


def dashboard_csv(dashboard: CourseDashboard, locale: str) -> bytes:
    """The dashboard as CSV bytes (see the module docstring for the layout)."""
    _ = translations(locale).gettext
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([_("Chapter"), _("Opened"), _("Completed"),
                     _("Median time from opening to completion (about, minutes)"),
                     _("Drop-off from the previous chapter (%)")])
    for chapter in dashboard.chapters:
        writer.writerow([spreadsheet_text(f"{chapter.position}. {chapter.title}"), chapter.opened,
                         chapter.completed, _minutes(chapter.median_seconds),
                         _percent(chapter.drop_off)])
    writer.writerow([])
    # One row per option (its question's figures repeated), so a spreadsheet can
    # filter and sort them whatever the number of options.
    writer.writerow([_("Chapter"), _("Quiz"), _("Question"), _("First attempts"),
                     _("Right at the first attempt (%)"), _("Option"), _("Right answer"),
                     _("Chosen at the first attempt"), _("Chosen at the first attempt (%)")])
    yes, no = _("yes"), _("no")
    for question in dashboard.questions:
        for option in question.options:
            writer.writerow([
                spreadsheet_text(f"{question.chapter_position}. {question.chapter_title}"),
                question.quiz_number, spreadsheet_text(f"{question.number}. {_plain(question.html)}"),
                question.first_attempts, _percent(question.right_share),
                spreadsheet_text(f"{option.number}. {_plain(option.html)}"),
                yes if option.right else no, option.chosen,
                _percent(option.share(question.first_attempts))])
    return (BOM + buffer.getvalue()).encode("utf-8")
