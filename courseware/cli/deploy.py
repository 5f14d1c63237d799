"""`courseware deploy`: print deployment files filled in for this machine."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import click

from .base import main


@main.group()
def deploy() -> None:
    """Deployment files (nginx site, systemd unit) for this installation."""


@deploy.command("nginx")
@click.option("--server-name", required=True, help="The site's host name, e.g. cours.example.fr.")
@click.option("--upstream", default="127.0.0.1:8000", show_default=True,
              help="Address courseware serve listens on.")
@click.option("--listen", default="80", show_default=True, help="nginx's listen directive.")
def deploy_nginx(server_name: str, upstream: str, listen: str) -> None:
    """An nginx site: buffering, compression, static files cached a year, forwarded headers."""
    from ..deploy import nginx_site

    click.echo(nginx_site(server_name=server_name, upstream=upstream, listen=listen), nl=False)


@deploy.command("systemd")
@click.option("--user", default="courseware", show_default=True, help="Account the service runs as.")
@click.option("--working-dir", default=None, type=click.Path(file_okay=False, path_type=Path),
              help="Folder holding instance/ and content/. Default: the current folder.")
@click.option("--environment-file", default="/etc/courseware/courseware.env", show_default=True,
              help="File with the COURSEWARE_* settings.")
def deploy_systemd(user: str, working_dir: Path | None, environment_file: str) -> None:
    """A systemd service running `courseware serve` (migrations first)."""
    from ..deploy import systemd_units

    executable = shutil.which("courseware") or str(Path(sys.executable).with_name("courseware"))
    click.echo(systemd_units(working_dir=str((working_dir or Path.cwd()).resolve()),
                             executable=executable, user=user,
                             environment_file=environment_file), nl=False)
