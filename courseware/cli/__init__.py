"""The `courseware` command: one module per command group, all on one `main` group."""

from __future__ import annotations

from . import (
    commands,  # noqa: F401 - registers the core commands on `main`
    invitations,  # noqa: F401 - `courseware orgs invite`
    orgs,  # noqa: F401 - `courseware orgs` and `courseware users grant`
)
from .base import main

__all__ = ["main"]
