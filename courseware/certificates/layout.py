"""Certificate branding loaded from a folder: the one shipped in ``branding/`` beside this
module, or the organisation's own (``COURSEWARE_CERTIFICATES_DIR``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..durations import DurationFormats, format_duration

FALLBACK_LANGUAGE = "en"
_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")
_WORDING_KEYS = (
    "title", "awarded_to", "completion", "completion_graded", "duration", "issued_on", "issued_by",
    "identifier", "verify", "signed_note", "pdf_subject", "date_format",
    "hours_format", "hours_only_format", "minutes_format",
)
_COLOUR_KEYS = ("ink", "accent", "gold", "muted", "paper")
_SIZE_KEYS = ("title", "name", "name_min", "course", "course_min", "body", "small", "qr")


class LayoutError(Exception):
    """A branding file is missing or malformed; the message names the file and the problem."""


@dataclass(frozen=True)
class FontSpec:
    name: str
    file: Path
    bold: Path | None
    subfont: int


@dataclass(frozen=True)
class Wording:
    language: str
    title: str
    awarded_to: str
    completion: str  # "has completed": the course has no quizzes
    completion_graded: str  # "has successfully completed": its quizzes were passed
    duration: str
    issued_on: str
    issued_by: str
    identifier: str
    verify: str
    signed_note: str
    pdf_subject: str
    months: tuple[str, ...]
    date_format: str
    hours_format: str
    hours_only_format: str
    minutes_format: str

    def completion_for(self, graded: bool) -> str:
        """The completion line: "successfully" only when quizzes were passed."""
        return self.completion_graded if graded else self.completion

    def date(self, day: int, month: int, year: int) -> str:
        """Write a date in full, e.g. "22 novembre 2026"."""
        return self.date_format.format(day=day, month=self.months[month - 1], year=year)

    def duration_text(self, minutes: int) -> str:
        """Write a duration as the pages do, e.g. "5 h 30 min", "6 h" or "45 min"."""
        return format_duration(minutes, DurationFormats(
            hours_and_minutes=self.hours_format, hours_only=self.hours_only_format,
            minutes_only=self.minutes_format,
        ))


@dataclass(frozen=True)
class Layout:
    folder: Path
    margins: float
    colours: dict[str, str]
    sizes: dict[str, float]
    fonts: tuple[FontSpec, ...]
    logo: Path | None
    wordings: dict[str, Wording]

    def wording_for(self, language: str) -> Wording:
        """The wording in ``language`` (``fr-CA`` falls back to ``fr``), else English."""
        base = (language or "").lower().replace("_", "-").split("-")[0]
        return self.wordings.get(base) or self.wordings[FALLBACK_LANGUAGE]


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise LayoutError(f"{path}: file not found") from exc
    except yaml.YAMLError as exc:
        raise LayoutError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise LayoutError(f"{path}: expected a mapping at the top level")
    return data


def _load_wording(path: Path) -> Wording:
    data = _read_yaml(path)
    missing = [key for key in _WORDING_KEYS if not isinstance(data.get(key), str)]
    if missing:
        raise LayoutError(f"{path}: missing or non-text keys: {', '.join(missing)}")
    months = data.get("months")
    if not (isinstance(months, list) and len(months) == 12 and all(isinstance(m, str) for m in months)):
        raise LayoutError(f"{path}: 'months' must list the 12 month names")
    return Wording(language=path.stem, months=tuple(months),
                   **{key: data[key] for key in _WORDING_KEYS})


def _load_fonts(folder: Path, path: Path, entries: Any) -> tuple[FontSpec, ...]:
    if not isinstance(entries, list) or not entries:
        raise LayoutError(f"{path}: 'fonts' must be a non-empty list")
    fonts = []
    for entry in entries:
        if not isinstance(entry, dict) or not entry.get("name") or not entry.get("file"):
            raise LayoutError(f"{path}: each font needs a 'name' and a 'file'")
        regular = folder / entry["file"]
        bold = folder / entry["bold"] if entry.get("bold") else None
        for file in (regular, bold):
            if file is not None and not file.is_file():
                raise LayoutError(f"{path}: font file {file} not found")
        fonts.append(FontSpec(str(entry["name"]), regular, bold, int(entry.get("subfont", 0))))
    return tuple(fonts)


def load_layout(folder: Path) -> Layout:
    """Load ``layout.yaml`` and every ``wording/*.yaml`` from the branding folder."""
    folder = Path(folder)
    path = folder / "layout.yaml"
    data = _read_yaml(path)
    colours = data.get("colours") or {}
    bad = [k for k in _COLOUR_KEYS if not _COLOUR.match(str(colours.get(k, "")))]
    if bad:
        raise LayoutError(f"{path}: colours need #RRGGBB values for: {', '.join(bad)}")
    sizes = data.get("sizes") or {}
    try:
        size_values = {key: float(sizes[key]) for key in _SIZE_KEYS}
        margins = float(data.get("margins", 28))
    except (KeyError, TypeError, ValueError) as exc:
        raise LayoutError(f"{path}: 'sizes' needs numbers for {', '.join(_SIZE_KEYS)}") from exc
    logo = folder / data["logo"] if data.get("logo") else None
    if logo is not None and not logo.is_file():
        raise LayoutError(f"{path}: logo {logo} not found")
    wordings = {p.stem: _load_wording(p) for p in sorted((folder / "wording").glob("*.yaml"))}
    if FALLBACK_LANGUAGE not in wordings:
        raise LayoutError(f"{folder / 'wording'}: the fallback wording en.yaml is required")
    return Layout(
        folder=folder, margins=margins,
        colours={k: str(colours[k]) for k in _COLOUR_KEYS}, sizes=size_values,
        fonts=_load_fonts(folder, path, data.get("fonts")), logo=logo, wordings=wordings,
    )
