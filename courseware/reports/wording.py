"""The words and number formats of a report in a given language, without Flask.

The CSV, PDF and charts are also made by the CLI and by the periodic e-mails,
outside any request: they load the app's gettext catalogue for the locale they
are given, so every format says the same thing in the same words.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from babel.dates import format_date
from babel.numbers import format_decimal, format_percent
from babel.support import NullTranslations, Translations

from .funnel import Count, FunnelRow

TRANSLATIONS_DIR = Path(__file__).resolve().parents[1] / "translations"
LOCALES = ("fr", "en")


@lru_cache(maxsize=8)
def translations(locale: str) -> NullTranslations:
    """The app's catalogue for `locale` (English, the source language, needs none)."""
    if locale not in LOCALES or locale == "en":
        return NullTranslations()
    return Translations.load(str(TRANSLATIONS_DIR), [locale])


@dataclass(frozen=True)
class Wording:
    """Every label a report shows, in one language."""

    locale: str
    link: str
    clicks: str
    signups: str
    started: str
    finished: str
    certified: str
    completion_rate: str
    total: str
    other: str
    chapter: str
    opened: str
    completed: str
    week: str
    organisation: str
    rank: str
    funnel_title: str
    chapters_title: str
    weeks_title: str
    links_title: str
    ranking_title: str
    suppressed_note: str
    platform: str
    period: str

    def count(self, value: Count) -> str:
        return value if isinstance(value, str) else format_decimal(value, locale=self.locale)

    def rate(self, row: FunnelRow) -> str:
        rate = row.completion_rate
        return "—" if rate is None else format_percent(rate, locale=self.locale)

    def day(self, value: date) -> str:
        return format_date(value, format="long", locale=self.locale)

    def period_text(self, start: date, end: date) -> str:
        return self.period % {"start": self.day(start), "end": self.day(end)}

    def row_label(self, row: FunnelRow) -> str:
        if row.kind == "total":
            return self.total
        if row.kind == "other":
            return self.other
        return row.label


@lru_cache(maxsize=8)
def wording(locale: str) -> Wording:
    """The labels for `locale` ("fr" or "en"; anything else gets English)."""
    catalogue = translations(locale)
    _ = catalogue.gettext
    return Wording(
        locale=locale if locale in LOCALES else "en",
        link=_("Link"),
        clicks=_("Clicks"),
        signups=_("Sign-ups"),
        # "Started" alone is a chapter's state on the course page.
        started=catalogue.pgettext("funnel", "Started"),
        finished=_("Finished"),
        certified=_("Certified"),
        completion_rate=_("Completion rate"),
        total=_("Total"),
        other=_("Without a link (invitations)"),
        chapter=_("Chapter"),
        opened=_("Opened"),
        completed=_("Completed"),
        week=_("Week"),
        organisation=_("Organisation"),
        rank=_("Rank"),
        funnel_title=_("From click to certificate"),
        chapters_title=_("Chapter by chapter"),
        weeks_title=_("Sign-ups per week"),
        links_title=_("Per link"),
        ranking_title=_("Organisations ranked by learners certified"),
        suppressed_note=_("Counts from 1 to 4 are shown as “<5” so that no one can be "
                          "singled out; where one could be worked out from a total, another "
                          "count is shown as “≥5”."),
        platform=_("Whole platform"),
        period=_("From %(start)s to %(end)s"),
    )
