"""`courseware report`: an organisation's or the platform's funnel report as CSV or PDF."""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime
from pathlib import Path

import click

from .base import main, ready_app


@main.command("report")
@click.option("--org", "slug", metavar="SLUG", help="The organisation's report.")
@click.option("--all", "platform", is_flag=True, help="The platform-wide report.")
@click.option("--from", "start", type=click.DateTime(["%Y-%m-%d"]), metavar="YYYY-MM-DD",
              help="First day (default: the first day of the current quarter).")
@click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]), metavar="YYYY-MM-DD",
              help="Last day, included (default: today).")
@click.option("--format", "output_format", type=click.Choice(["csv", "pdf"]), required=True)
@click.option("--output", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
              required=True, help="File to write (`-` for standard output).")
@click.option("--course", "course_slug", metavar="SLUG",
              help="Course (default: the first course of the content folder).")
@click.option("--locale", type=click.Choice(["fr", "en"]),
              help="Language of the labels (default: COURSEWARE_DEFAULT_LOCALE).")
@click.option("--exact", is_flag=True,
              help="Exact figures in an organisation's report (by default 1 to 4 show as "
                   "\"<5\", as everything an organisation receives).")
def report(slug: str | None, platform: bool, start: datetime | None, end: datetime | None,
           output_format: str, output: Path, course_slug: str | None, locale: str | None,
           exact: bool) -> None:
    """Write a funnel report: --org SLUG for one organisation, or --all for the platform.

    Days are UTC dates; --to is included.
    """
    from sqlalchemy.orm import Session

    from ..db import get_engine
    from ..organisations.models import Organisation
    from ..reports import default_period, organisation_report, platform_report, suppress_small_counts
    from ..reports.csv_export import report_csv
    from ..reports.pdf import report_pdf

    if bool(slug) == platform:
        raise click.UsageError("give either --org SLUG or --all")
    first, last = default_period(datetime.now(UTC).date())
    period_start: date = start.date() if start else first
    period_end: date = end.date() if end else max(last, period_start)
    if period_start > period_end:
        raise click.UsageError(f"--from {period_start} is after --to {period_end}")
    app = ready_app()
    library = app.extensions["courseware.library"]
    course = library.course(course_slug) if course_slug else (
        library.courses[0] if library.courses else None)
    if course is None:
        raise click.ClickException(f"no course {course_slug!r} in the content folder"
                                   if course_slug else "the content folder has no course")
    language = locale or app.config["DEFAULT_LOCALE"]
    with Session(get_engine(app)) as session:
        if platform:
            organisation = None
            result = platform_report(session, period_start, period_end, course)
        else:
            organisation = session.query(Organisation).filter_by(slug=slug).one_or_none()
            if organisation is None:
                raise click.ClickException(f"no organisation with the slug {slug!r} "
                                           "(see `courseware orgs list`)")
            result = organisation_report(session, organisation.id, period_start, period_end,
                                         course)
            if not exact:
                result = suppress_small_counts(result)
        body = (report_csv(result, language) if output_format == "csv"
                else report_pdf(result, organisation, language))
    if str(output) == "-":
        sys.stdout.buffer.write(body)
        sys.stdout.buffer.flush()
        return
    try:
        output.write_bytes(body)
    except OSError as error:
        raise click.ClickException(f"cannot write {output}: {error.strerror}") from None
    click.echo(f"courseware: wrote {output} ({output_format.upper()}, "
               f"{period_start} to {period_end}, {len(body)} bytes)", err=True)
