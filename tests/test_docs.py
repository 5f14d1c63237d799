"""The README is part of the product: keep it true to the code."""

from __future__ import annotations

import re
from pathlib import Path

import click

from courseware.cli import main
from courseware.config import SETTINGS

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _config_rows() -> dict[str, tuple[str, str]]:
    rows = {}
    for line in README.splitlines():
        match = re.match(r"\| `(COURSEWARE_[A-Z_]+)` \| (.*?) \| (.*) \|$", line)
        if match:
            rows[match.group(1)] = (match.group(2).strip(), match.group(3).strip())
    return rows


def test_every_setting_is_documented_with_its_default_and_meaning():
    rows = _config_rows()
    for setting in SETTINGS:
        assert setting.env in rows, f"{setting.env} is missing from the README's configuration table"
        default = "" if setting.default is None else f"`{setting.default}`"
        assert rows[setting.env] == (default, setting.doc), f"README row for {setting.env} is stale"


def test_the_readme_documents_no_setting_that_does_not_exist():
    known = {setting.env for setting in SETTINGS}
    assert set(_config_rows()) <= known


def _commands(group: click.Group, prefix: str = "courseware") -> list[str]:
    found = []
    for name, command in group.commands.items():
        path = f"{prefix} {name}"
        if isinstance(command, click.Group):
            found += _commands(command, path)
        else:
            found.append(path)
    return found


def test_every_cli_command_is_in_the_readme():
    for command in _commands(main):
        assert f"`{command}" in README, f"`{command}` is not documented in the README"


def test_readme_starts_with_the_two_commands_and_ci_runs_the_second():
    blocks = re.findall(r"```sh\n(.*?)\n```", README, flags=re.S)
    run_command, test_command = blocks[0], blocks[1]
    assert "courseware serve" in run_command and "pip install" in run_command
    assert "pytest" in test_command
    assert test_command in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    first_heading = README.index("\n## ")
    assert README.index(run_command) < first_heading and README.index(test_command) < first_heading
