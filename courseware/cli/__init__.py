"""The `courseware` command: one module per command group, all on one `main` group."""

from __future__ import annotations

# Each module registers its command group on `main`: core commands, `courseware demo`,
# `courseware reports send`.
from . import commands, demo, report_sending  # noqa: F401
from .base import main

__all__ = ["main"]
