"""Reports at scale: 1M learners, 100 organisations, 12 chapters, on SQLite and PostgreSQL.

    .venv/bin/python benchmarks/reports.py [--learners 1000000] [--orgs 100] [--chapters 12]
        [--backend sqlite|postgresql|both] [--pg-learners N] [--pg-database bench_reports]
        [--runs 5] [--keep]

For each backend, in a fresh database (SQLite: a temporary instance folder;
PostgreSQL: the database --pg-database on 127.0.0.1, DROPPED and recreated):

1. on the empty database: the chapter page of a signed-up learner (in process,
   Flask's test client: the time of the app itself, no HTTP server), the
   platform report, and a bare `SELECT count(*)` over the counters (baselines);
2. seeds with `courseware demo seed` (the real command, timed) and prints the
   database size and row counts;
3. on the full database, median of --runs runs each: one organisation's report
   (the largest organisation) and the platform-wide report, for the last six
   months and for everything; the same bare count; and the chapter page of a
   learner signed up after the data is there.

Ratios are against baselines measured in the same run. The target is each
report under 1 s, and a chapter page no slower with the data than without.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from chapter_page import generated_course  # noqa: E402
from sqlalchemy import func, select, text  # noqa: E402

from courseware import create_app  # noqa: E402
from courseware.db import dispose_engines, get_engine  # noqa: E402
from courseware.migrate import upgrade_database  # noqa: E402
from courseware.models import (  # noqa: E402
    Certificate,
    ChapterProgress,
    FunnelCount,
    Organisation,
    User,
)
from courseware.reports import organisation_report, platform_report  # noqa: E402
from tests.helpers import csrf_token  # noqa: E402

POSTGRES_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
PASSWORD = "benchmark-password-123"
PAGE_REQUESTS = 200  # chapter page requests per timed run


def median_seconds(action: Callable[[], object], runs: int) -> float:
    action()  # warm-up: compiled statements, page cache, first connection
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def fresh_postgres_database(name: str) -> str:
    import psycopg

    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {name}")
    return f"postgresql://postgres@127.0.0.1:5432/{name}"


def database_size(engine) -> int:  # type: ignore[no-untyped-def]
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            return int(connection.scalar(text("SELECT pg_database_size(current_database())")))
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        pages = connection.exec_driver_sql("PRAGMA page_count").scalar()
        size = connection.exec_driver_sql("PRAGMA page_size").scalar()
    return int(pages) * int(size)


class Bench:
    """One backend: an app on its database, with a signed-in learner's test client."""

    def __init__(self, workdir: Path, content: Path, database_url: str, runs: int) -> None:
        self.config = {
            "INSTANCE_DIR": str(workdir / "instance"), "CONTENT_DIR": str(content),
            "DATABASE_URL": database_url, "SECRET_KEY": "benchmark-secret",
            "RATELIMIT_ENABLED": False, "BASE_URL": "http://127.0.0.1:8000",
        }
        self.runs = runs
        self.app = create_app(self.config)
        self.engine = get_engine(self.app)
        upgrade_database(self.engine)
        self.course = self.app.extensions["courseware.library"].courses[0]
        self.chapter_url = f"/courses/{self.course.slug}/{self.course.chapters[1].slug}/"

    def environment(self) -> dict[str, str]:
        environment = {key: value for key, value in os.environ.items() if not key.startswith("COURSEWARE_")}
        environment.update({f"COURSEWARE_{key}": str(value) for key, value in self.config.items()
                            if key != "RATELIMIT_ENABLED"})
        return environment

    def chapter_page_ms(self, email: str) -> float:
        client = self.app.test_client()
        page = client.get("/signup")
        client.post("/signup", data={"csrf_token": csrf_token(page), "email": email, "name": "Bench",
                                     "password": PASSWORD, "next": ""})
        first = client.get(self.chapter_url)  # opens the chapter (a write), later views only read
        assert first.status_code == 200 and "Bench" in first.get_data(as_text=True), first.status_code

        def views() -> None:
            for _ in range(PAGE_REQUESTS):
                response = client.get(self.chapter_url)
                assert response.status_code == 200

        return median_seconds(views, self.runs) / PAGE_REQUESTS * 1000

    def count_ms(self) -> float:
        with self.engine.connect() as connection:
            return median_seconds(lambda: connection.scalar(
                select(func.count()).select_from(FunnelCount)), self.runs) * 1000

    def report_ms(self, report: Callable[..., object], *args: object) -> float:
        with self.engine.connect() as connection:
            return median_seconds(lambda: report(connection, *args), self.runs) * 1000

    def empty(self) -> None:
        """Remove the learner signed up for the "before" measure: the seed wants an empty database."""
        with self.engine.begin() as connection:
            for table in ("funnel_counts", "funnel_counts_monthly", "chapter_progress", "certificates",
                          "users"):
                connection.execute(text(f"DELETE FROM {table}"))  # noqa: S608 - constant names

    def close(self) -> None:
        dispose_engines(self.app)


def bench_backend(backend: str, learners: int, args: argparse.Namespace, workdir: Path,
                  content: Path) -> list[str]:
    folder = workdir / backend
    folder.mkdir()
    url = (f"sqlite:///{folder / 'instance' / 'courseware.db'}" if backend == "sqlite"
           else fresh_postgres_database(args.pg_database))
    bench = Bench(folder, content, url, args.runs)
    lines = [f"## {backend}: {learners:,} learners, {args.orgs} organisations, "
             f"{len(bench.course.chapters)} chapters"]
    today = datetime.now(UTC).date()
    everything, six_months = (date(2000, 1, 1), today), (today - timedelta(days=182), today)
    try:
        page_before = bench.chapter_page_ms("before@bench.example.org")
        count_before = bench.count_ms()
        platform_before = bench.report_ms(platform_report, *everything, bench.course)
        bench.empty()

        started = time.perf_counter()
        seeded = subprocess.run(
            [sys.executable, "-m", "courseware.cli", "demo", "seed", "--learners", str(learners),
             "--orgs", str(args.orgs), "--password", PASSWORD], cwd=REPO, env=bench.environment(),
            capture_output=True, text=True, check=False)
        seed_seconds = time.perf_counter() - started
        if seeded.returncode != 0:
            raise RuntimeError(f"seed failed:\n{seeded.stderr[-3000:]}")
        lines.append(f"seed: {seed_seconds:.0f} s — {seeded.stdout.splitlines()[0]}")

        with bench.engine.connect() as connection:
            rows = {model.__tablename__: connection.scalar(select(func.count()).select_from(model))
                    for model in (User, ChapterProgress, Certificate, FunnelCount)}
            largest = connection.execute(
                select(User.organisation_id, func.count()).where(User.organisation_id.is_not(None))
                .group_by(User.organisation_id).order_by(func.count().desc()).limit(1)).one()
            slug = connection.scalar(select(Organisation.slug).where(Organisation.id == largest[0]))
        size = database_size(bench.engine)
        lines.append(f"database size: {size / 1024**2:,.0f} MiB; rows: "
                     + ", ".join(f"{table} {count:,}" for table, count in rows.items()))

        count_after = bench.count_ms()
        timings = [
            (f"organisation report, 6 months ('{slug}', {largest[1]:,} learners)",
             bench.report_ms(organisation_report, largest[0], *six_months, bench.course)),
            (f"organisation report, everything ('{slug}')",
             bench.report_ms(organisation_report, largest[0], *everything, bench.course)),
            ("platform report, 6 months", bench.report_ms(platform_report, *six_months, bench.course)),
            ("platform report, everything", bench.report_ms(platform_report, *everything, bench.course)),
        ]
        page_after = bench.chapter_page_ms("after@bench.example.org")
    finally:
        bench.close()

    lines.append("")
    lines.append(f"| measure (median of {args.runs}) | ms | x count(*) over the counters | "
                 "x same on the empty database |")
    lines.append("|---|---|---|---|")
    lines.append(f"| count(*) of the counters, empty | {count_before:.2f} | | |")
    lines.append(f"| count(*) of the counters, full | {count_after:.1f} | 1.00 | "
                 f"{count_after / count_before:.0f} |")
    for label, ms in timings:
        empty = f"{ms / platform_before:.0f} (vs empty platform report)" if "platform" in label else ""
        verdict = "" if ms < 1000 else " **over 1 s**"
        lines.append(f"| {label} | {ms:.1f}{verdict} | {ms / count_after:.2f} | {empty} |")
    lines.append(f"| platform report, empty database | {platform_before:.2f} | | |")
    lines.append(f"| chapter page, empty database (test client) | {page_before:.2f} | | 1.00 |")
    lines.append(f"| chapter page, full database (test client) | {page_after:.2f} | | "
                 f"{page_after / page_before:.2f} |")
    worst = max(ms for _label, ms in timings)
    lines.append("")
    lines.append(f"slowest report {worst:.0f} ms: {'meets' if worst < 1000 else 'MISSES'} the 1 s target; "
                 f"chapter page {page_after / page_before:.2f}x its time on the empty database")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=1_000_000)
    parser.add_argument("--pg-learners", type=int, default=None,
                        help="learners on PostgreSQL (default: --learners)")
    parser.add_argument("--orgs", type=int, default=100)
    parser.add_argument("--chapters", type=int, default=12)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--pg-database", default="bench_reports",
                        help="PostgreSQL database to DROP and recreate (default bench_reports)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    if not 1 <= args.chapters <= 14:  # 25 min each: a campaign course stays under six hours
        parser.error("--chapters must be between 1 and 14")
    workdir = Path(tempfile.mkdtemp(prefix="courseware-bench-reports-"))
    content = generated_course(workdir / "content", chapters=args.chapters, chapter_html_kb=20)
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}; work folder {workdir}")
    try:
        for backend in (["sqlite", "postgresql"] if args.backend == "both" else [args.backend]):
            learners = args.pg_learners if backend == "postgresql" and args.pg_learners else args.learners
            for line in bench_backend(backend, learners, args, workdir, content):
                print(line, flush=True)
            print(f"load average after {backend}: {os.getloadavg()[0]:.1f}\n", flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
