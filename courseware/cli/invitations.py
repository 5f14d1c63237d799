"""`courseware orgs invite SLUG FILE.csv`: the staff invitations of the web page,
from the command line. The file is read with the same rules; a bad row stops
everything with `FILE:LINE: problem` lines (exit 1) unless --skip-invalid; the
invitations are then sent in batches in this process, with progress on stderr."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click

from .orgs import _audit, _organisation, _session, orgs


@orgs.command("invite")
@click.argument("slug")
@click.argument("csv_file", metavar="FILE.csv",
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--skip-invalid", is_flag=True,
              help="Import the valid rows even if some rows are malformed.")
@click.option("--no-send", is_flag=True,
              help="Only queue the invitations (a running server or a later run sends them).")
def orgs_invite(slug: str, csv_file: Path, skip_invalid: bool, no_send: bool) -> None:
    """Invite the staff listed in FILE.csv (e-mail[,name] per line) to organisation SLUG."""
    from ..organisations.invitations import (
        MAX_BYTES,
        InvitationFileError,
        import_invitations,
        invitation_progress,
        parse_invitation_csv,
    )
    from ..web.invitations import send_now

    with csv_file.open("rb") as handle:
        data = handle.read(MAX_BYTES + 1)
    try:
        parsed = parse_invitation_csv(data)
    except InvitationFileError as error:
        where = f"{csv_file}:{error.line}" if error.line else str(csv_file)
        raise click.ClickException(f"{where}: {error}") from None
    for problem in parsed.problems:
        shown = f" ({problem.value})" if problem.value else ""
        click.echo(f"{csv_file}:{problem.line}: {problem.message}{shown}", err=True)
    if parsed.problems and not skip_invalid:
        raise click.ClickException(
            f"{len(parsed.problems)} bad row(s), nothing imported; fix them or use "
            f"--skip-invalid to import the {len(parsed.rows)} valid row(s)")
    with _session() as (app, session):
        organisation = _organisation(session, slug)
        organisation_id = organisation.id  # read before commit expires it
        result = import_invitations(session, organisation_id, parsed.rows, datetime.now(UTC))
        _audit(session, "invitations.import", organisation.slug,
               f"{result.added} new, {result.already_invited} already invited, "
               f"{len(parsed.problems)} bad rows skipped")
        session.commit()
        click.echo(f"{result.added} invitation(s) queued, {result.already_invited} already invited")
        if no_send:
            return
        base_url = str(app.config.get("BASE_URL") or "").rstrip("/")
        if not base_url:
            raise click.ClickException("set COURSEWARE_BASE_URL so the e-mails can link to the "
                                       "site (the invitations stay queued)")
        sent = send_now(app, base_url, organisation_id)
        progress = invitation_progress(session, organisation_id)
        click.echo(f"{sent} invitation(s) sent; {progress.sent} of {progress.total} sent in all")
