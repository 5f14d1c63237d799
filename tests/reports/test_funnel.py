"""Report figures against the hand-computed fixture, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine

from courseware.reports import (
    LARGE_COUNT,
    SMALL_COUNT,
    default_period,
    organisation_report,
    platform_report,
    suppress_small_counts,
)
from tests.reports.fixture import (
    BASICS,
    END,
    EXPECTED_A_CHAPTERS,
    EXPECTED_A_LINKS,
    EXPECTED_A_TOTAL,
    EXPECTED_PLATFORM_CHAPTERS,
    EXPECTED_PLATFORM_TOTAL,
    EXPECTED_WEEKS,
    START,
    Ids,
    seed,
)


@pytest.fixture
def ids(engine: Engine) -> Ids:
    with engine.begin() as connection:
        return seed(connection)


def figures(row) -> tuple:
    return (row.clicks, row.signups, row.started, row.finished, row.certified)


def test_organisation_report_per_link_total_and_chapter(engine, ids):
    with engine.connect() as connection:
        report = organisation_report(connection, ids.a, START, END, BASICS)
    assert report.organisation_name == "Gendarmerie nationale"
    assert [(row.label, *figures(row)) for row in report.links] == EXPECTED_A_LINKS
    assert [row.kind for row in report.links] == ["link", "link", "other"]
    assert [row.code for row in report.links] == ["OFF1", "RES2", None]
    assert figures(report.total) == EXPECTED_A_TOTAL
    assert [row.completion_rate for row in report.links] == [0.6, pytest.approx(1 / 3), 0.0]
    assert report.total.completion_rate == pytest.approx(7 / 15)
    # In course order, with titles; the removed chapter is left out.
    assert [(row.slug, row.opened, row.completed) for row in report.chapters] == EXPECTED_A_CHAPTERS
    assert [(row.position, row.title) for row in report.chapters] == [
        (1, "Bienvenue"), (2, "Les données"), (3, "Et ensuite")]
    assert not report.suppressed


def test_an_organisation_sees_nothing_of_another(engine, ids):
    with engine.connect() as connection:
        b = organisation_report(connection, ids.b, START, END, BASICS)
        c = organisation_report(connection, ids.c, START, END, BASICS)
    assert [(row.label, *figures(row)) for row in b.links] == [("Facteurs", 5, 5, 5, 5, 5)]
    assert figures(b.total) == (5, 5, 5, 5, 5)
    assert c.links == () and figures(c.total) == (0, 0, 0, 0, 0)
    assert c.total.completion_rate is None
    assert [(row.opened, row.completed) for row in c.chapters] == [(0, 0)] * 3


def test_period_bounds_are_inclusive(engine, ids):
    with engine.connect() as connection:
        february = organisation_report(connection, ids.a, date(2026, 2, 28), date(2026, 2, 28),
                                       BASICS)
        april = organisation_report(connection, ids.a, date(2026, 4, 1), date(2026, 4, 1), BASICS)
    assert february.total.clicks == 100 and april.total.signups == 50


def test_platform_report(engine, ids):
    with engine.connect() as connection:
        report = platform_report(connection, START, END, BASICS)
    assert figures(report.total) == EXPECTED_PLATFORM_TOTAL
    assert report.total.completion_rate == pytest.approx(14 / 24)
    assert [(row.slug, row.opened, row.completed) for row in report.chapters] == \
        EXPECTED_PLATFORM_CHAPTERS
    assert {week.week: week.signups for week in report.signups_per_week} == EXPECTED_WEEKS
    assert [week.monday for week in report.signups_per_week][:2] == [date(2026, 2, 23),
                                                                    date(2026, 3, 2)]
    # Ranked by certified, then finished; organisations with nothing come last.
    assert [(item.rank, item.slug, item.row.certified) for item in report.organisations] == [
        (1, "gendarmerie", 6), (2, "poste", 5), (3, "cnam", 0)]
    assert figures(report.organisations[0].row) == EXPECTED_A_TOTAL


def test_suppression_hides_1_to_4_and_the_rates_that_would_reveal_them(engine, ids):
    with engine.connect() as connection:
        report = suppress_small_counts(organisation_report(connection, ids.a, START, END, BASICS))
    assert report.suppressed
    officers, reservists, other = report.links
    # Officers' 6 finished and 5 certified would let anyone subtract the reservists' 1 from
    # the totals 7 and 6: they are hidden too, and so is the total certified (6 - "≥5" = 1).
    assert figures(officers) == (30, 12, 10, LARGE_COUNT, LARGE_COUNT)
    assert figures(reservists) == (7, SMALL_COUNT, SMALL_COUNT, SMALL_COUNT, SMALL_COUNT)
    assert reservists.completion_rate is None
    # Zero singles nobody out: it stays 0.
    assert figures(other) == (0, SMALL_COUNT, SMALL_COUNT, 0, 0)
    assert figures(report.total) == (*EXPECTED_A_TOTAL[:4], LARGE_COUNT)
    assert [(row.opened, row.completed) for row in report.chapters] == [(15, 12), (10, 8), (7, 7)]
    with engine.connect() as connection:
        platform = suppress_small_counts(platform_report(connection, START, END, BASICS))
    assert {week.week: week.signups for week in platform.signups_per_week} == {
        9: SMALL_COUNT, 10: 8, 11: SMALL_COUNT, 12: 9, 13: 0, 14: SMALL_COUNT}


def test_default_period_is_the_current_quarter_so_far():
    assert default_period(date(2026, 5, 17)) == (date(2026, 4, 1), date(2026, 5, 17))
    assert default_period(date(2026, 12, 31)) == (date(2026, 10, 1), date(2026, 12, 31))
