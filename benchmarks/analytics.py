"""The instructor dashboard at scale: counters for 1,000,000 learners, SQLite and PostgreSQL.

    .venv/bin/python benchmarks/analytics.py [--learners 1000000] [--days 365] [--chapters 12]
        [--backend sqlite|postgresql|both] [--pg-database bench_analytics] [--runs 5] [--keep]

For each backend, in a fresh database (SQLite: a temporary folder; PostgreSQL: the
database --pg-database on 127.0.0.1, DROPPED and recreated), migrated with the real
migrations:

1. seeds the analytics counters directly (timed), day rows and the month rows
   that sum them, as a year of events would have left them: --learners arrivals
   spread over --days days and two languages, each chapter opened by fewer
   learners than the one before, completion times spread over the histogram's
   buckets, first attempts at 3 questions x 4 options per chapter. Learners
   themselves are not created: the dashboard never reads them,
   and the counters do not grow with them (only with days x chapters x languages);
2. prints the row counts and the database size;
3. median of --runs runs after one warm-up: a bare `SELECT count(*)` over the three
   counter tables (the baseline, same run), then `course_dashboard` for the whole
   period in every language, the whole period in one language, a period whose two
   edge months are half in it (read from day rows), and the last 30 days in one
   language;
4. the write side: 300 learners each open and complete a chapter in their own
   transaction, through the funnel counters alone and through analytics.events
   (funnel + analytics counters): what the dashboard costs each event.

The target is every dashboard under 1 s.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from reports import database_size, fresh_postgres_database, median_seconds  # noqa: E402
from sqlalchemy import func, insert, select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from courseware.accounts import Identity  # noqa: E402
from courseware.analytics import events as analytics_events  # noqa: E402
from courseware.analytics.dashboard import course_dashboard  # noqa: E402
from courseware.analytics.durations import BUCKET_COUNT  # noqa: E402
from courseware.analytics.models import (  # noqa: E402
    FIRST_ATTEMPTS,
    FIRST_ATTEMPTS_RIGHT,
    AnswerCount,
    ChapterDayCount,
    CompletionTimeCount,
)
from courseware.content import Course  # noqa: E402
from courseware.content.loader import load_course  # noqa: E402
from courseware.db import make_engine  # noqa: E402
from courseware.migrate import upgrade_database  # noqa: E402
from courseware.models import User  # noqa: E402
from courseware.reports import events as funnel  # noqa: E402

LANGUAGES = {"fr": 0.7, "en": 0.3}  # share of the learners reading in each
QUESTIONS, OPTIONS = 3, 4
BATCH = 20_000
# How completion times spread over the buckets (most in 5-30 min, a tail over days).
DURATION_WEIGHTS = (0, 0, 1, 2, 4, 8, 12, 14, 12, 10, 7, 5, 4, 3, 2, 2, 1, 1, 1, 1)


def quiz_course(folder: Path, chapters: int) -> Course:
    """A course of `chapters` chapters, each with one quiz of 3 questions x 4 options."""
    course = folder / "analytique"
    course.mkdir(parents=True)
    (course / "course.yaml").write_text(
        "slug: analytique\ntitle: Cours de mesure\nlanguage: fr\nissuer: Banc d'essai\n",
        encoding="utf-8")
    for number in range(1, chapters + 1):
        questions = "".join(
            f"### Question {q} du chapitre {number} ?\n"
            + "".join(f"- [{'x' if o == 1 else ' '}] Réponse {o + 1}\n" for o in range(OPTIONS))
            + "> Parce que.\n\n" for q in range(1, QUESTIONS + 1))
        (course / f"{number:02d}-chapitre-{number}.md").write_text(
            f"---\ntitle: Chapitre {number}\n---\n## Texte\n\nDu texte.\n\n::: quiz\n{questions}:::\n",
            encoding="utf-8")
    loaded, problems = load_course(course)
    assert loaded is not None and not problems, problems
    return loaded


def counter_rows(course: Course, learners: int, days: int, end: date, seed: int = 7):
    """Yield (table, row) for every counter the seeded period leaves, in insert order."""
    rng = random.Random(seed)
    per_day = learners / days
    weights_total = sum(DURATION_WEIGHTS[:BUCKET_COUNT])
    for offset in range(days):
        day = end - timedelta(days=days - 1 - offset)
        for language, share in LANGUAGES.items():
            arriving = per_day * share * rng.uniform(0.8, 1.2)
            for position, chapter in enumerate(course.chapters):
                opened = round(arriving * 0.88 ** position)
                completed = round(opened * 0.8)
                base = {"course_slug": course.slug, "span": "day", "day": day,
                        "chapter_slug": chapter.slug, "language": language}
                yield ChapterDayCount, {**base, "step": "opened", "count": opened}
                yield ChapterDayCount, {**base, "step": "completed", "count": completed}
                for bucket, weight in enumerate(DURATION_WEIGHTS[:BUCKET_COUNT]):
                    if weight and completed:
                        yield CompletionTimeCount, {**base, "bucket": bucket,
                                                    "count": max(1, completed * weight // weights_total)}
                quiz = chapter.quizzes[0]
                for question in quiz.questions:
                    key = {**base, "quiz_index": quiz.number, "question_index": question.number,
                           "key_version": quiz.key_version}
                    right = round(completed * rng.uniform(0.4, 0.9))
                    yield AnswerCount, {**key, "option_index": FIRST_ATTEMPTS, "count": completed}
                    yield AnswerCount, {**key, "option_index": FIRST_ATTEMPTS_RIGHT, "count": right}
                    wrong = completed - right
                    for index in range(OPTIONS):
                        chosen = right if index == 1 else wrong // (OPTIONS - 1)
                        yield AnswerCount, {**key, "option_index": index, "count": chosen}


def seed(engine, course: Course, learners: int, days: int, end: date) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Insert the day rows, and the month rows that sum them (as `analytics.events` adds
    each event to both)."""
    batches: dict[type, list[dict]] = {ChapterDayCount: [], CompletionTimeCount: [], AnswerCount: []}
    months: dict[type, Counter] = {model: Counter() for model in batches}
    written = dict.fromkeys(batches, 0)

    def flush(connection, model: type) -> None:  # type: ignore[no-untyped-def]
        connection.execute(insert(model.__table__), batches[model])
        written[model] += len(batches[model])
        batches[model].clear()

    with engine.begin() as connection:
        for model, row in counter_rows(course, learners, days, end):
            month = {**row, "span": "month", "day": row["day"].replace(day=1)}
            months[model][tuple((k, v) for k, v in month.items() if k != "count")] += row["count"]
            batches[model].append(row)
            if len(batches[model]) >= BATCH:
                flush(connection, model)
        for model, sums in months.items():
            for key, count in sums.items():
                batches[model].append({**dict(key), "count": count})
                if len(batches[model]) >= BATCH:
                    flush(connection, model)
            if batches[model]:
                flush(connection, model)
    return {model.__tablename__: count for model, count in written.items()}


WRITE_LEARNERS = 300


def write_costs(engine, course: Course, end: date) -> list[tuple[str, float]]:  # type: ignore[no-untyped-def]
    """What the counters add to a learner's first opening and completion of a chapter: each of
    WRITE_LEARNERS learners opens and completes a chapter in its own transaction, through the
    funnel alone and then through analytics.events (funnel + analytics counters)."""
    now = datetime(end.year, end.month, end.day, 12, 0, tzinfo=UTC)
    writer = engine.execution_options(sqlite_immediate=True)
    with engine.begin() as connection:
        ids = connection.execute(insert(User.__table__).returning(User.__table__.c.id), [
            {"email": f"write{n}@bench.example.org", "name": "W", "password_hash": "x",
             "role": "learner", "created_at": now, "session_version": 1}
            for n in range(WRITE_LEARNERS)]).scalars().all()
    learners = [Identity(user_id, "", "", "learner", None, "k") for user_id in ids]
    results = []
    for label, chapter, record in (
            ("first opening + completion, funnel counters only (ms per learner)", course.chapters[0],
             lambda s, who, slug: (funnel.open_chapter(s, who, course, slug, now),
                                   funnel.complete_chapter(s, who, course, slug, now))),
            ("first opening + completion, funnel + analytics counters (ms per learner)",
             course.chapters[1],
             lambda s, who, slug: (analytics_events.open_chapter(s, who, course, slug, now, "fr"),
                                   analytics_events.complete_chapter(s, who, course, slug, now, "fr")))):
        started = time.perf_counter()
        for learner in learners:
            with Session(writer) as session:
                record(session, learner, chapter.slug)
                session.commit()
        results.append((label, (time.perf_counter() - started) / len(learners) * 1000))
    return results


def bench_backend(backend: str, args: argparse.Namespace, workdir: Path, course: Course) -> list[str]:
    url = (f"sqlite:///{workdir / f'{backend}.db'}" if backend == "sqlite"
           else fresh_postgres_database(args.pg_database))
    engine = make_engine(url)
    try:
        upgrade_database(engine)
        end = date(2026, 11, 30)
        start = end - timedelta(days=args.days - 1)
        started = time.perf_counter()
        rows = seed(engine, course, args.learners, args.days, end)
        seed_seconds = time.perf_counter() - started
        if engine.dialect.name == "postgresql":
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.exec_driver_sql("VACUUM ANALYZE")
        else:
            with engine.begin() as connection:
                connection.exec_driver_sql("ANALYZE")
        lines = [f"## {backend}: counters for {args.learners:,} learners over {args.days} days, "
                 f"{len(course.chapters)} chapters x {QUESTIONS} questions x {OPTIONS} options, "
                 f"{len(LANGUAGES)} languages",
                 f"seed: {seed_seconds:.0f} s; rows: " + ", ".join(f"{t} {n:,}" for t, n in rows.items())
                 + f"; database size {database_size(engine) / 1024**2:,.0f} MiB"]
        with engine.connect() as connection:
            opened = connection.scalar(select(func.sum(ChapterDayCount.count)).where(
                ChapterDayCount.step == "opened", ChapterDayCount.span == "day",
                ChapterDayCount.chapter_slug == course.chapters[0].slug))
            lines.append(f"learners who opened chapter 1: {opened:,}")

            def count_all() -> None:
                for model in (ChapterDayCount, CompletionTimeCount, AnswerCount):
                    connection.scalar(select(func.count()).select_from(model))

            baseline = median_seconds(count_all, args.runs) * 1000
            timings = [
                ("dashboard, whole period, every language", (start, end, None)),
                ("dashboard, whole period, French", (start, end, "fr")),
                ("dashboard, half-month edges (15th to 14th), every language",
                 (start + timedelta(days=14), end - timedelta(days=16), None)),
                ("dashboard, last 30 days, French", (end - timedelta(days=29), end, "fr")),
            ]
            measured = [(label, median_seconds(
                lambda a=arguments: course_dashboard(connection, course, *a), args.runs) * 1000)
                for label, arguments in timings]
        writes = write_costs(engine, course, end)
    finally:
        engine.dispose()
    lines += ["", f"| measure (median of {args.runs}) | ms | x count(*) of the counters |", "|---|---|---|",
              f"| count(*) of the three counter tables (baseline) | {baseline:.1f} | 1.00 |"]
    for label, ms in measured:
        verdict = "" if ms < 1000 else " **over 1 s**"
        lines.append(f"| {label} | {ms:.1f}{verdict} | {ms / baseline:.2f} |")
    lines += [f"| {label} | {ms:.2f} | |" for label, ms in writes]
    worst = max(ms for _label, ms in measured)
    lines += ["", f"slowest dashboard {worst:.0f} ms: {'meets' if worst < 1000 else 'MISSES'} the 1 s target"]
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--chapters", type=int, default=12)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--pg-database", default="bench_analytics",
                        help="PostgreSQL database to DROP and recreate (default bench_analytics)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    if not 1 <= args.days <= 3660 or not 1 <= args.chapters <= 30:
        parser.error("--days must be 1-3660 and --chapters 1-30")
    workdir = Path(tempfile.mkdtemp(prefix="courseware-bench-analytics-"))
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}; work folder {workdir}")
    try:
        course = quiz_course(workdir / "content", args.chapters)
        for backend in (["sqlite", "postgresql"] if args.backend == "both" else [args.backend]):
            for line in bench_backend(backend, args, workdir, course):
                print(line, flush=True)
            print(f"load average after {backend}: {os.getloadavg()[0]:.1f}\n", flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
