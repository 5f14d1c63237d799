"""`courseware demo seed`: a realistic campaign in an empty database, fast enough for 1M learners."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

import click

from .base import main, ready_app

PLACEHOLDER_ID = "0000-0000-0000-0000"


@main.group()
def demo() -> None:
    """Demonstration data."""


@demo.command("seed")
@click.option("--learners", default=1000, show_default=True, type=click.IntRange(0, 20_000_000),
              help="Learners to create.")
@click.option("--orgs", default=10, show_default=True, type=click.IntRange(0, 10_000),
              help="Partner organisations (1 to 3 tracking links and one manager each).")
@click.option("--chapters-from", "course_slug", default=None, metavar="COURSE",
              help="Slug of the course learners follow. Default: the first course.")
@click.option("--seed", default=1, show_default=True, type=int,
              help="Random seed: the same seed gives the same data.")
@click.option("--months", default=12, show_default=True, type=click.IntRange(1, 60),
              help="How many months back sign-ups are spread over.")
@click.option("--password", default=None,
              help="Password of every demo account. Default: a random one, printed at the end.")
def seed(learners: int, orgs: int, course_slug: str | None, seed: int, months: int,
         password: str | None) -> None:
    """Fill an EMPTY database with organisations, learners, progress, certificates and counters.

    Every demo account shares one password, hashed once with the configured Argon2
    parameters: hashing a million passwords (~50 ms each) would take half a day, and
    one shared hash changes nothing a benchmark or a demonstration looks at. Never
    run this on a database with real learners (it refuses a non-empty database).
    """
    from ..db import get_engine
    from ..demo import DatabaseNotEmpty, SeedOptions, course_facts, seed_demo
    from ..web.certificate_support import certificate_files
    from ..web.views import external_url

    app = ready_app()
    library = app.extensions["courseware.library"]
    if not library.courses:
        raise click.ClickException(f"no course in {app.config['CONTENT_DIR']}: the demo needs one")
    course = library.course(course_slug) if course_slug else library.courses[0]
    if course is None:
        known = ", ".join(c.slug for c in library.courses)
        raise click.ClickException(f"no course '{course_slug}' in the content folder (there is: {known})")
    password = password or secrets.token_urlsafe(12)
    with app.test_request_context("/"):
        fingerprint = certificate_files().identity.fingerprint
        url_template = external_url("certificates.show", public_id=PLACEHOLDER_ID)
    options = SeedOptions(
        learners=learners, organisations=orgs, course=course_facts(course), end=datetime.now(UTC),
        password_hash=app.extensions["courseware.hasher"].hash(password),
        signer_fingerprint=fingerprint, months=months, seed=seed,
        verification_url_for=lambda public_id: url_template.replace(PLACEHOLDER_ID, public_id))
    try:
        summary = seed_demo(get_engine(app), options, report=lambda line: click.echo(line, err=True))
    except DatabaseNotEmpty as error:
        raise click.ClickException(str(error)) from None
    click.echo(
        f"courseware: seeded {summary.organisations} organisations ({summary.links} links, "
        f"{summary.managers} managers), {summary.learners:,} learners following '{course.slug}' "
        f"({len(course.chapters)} chapters), {summary.progress_rows:,} progress rows, "
        f"{summary.certificates:,} certificates, {summary.invitations:,} invitations and "
        f"{summary.counter_rows:,} counter rows in {summary.seconds:.1f} s")
    click.echo(f"Every demo account's password: {password}")
