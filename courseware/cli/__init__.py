"""The `courseware` command: one module per command group, all on one `main` group."""

from __future__ import annotations

# Each module registers its command group on `main`.
from . import (
    backup,  # noqa: F401 - `courseware backup` and `restore`
    commands,  # noqa: F401 - the core commands
    demo,  # noqa: F401 - `courseware demo seed`
    deploy,  # noqa: F401 - `courseware deploy nginx|systemd`
    invitations,  # noqa: F401 - `courseware orgs invite`
    orgs,  # noqa: F401 - `courseware orgs ...`
    report_sending,  # noqa: F401 - `courseware reports send`
    reports,  # noqa: F401 - `courseware report`
    translations,  # noqa: F401 - `courseware content translations`
)
from .base import main

__all__ = ["main"]
