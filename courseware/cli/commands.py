"""The core commands: serve, db, content, users, keys, certificates."""

from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path

import click

from ..content import check_library
from ..content.checks import course_summary
from ..content.translations import translation_warnings
from .base import load_app, main, ready_app


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, envvar="COURSEWARE_HOST",
              help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, envvar="COURSEWARE_PORT",
              help="Port to listen on.")
@click.option("--workers", default=2, show_default=True, type=int, envvar="COURSEWARE_WORKERS",
              help="Gunicorn worker processes of 8 threads each (2 suit 2 cores).")
@click.option("--dev", is_flag=True, help="Flask's development server: reloads the code, and the "
              "content on every save, showing content problems in the browser.")
def serve(host: str, port: int, workers: int, dev: bool) -> None:
    """Serve the courses (gunicorn; --dev for the reloader).

    With the embedded SQLite database, migrations are applied first. With another
    database, run `courseware db upgrade` when upgrading.
    """
    from ..config import settings_from_env
    from ..db import dispose_engines, get_engine
    from ..server import prepare_metrics_folder

    if not dev:
        prepare_metrics_folder(Path(str(settings_from_env()["INSTANCE_DIR"])).resolve())
    derived = not os.environ.get("COURSEWARE_BASE_URL")
    overrides: dict[str, object] = {"BASE_URL": listening_url(host, port)} if derived else {}
    if dev:
        overrides["DEV_CONTENT_RELOAD"] = True  # web/dev_reload.py: broken content goes to the browser
    app = ready_app(**overrides)
    engine = get_engine(app)
    dispose_engines(app)
    with app.app_context():
        _signing_identity()  # generated once here, before workers fork
    click.echo(f"courseware: serving {len(app.extensions['courseware.library'].courses)} "
               f"course(s) on http://{host}:{port}/ (database: {engine.dialect.name})")
    base = app.config["BASE_URL"]
    if derived:
        click.echo(f"courseware: links in e-mails and certificates use {base} (COURSEWARE_BASE_URL "
                   "unset); set it to the public address before opening the site to others")
    else:
        click.echo(f"courseware: links in e-mails and certificates use {base}")
    if dev:
        from ..mail import start_delivery_thread
        from ..web.dev_reload import LIVE_KEY

        problems = app.extensions[LIVE_KEY].current().problems
        for problem in problems:
            click.echo(str(problem), err=True)
        if problems:
            click.echo(f"courseware: the content has {len(problems)} problem(s); every page lists "
                       "them until you fix them (no restart needed)", err=True)

        start_delivery_thread(engine, app.config)
        app.run(host=host, port=port, debug=True, use_reloader=True)
        return
    from ..server import run_gunicorn

    run_gunicorn(app, host=host, port=port, workers=workers)


def listening_url(host: str, port: int) -> str:
    """The default BASE_URL: the address `serve` listens on. A wildcard address
    is no address a browser can use, so it becomes the loopback one (as do IPv6
    literals, which Werkzeug's host check cannot match)."""
    if host in ("0.0.0.0", "") or ":" in host:  # noqa: S104 - compared, not bound
        host = "127.0.0.1"
    return f"http://{host}:{port}"


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply every pending migration (safe to run again)."""
    from ..db import get_engine
    from ..migrate import upgrade_database

    app = load_app()
    upgrade_database(get_engine(app))
    click.echo("courseware: database is up to date")


@main.group()
def content() -> None:
    """Course content."""


@content.command("check")
@click.argument("path", required=False, type=click.Path(path_type=Path))
def content_check(path: Path | None) -> None:
    """Validate every course under PATH (default: the content folder).

    Prints each problem as `path:line: message`; exits 1 when there is any.
    """
    folder = path or Path(os.environ.get("COURSEWARE_CONTENT_DIR") or "./content")
    courses, problems = check_library(folder)
    for problem in problems:
        click.echo(str(problem))
    if problems:
        click.echo(f"{len(problems)} problem(s) found.", err=True)
        sys.exit(1)
    for course in courses:
        for line in course_summary(course):  # size, quizzes, languages, the final order, drafts
            click.echo(line)
        for warning in translation_warnings(course):  # reported, not refused: see translations.py
            click.echo(str(warning))


@main.group()
def users() -> None:
    """Accounts."""


@users.command("create-admin")
@click.option("--email", required=True, help="E-mail address to log in with.")
@click.option("--name", required=True, help="Display name.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_admin(email: str, name: str, password_stdin: bool) -> None:
    """Create an administrator account (asks for the password)."""
    from .. import accounts
    from ..db import get_engine
    from ..text_safety import has_invisible_characters, has_unsafe_characters, has_visible_letters

    if has_unsafe_characters(name) or has_invisible_characters(name) or not has_visible_letters(name):
        raise click.ClickException("the name must be visible letters, without control or invisible "
                                   "characters")
    app = ready_app()
    password = sys.stdin.readline().rstrip("\n") if password_stdin else getpass.getpass("Password: ")
    if len(password) < app.config["PASSWORD_MIN_LENGTH"]:
        minimum = app.config["PASSWORD_MIN_LENGTH"]
        raise click.ClickException(f"the password needs at least {minimum} characters")
    from ..password_policy import password_weakness

    weakness = password_weakness(password, email=email, name=name)
    if weakness is not None:
        raise click.ClickException(f"the password is too easy to guess ({weakness.value}): "
                                   "choose another one, e.g. a short sentence")
    from sqlalchemy.orm import Session

    with Session(get_engine(app)) as session:
        try:
            accounts.create_user(session, app.extensions["courseware.hasher"], email=email,
                                 name=name, password=password, role="admin")
        except accounts.EmailTaken:
            raise click.ClickException(f"an account already uses {email}") from None
    click.echo(f"courseware: administrator {email} created")


@users.command("list")
def list_users() -> None:
    """Every account: e-mail, name, role, sign-up date."""
    from sqlalchemy import select

    from ..db import get_engine
    from ..models import User

    app = ready_app()
    with get_engine(app).connect() as connection:
        rows = connection.execute(
            select(User.email, User.name, User.role, User.created_at).order_by(User.created_at)
        ).all()
    for email, name, role, created in rows:
        click.echo(f"{email}\t{name}\t{role}\t{created:%Y-%m-%d}")
    click.echo(f"{len(rows)} account(s)", err=True)


@main.group()
def mail() -> None:
    """Outgoing mail."""


@mail.command("deliver")
def mail_deliver() -> None:
    """Send the queued mail that is due now (the server also does this every few seconds)."""
    from sqlalchemy import func, select

    from ..db import get_engine
    from ..mail import deliver_due
    from ..models import OutboxMessage

    app = ready_app()
    engine = get_engine(app)
    report = deliver_due(engine, app.config)
    with engine.connect() as connection:
        waiting = connection.scalar(select(func.count()).select_from(OutboxMessage))
    click.echo(f"courseware: {report.sent} mail(s) sent, {report.failed} failed, "
               f"{waiting} waiting in the outbox")
    if report.failed:
        sys.exit(1)


@main.group()
def keys() -> None:
    """The key and X.509 certificate that sign certificate PDFs."""


@keys.command("init")
def keys_init() -> None:
    """Create the signing key and certificate in the instance folder (once; safe to repeat)."""
    app = load_app()
    with app.app_context():
        identity = _signing_identity()
    click.echo(f"courseware: signing key ready in {app.config['INSTANCE_DIR']}")
    click.echo(f"SHA-256 fingerprint: {identity.fingerprint}")


def _signing_identity():  # type: ignore[no-untyped-def]
    from ..certificates import SigningIdentityError
    from ..web.certificate_support import certificate_files

    try:
        return certificate_files().identity
    except SigningIdentityError as error:
        raise click.ClickException(str(error)) from None


@main.group()
def certificates() -> None:
    """Issued certificates."""


@certificates.command("revoke")
@click.argument("certificate_id")
@click.option("--reason", required=True, help="Shown on the verification page.")
def certificates_revoke(certificate_id: str, reason: str) -> None:
    """Revoke a certificate: its page and the upload check will say so."""
    from datetime import UTC, datetime

    from ..certificates import CertificateNotFound, normalise_public_id, revoke_certificate
    from ..db import get_session

    app = ready_app()
    public_id = normalise_public_id(certificate_id)
    if public_id is None:
        raise click.ClickException(f"'{certificate_id}' is not a certificate ID (XXXX-XXXX-XXXX-XXXX)")
    with app.app_context():
        session = get_session()
        try:
            revoke_certificate(session, public_id, reason, datetime.now(UTC))
        except CertificateNotFound:
            raise click.ClickException(f"no certificate {public_id}") from None
        session.commit()
    click.echo(f"courseware: certificate {public_id} revoked")


@certificates.command("verify")
@click.argument("pdf_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def certificates_verify(pdf_file: Path) -> None:
    """Check a certificate PDF: signature, signer, and the certificate's status.

    Exits 0 when authentic and valid, 1 otherwise.
    """
    from ..certificates import DEFAULT_CHECK_LIMITS, check_certificate_file
    from ..certificates.verdict_wording import verdict_wording
    from ..db import get_session

    app = ready_app()
    with open(pdf_file, "rb") as handle:  # one byte past the cap is enough to refuse it
        data = handle.read(DEFAULT_CHECK_LIMITS.max_bytes + 1)
    with app.app_context():
        result = check_certificate_file(get_session(), data, _signing_identity())
    certificate = result.certificate
    if result.verdict == "authentic" and certificate is not None:
        click.echo(f"authentic: {certificate.public_id}, {certificate.printed_name}, "
                   f"{certificate.course_title}, issued {certificate.issued_at:%Y-%m-%d}")
        return
    if result.verdict == "unchecked":
        click.echo(f"NOT CHECKED: {pdf_file}: too large or too complex to check safely "
                   f"({result.reason})", err=True)
        sys.exit(1)
    # The web page's words (English here), then the stable code for scripts.
    wording = verdict_wording(result)
    code = result.reason if result.verdict == "not_authentic" else result.verdict
    click.echo(f"NOT VALID: {pdf_file}: {wording.title}. {wording.detail} ({code})", err=True)
    sys.exit(1)

