"""The `courseware` command: one module per command group, all on one `main` group."""

from __future__ import annotations

from . import backup, commands, deploy  # noqa: F401 - each module registers its commands on `main`
from .base import main

__all__ = ["main"]
