"""A small, hand-computed set of funnel counters, shared by the report tests.

Organisation A ("Gendarmerie"), links "Officiers" (L1) and "Réservistes" (L2),
learners invited without a link; organisation B, one link; organisation C,
nothing; learners of no organisation. Course "basics": welcome, data, next.
Period: March 2026. The expected figures below were worked out by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import Connection, insert

from courseware.models import Organisation, TrackingLink
from courseware.reports.counters import count_event

START, END = date(2026, 3, 1), date(2026, 3, 31)
NOW = datetime(2026, 2, 1, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Chapter:
    slug: str
    title: str


@dataclass(frozen=True)
class Course:
    slug: str
    title: str
    chapters: tuple[Chapter, ...]


BASICS = Course("basics", "Les bases", (
    Chapter("welcome", "Bienvenue"), Chapter("data", "Les données"), Chapter("next", "Et ensuite")))


@dataclass(frozen=True)
class Ids:
    a: int
    b: int
    c: int
    l1: int
    l2: int
    l3: int


def _organisation(connection: Connection, slug: str, name: str) -> int:
    return connection.execute(insert(Organisation.__table__).values(
        slug=slug, name=name, created_at=NOW).returning(Organisation.__table__.c.id)).scalar_one()


def _link(connection: Connection, organisation_id: int, code: str, label: str, minute: int) -> int:
    return connection.execute(insert(TrackingLink.__table__).values(
        organisation_id=organisation_id, code=code, label=label,
        created_at=NOW.replace(minute=minute)).returning(TrackingLink.__table__.c.id)).scalar_one()


def seed(connection: Connection) -> Ids:
    a = _organisation(connection, "gendarmerie", "Gendarmerie nationale")
    b = _organisation(connection, "poste", "La Poste")
    c = _organisation(connection, "cnam", "Cnam")
    l1 = _link(connection, a, "OFF1", "Gendarmerie — officiers", 1)
    l2 = _link(connection, a, "RES2", "Gendarmerie — réservistes", 2)
    l3 = _link(connection, b, "POS3", "Facteurs", 3)

    def add(day: str, organisation: int, link: int, step: str, amount: int,
            chapter: str = "", course: str | None = None) -> None:
        if course is None:
            course = "" if step in ("click", "signup") else "basics"
        count_event(connection, step=step, day=date.fromisoformat(day), organisation_id=organisation,
                    link_id=link, course_slug=course, chapter_slug=chapter, amount=amount)

    # A / L1: clicks 30, sign-ups 12, started 10, finished 6, certified 5.
    add("2026-03-02", a, l1, "click", 20)
    add("2026-03-20", a, l1, "click", 10)
    add("2026-03-02", a, l1, "signup", 8)
    add("2026-03-20", a, l1, "signup", 4)
    add("2026-03-03", a, l1, "started", 10)
    for chapter, opened, completed in (("welcome", 10, 9), ("data", 8, 7), ("next", 6, 6)):
        add("2026-03-04", a, l1, "opened", opened, chapter)
        add("2026-03-05", a, l1, "completed", completed, chapter)
    add("2026-03-05", a, l1, "finished", 6)
    add("2026-03-06", a, l1, "certified", 5)
    # A / L2: clicks 7, sign-ups 3, started 3, finished 1, certified 1.
    add("2026-03-09", a, l2, "click", 7)
    add("2026-03-09", a, l2, "signup", 3)
    add("2026-03-10", a, l2, "started", 3)
    for chapter, opened, completed in (("welcome", 3, 2), ("data", 2, 1), ("next", 1, 1)):
        add("2026-03-10", a, l2, "opened", opened, chapter)
        add("2026-03-11", a, l2, "completed", completed, chapter)
    add("2026-03-11", a, l2, "finished", 1)
    add("2026-03-12", a, l2, "certified", 1)
    # A without a link (invited): sign-ups 2, started 2, welcome opened 2, completed 1.
    add("2026-03-01", a, 0, "signup", 2)
    add("2026-03-01", a, 0, "started", 2)
    add("2026-03-01", a, 0, "opened", 2, "welcome")
    add("2026-03-02", a, 0, "completed", 1, "welcome")
    # A, outside the period or another course: never counted.
    add("2026-02-28", a, l1, "click", 100)
    add("2026-04-01", a, l1, "signup", 50)
    add("2026-03-15", a, l1, "started", 40, course="advanced")
    add("2026-03-15", a, l1, "opened", 40, "welcome", course="advanced")
    # A chapter since removed from the course.
    add("2026-03-15", a, l1, "opened", 9, "removed-chapter")
    # B / L3: 5 of everything.
    for step in ("click", "signup", "started", "finished", "certified"):
        add("2026-03-20", b, l3, step, 5)
    for chapter in ("welcome", "data", "next"):
        add("2026-03-20", b, l3, "opened", 5, chapter)
        add("2026-03-21", b, l3, "completed", 5, chapter)
    # Learners of no organisation.
    add("2026-03-31", 0, 0, "signup", 4)
    add("2026-03-31", 0, 0, "started", 4)
    add("2026-03-31", 0, 0, "finished", 2)
    add("2026-03-31", 0, 0, "certified", 2)
    return Ids(a=a, b=b, c=c, l1=l1, l2=l2, l3=l3)


# (label, clicks, signups, started, finished, certified) for organisation A.
EXPECTED_A_LINKS = [
    ("Gendarmerie — officiers", 30, 12, 10, 6, 5),
    ("Gendarmerie — réservistes", 7, 3, 3, 1, 1),
    ("", 0, 2, 2, 0, 0),  # without a link
]
EXPECTED_A_TOTAL = (37, 17, 15, 7, 6)
# (slug, opened, completed)
EXPECTED_A_CHAPTERS = [("welcome", 15, 12), ("data", 10, 8), ("next", 7, 7)]
EXPECTED_PLATFORM_TOTAL = (42, 26, 24, 14, 13)
EXPECTED_PLATFORM_CHAPTERS = [("welcome", 20, 17), ("data", 15, 13), ("next", 12, 12)]
# ISO week -> sign-ups (weeks 9..14 of 2026 cover March).
EXPECTED_WEEKS = {9: 2, 10: 8, 11: 3, 12: 9, 13: 0, 14: 4}
