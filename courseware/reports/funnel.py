"""Funnel reports for an organisation and for the platform (domain, no Flask).

Figures come from the daily counters in `funnel_counts` (see
`courseware.organisations.models.FunnelCount`), never from learners or progress
rows: a report is one or two SQL aggregates (Core `select` + `group_by`) over
counter rows whose day is in the period, so its cost grows with days × links ×
chapters, not with the number of learners. One organisation's report reads its
own rows through the (organisation_id, day) index.

Every output (HTML, CSV, PDF, SVG, e-mail) renders these same frozen
dataclasses, so figures can never disagree between formats. What an
organisation receives goes through `suppression.suppress_small_counts` first.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol, TypeVar

from sqlalchemy import func, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from ..organisations.models import FunnelCount, Organisation, TrackingLink
from .counters import counts_for_period

_counts = FunnelCount.__table__

# What a suppressed count shows instead of 1, 2, 3 or 4.
SMALL_COUNT = "<5"
SMALL_COUNT_LIMIT = 5

# A count is an int, or SMALL_COUNT once suppressed.
Count = int | str


class ChapterLike(Protocol):
    slug: str
    title: str


class CourseLike(Protocol):
    """What a report needs from a course: its chapters, in order, with titles."""

    slug: str
    title: str

    @property
    def chapters(self) -> Sequence[ChapterLike]: ...


@dataclass(frozen=True)
class FunnelRow:
    """One line of the funnel: a tracking link, the learners without a link, an
    organisation (platform ranking) or the total.

    kind: "link" (label is the link's label), "other" (attributed without a link,
    e.g. invited by e-mail; label empty), "organisation" (label is its name) or
    "total" (label empty). Renderers translate the empty labels.
    """

    kind: str
    label: str
    clicks: Count
    signups: Count
    started: Count
    finished: Count
    certified: Count
    link_id: int | None = None
    code: str | None = None

    @property
    def completion_rate(self) -> float | None:
        """finished / started (0..1); None when there is nobody or a figure is hidden."""
        if isinstance(self.started, str) or isinstance(self.finished, str) or not self.started:
            return None
        return self.finished / self.started


@dataclass(frozen=True)
class ChapterRow:
    """How many opened and completed a chapter: where people drop out."""

    position: int
    slug: str
    title: str
    opened: Count
    completed: Count


@dataclass(frozen=True)
class WeekCount:
    """Sign-ups in one ISO week (monday is that week's first day)."""

    year: int
    week: int
    monday: date
    signups: Count


@dataclass(frozen=True)
class RankedOrganisation:
    rank: int
    organisation_id: int
    slug: str
    row: FunnelRow


@dataclass(frozen=True)
class OrganisationReport:
    organisation_id: int
    organisation_slug: str
    organisation_name: str
    start: date
    end: date  # inclusive
    course_slug: str
    course_title: str
    links: tuple[FunnelRow, ...]
    total: FunnelRow
    chapters: tuple[ChapterRow, ...]
    # True once counts from 1 to 4 are shown as "<5".
    suppressed: bool = False


@dataclass(frozen=True)
class PlatformReport:
    start: date
    end: date  # inclusive
    course_slug: str
    course_title: str
    total: FunnelRow
    chapters: tuple[ChapterRow, ...]
    signups_per_week: tuple[WeekCount, ...]
    organisations: tuple[RankedOrganisation, ...]
    suppressed: bool = False


Executor = Connection | Session
R = TypeVar("R", OrganisationReport, PlatformReport)
# (step, chapter_slug) -> count, for one group (a link, an organisation, everything).
_Sums = dict[tuple[str, str], int]


def _in_period_and_course(start: date, end: date, course_slug: str) -> list:
    # click and signup are platform-wide (course ""); the other steps are per course.
    return [_counts.c.day >= start, _counts.c.day <= end,
            _counts.c.course_slug.in_(("", course_slug))]


def _row(kind: str, label: str, sums: _Sums, **extra: object) -> FunnelRow:
    def step(name: str) -> int:
        return sums.get((name, ""), 0)

    return FunnelRow(kind=kind, label=label, clicks=step("click"), signups=step("signup"),
                     started=step("started"), finished=step("finished"),
                     certified=step("certified"), **extra)  # type: ignore[arg-type]


def _chapters(course: CourseLike, sums: _Sums) -> tuple[ChapterRow, ...]:
    """Chapters in course order; counters of chapters no longer in the course are left out."""
    return tuple(
        ChapterRow(position=position, slug=chapter.slug, title=chapter.title,
                   opened=sums.get(("opened", chapter.slug), 0),
                   completed=sums.get(("completed", chapter.slug), 0))
        for position, chapter in enumerate(course.chapters, start=1))


def _merge(groups: Iterable[_Sums]) -> _Sums:
    total: _Sums = defaultdict(int)
    for sums in groups:
        for key, value in sums.items():
            total[key] += value
    return total


def organisation_report(executor: Executor, organisation_id: int, start: date, end: date,
                        course: CourseLike) -> OrganisationReport:
    """An organisation's funnel for a period (days start..end inclusive): per tracking
    link and in total, and per chapter. Exact figures: see `suppress_small_counts`.

    Every link of the organisation has a row, with zeros if nothing happened;
    learners attributed without a link (invitations) get an "other" row when any.
    """
    organisation = executor.execute(
        select(Organisation.slug, Organisation.name).where(Organisation.id == organisation_id)
    ).one()
    links = executor.execute(
        select(TrackingLink.id, TrackingLink.label, TrackingLink.code)
        .where(TrackingLink.organisation_id == organisation_id)
        .order_by(TrackingLink.created_at, TrackingLink.id)
    ).all()
    # The one aggregate: a few rows per link, step and chapter.
    rows = executor.execute(
        select(_counts.c.link_id, _counts.c.step, _counts.c.chapter_slug,
               func.sum(_counts.c.count))
        .where(_counts.c.organisation_id == organisation_id,
               *_in_period_and_course(start, end, course.slug))
        .group_by(_counts.c.link_id, _counts.c.step, _counts.c.chapter_slug))
    per_link: dict[int, _Sums] = defaultdict(dict)
    for link_id, step, chapter_slug, total in rows:
        per_link[link_id][(step, chapter_slug)] = int(total or 0)
    link_rows = [_row("link", label, per_link.get(link_id, {}), link_id=link_id, code=code)
                 for link_id, label, code in links]
    known = {link_id for link_id, _label, _code in links}
    # Counters of learners without a link, or of a link since deleted, stay counted.
    other = _merge(sums for link_id, sums in per_link.items() if link_id not in known)
    if any(value for (_step, chapter), value in other.items() if not chapter):
        link_rows.append(_row("other", "", other, link_id=0))
    everything = _merge(per_link.values())
    return OrganisationReport(
        organisation_id=organisation_id, organisation_slug=organisation.slug,
        organisation_name=organisation.name, start=start, end=end, course_slug=course.slug,
        course_title=course.title, links=tuple(link_rows), total=_row("total", "", everything),
        chapters=_chapters(course, everything))


def platform_report(executor: Executor, start: date, end: date,
                    course: CourseLike) -> PlatformReport:
    """The whole platform for a period: totals (learners of every organisation and
    of none), the per-chapter funnel, sign-ups per ISO week, and the organisations
    ranked by learners certified, then finished. For admins: exact figures."""
    # Whole months from the monthly counters, edge days from the daily ones: a
    # year is ~70k rows instead of ~2M at 1M learners (see counts_for_period).
    counts = counts_for_period(start, end, course.slug)
    rows = executor.execute(
        select(counts.c.organisation_id, counts.c.step, counts.c.chapter_slug,
               func.sum(counts.c.count))
        .group_by(counts.c.organisation_id, counts.c.step, counts.c.chapter_slug))
    per_organisation: dict[int, _Sums] = defaultdict(dict)
    for organisation_id, step, chapter_slug, total in rows:
        per_organisation[organisation_id][(step, chapter_slug)] = int(total or 0)
    # Sign-ups by day (a few hundred rows), grouped into ISO weeks here: week
    # arithmetic differs between SQLite and PostgreSQL, Python's is the same everywhere.
    daily = executor.execute(
        select(_counts.c.day, func.sum(_counts.c.count))
        .where(_counts.c.step == "signup", *_in_period_and_course(start, end, course.slug))
        .group_by(_counts.c.day))
    weeks: dict[date, int] = defaultdict(int)
    for day, total in daily:
        weeks[day - timedelta(days=day.weekday())] += int(total or 0)
    organisations = executor.execute(
        select(Organisation.id, Organisation.slug, Organisation.name)).all()
    ranked = sorted(
        ((organisation_id, slug, _row("organisation", name, per_organisation.get(organisation_id, {})))
         for organisation_id, slug, name in organisations),
        key=lambda item: (-int(item[2].certified), -int(item[2].finished), item[2].label.lower()))
    everything = _merge(per_organisation.values())
    return PlatformReport(
        start=start, end=end, course_slug=course.slug, course_title=course.title,
        total=_row("total", "", everything), chapters=_chapters(course, everything),
        signups_per_week=tuple(_week_counts(start, end, weeks)),
        organisations=tuple(RankedOrganisation(rank=rank, organisation_id=organisation_id,
                                               slug=slug, row=row)
                            for rank, (organisation_id, slug, row) in enumerate(ranked, start=1)))


def _week_counts(start: date, end: date, weeks: dict[date, int]) -> Iterable[WeekCount]:
    """Every ISO week of the period, empty weeks included, so a chart has no gaps."""
    monday = start - timedelta(days=start.weekday())
    while monday <= end:
        year, week, _day = monday.isocalendar()
        yield WeekCount(year=year, week=week, monday=monday, signups=weeks.get(monday, 0))
        monday += timedelta(days=7)


def default_period(today: date) -> tuple[date, date]:
    """The dashboard's default range: from the first day of the current quarter to today."""
    first_month = 3 * ((today.month - 1) // 3) + 1
    return date(today.year, first_month, 1), today
