"""The `courseware` command: one module per command group, all on one `main` group."""

from __future__ import annotations

from . import (  # noqa: F401 - each module registers its commands on `main`
    backup,
    commands,
    deploy,
    invitations,
    orgs,
)
from .base import main

__all__ = ["main"]
