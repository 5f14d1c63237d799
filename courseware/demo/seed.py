"""`courseware demo seed`: fill an empty database with a realistic campaign.

Generation (`generate`) and loading (`bulk`) are separate so each stays simple;
this module runs them in one transaction and refuses a database that already
holds accounts, organisations or counters (demo data must never mix with real
learners, and the counters must stay exactly consistent with the rows).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import astuple, dataclass

from sqlalchemy import Engine, func, select

from ..models import FunnelCount, FunnelCountMonthly, Organisation, User
from .bulk import BulkWriter, analyse
from .generate import CourseFacts, DemoGenerator, SeedOptions

__all__ = ["CourseFacts", "DatabaseNotEmpty", "SeedOptions", "SeedSummary", "course_facts", "seed_demo"]


class DatabaseNotEmpty(Exception):
    pass


@dataclass(frozen=True)
class SeedSummary:
    organisations: int
    links: int
    managers: int
    learners: int
    progress_rows: int
    certificates: int
    invitations: int
    counter_rows: int
    seconds: float


def course_facts(course: object) -> CourseFacts:
    """The facts of a content `Course` that the seed uses."""
    chapters = course.chapters  # type: ignore[attr-defined]
    return CourseFacts(
        slug=course.slug, title=course.title, language=course.language,  # type: ignore[attr-defined]
        issuer=course.issuer, total_minutes=course.total_minutes,  # type: ignore[attr-defined]
        content_version=course.content_version,  # type: ignore[attr-defined]
        chapter_slugs=tuple(chapter.slug for chapter in chapters),
        chapter_minutes=tuple(max(1, chapter.minutes) for chapter in chapters))


def ensure_empty(engine: Engine) -> None:
    with engine.connect() as connection:
        for model, what in ((User, "accounts"), (Organisation, "organisations"),
                            (FunnelCount, "funnel counters"), (FunnelCountMonthly, "monthly counters")):
            found = connection.scalar(select(func.count()).select_from(model))
            if found:
                raise DatabaseNotEmpty(
                    f"the database already has {found} {what}: the demo seed only fills an empty "
                    "database (use a fresh COURSEWARE_DATABASE_URL or instance folder)")


def seed_demo(engine: Engine, options: SeedOptions,
              report: Callable[[str], None] = lambda _line: None) -> SeedSummary:
    """Generate and load the whole campaign in one transaction; statistics refreshed after."""
    started = time.perf_counter()
    ensure_empty(engine)
    generator = DemoGenerator(options)
    partners = generator.partners
    totals = {"progress": 0, "certificates": 0, "invitations": 0, "learners": 0}
    with BulkWriter(engine) as writer:
        writer.write("organisations", [astuple(org) for org in partners.organisations])
        writer.write("tracking_links", [astuple(link)[:-1] for link in partners.links])
        writer.write("users", partners.managers)
        created = {org.id: org.created_at for org in partners.organisations}
        writer.write("organisation_managers",
                     [(org_id, user_id, created[org_id]) for org_id, user_id in partners.manager_pairs])
        for batch in generator.batches():
            writer.write("users", batch.users)
            writer.write("chapter_progress", batch.progress)
            writer.write("certificates", batch.certificates)
            writer.write("invitations", batch.invitations)
            totals["learners"] += len(batch.users)
            totals["progress"] += len(batch.progress)
            totals["certificates"] += len(batch.certificates)
            totals["invitations"] += len(batch.invitations)
            report(f"{totals['learners']:,} / {options.learners:,} learners "
                   f"({time.perf_counter() - started:.0f} s)")
        counters = list(generator.funnel_rows())
        writer.write("funnel_counts", counters)
        writer.write("funnel_counts_monthly", list(generator.monthly_rows()))
        for table in ("analytics_chapter_counts", "analytics_completion_times"):
            writer.write(table, [row for name, row in generator.analytics_rows() if name == table])
    report("refreshing the database statistics")
    analyse(engine)
    return SeedSummary(
        organisations=len(partners.organisations), links=len(partners.links),
        managers=len(partners.managers), learners=totals["learners"],
        progress_rows=totals["progress"], certificates=totals["certificates"],
        invitations=totals["invitations"], counter_rows=len(counters),
        seconds=time.perf_counter() - started)
