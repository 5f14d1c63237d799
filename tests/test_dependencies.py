"""pyproject.toml's floors admit only releases that behave as the code and tests expect."""

from __future__ import annotations

import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

PYPROJECT = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
RUNTIME = [Requirement(line) for line in PYPROJECT["project"]["dependencies"]]
TEST = [Requirement(line) for line in PYPROJECT["project"]["optional-dependencies"]["test"]]


def floor(requirement: Requirement) -> Version | None:
    floors = [Version(spec.version) for spec in requirement.specifier if spec.operator == ">="]
    return max(floors, default=None)


@pytest.mark.parametrize("requirement", RUNTIME + TEST, ids=lambda r: r.name)
def test_every_dependency_has_a_floor_the_installed_release_meets(requirement):
    lowest = floor(requirement)
    assert lowest is not None, f"{requirement.name} has no >= floor"
    assert requirement.specifier.contains(version(requirement.name), prereleases=True)


def test_pyhanko_floor_has_the_decompression_limits_the_upload_check_relies_on():
    # pyhanko.pdf_utils.decode_limits ("versionadded 0.38.0") caps object-stream padding.
    [pyhanko] = [r for r in RUNTIME if r.name.lower() == "pyhanko"]
    assert floor(pyhanko) >= Version("0.38")
    [validator] = [r for r in RUNTIME if r.name.lower() == "pyhanko-certvalidator"]
    assert floor(validator) >= Version("0.33")  # what pyHanko 0.38 itself requires


def test_auditing_tools_stay_out_of_the_runtime_dependencies():
    assert not {r.name for r in RUNTIME} & {"pip-audit", "safety"}
