"""`courseware backup` and `courseware restore`: the instance in one private archive."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click

from .base import load_app, main, ready_app


@main.command("backup")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Archive to write. Default: instance/backups/courseware-<date>.tar.gz.")
def backup(output: Path | None) -> None:
    """Back up the database and the instance's keys into one archive (safe while serving)."""
    from ..backup import BackupError, create_backup
    from ..db import get_engine

    app = ready_app()
    now = datetime.now(UTC)
    instance = Path(app.config["INSTANCE_DIR"])
    target = output or instance / "backups" / f"courseware-{now:%Y%m%dT%H%M%SZ}.tar.gz"
    try:
        manifest = create_backup(get_engine(app), instance, target, now)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    counts = manifest.counts
    click.echo(f"courseware: backup written to {target} ({counts['users']} learners, "
               f"{counts['chapter_progress']} progress rows, {counts['certificates']} certificates)")


@main.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database that already holds learners.")
def restore(archive: Path, force: bool) -> None:
    """Restore a backup made by `courseware backup`. Stop the servers first."""
    from ..backup import BackupError, restore_backup, row_counts
    from ..db import get_engine

    app = load_app()
    engine = get_engine(app)
    try:
        manifest = restore_backup(engine, Path(app.config["INSTANCE_DIR"]), archive, force=force)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    restored = row_counts(engine)
    if restored != manifest.counts:
        raise click.ClickException(f"the restored database holds {restored}, the backup recorded "
                                   f"{manifest.counts}")
    click.echo(f"courseware: restored the backup of {manifest.created_at} "
               f"({restored['users']} learners, {restored['certificates']} certificates)")
