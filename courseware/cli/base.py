"""The `courseware` group and how commands get an app. Options also read
COURSEWARE_* environment variables."""

from __future__ import annotations

import sys
from typing import Any

import click
from flask import Flask

from ..config import ConfigError
from ..content import ContentError


def load_app(**overrides: Any) -> Flask:
    """Create the app, turning broken content into `path:line: message` lines."""
    from .. import create_app
    from ..db import dispose_engines

    try:
        app = create_app(overrides or None)
    except ContentError as error:
        for problem in error.problems:
            click.echo(str(problem), err=True)
        click.echo(f"courseware: the content has {len(error.problems)} problem(s); "
                   "fix them and start again.", err=True)
        sys.exit(1)
    except ConfigError as error:
        raise click.ClickException(str(error)) from None
    context = click.get_current_context(silent=True)
    if context is not None:
        context.call_on_close(lambda: dispose_engines(app))
    return app


def ready_app(**overrides: Any) -> Flask:
    """The app with an up-to-date schema: migrated automatically on the embedded
    SQLite database, or a clear error asking for `courseware db upgrade`."""
    from ..db import get_engine
    from ..migrate import pending_revisions, upgrade_database

    app = load_app(**overrides)
    engine = get_engine(app)
    if engine.dialect.name == "sqlite":
        upgrade_database(engine)
    elif pending_revisions(engine):
        raise click.ClickException("the database schema is out of date: run `courseware db upgrade`")
    return app


@click.group(context_settings={"auto_envvar_prefix": "COURSEWARE", "help_option_names": ["-h", "--help"]})
def main() -> None:
    """Self-hosted, self-paced Markdown courses with signed certificates."""
