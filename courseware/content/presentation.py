"""How a course presents itself: cover image, accent colour, audience, outcomes.

All optional keys of course.yaml, checked here so that a typo is reported
with its file and line like any other content problem:

    cover: images/cover.svg        # an image of the course folder
    accent: "#1f6f5c"              # the course's colour: buttons, progress, links
    audience: "Tout public, sans prérequis"
    outcomes:                      # "what you will learn", one line each
      - Expliquer ce qu'est l'IA
"""

from __future__ import annotations

import re
from pathlib import Path

from .image_size import image_size
from .model import Presentation, Problem
from .typography import typographic

_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
COVER_TYPES = (".svg", ".png", ".jpg", ".jpeg", ".webp")
MAX_OUTCOMES = 8
MAX_TEXT = 300


def read_presentation(meta: dict, folder: Path, course_file: Path, problems: list[Problem],
                      line_of: object) -> Presentation:
    """The presentation keys of a course.yaml mapping; problems are appended, never raised.

    `line_of(key)` gives the line of a key in course.yaml.
    """
    def problem(key: str, message: str) -> None:
        problems.append(Problem(course_file, line_of(course_file, key), message))  # type: ignore[operator]

    cover = meta.get("cover")
    cover_size = None
    if cover is not None:
        path = (folder / str(cover)).resolve()
        if not isinstance(cover, str) or path.suffix.lower() not in COVER_TYPES:
            problem("cover", f"'cover' must be an image file ({', '.join(COVER_TYPES)})")
            cover = None
        elif not path.is_relative_to(folder.resolve()):
            problem("cover", f"cover '{cover}' points outside the course folder")
            cover = None
        elif not path.is_file():
            problem("cover", f"cover '{cover}' does not exist")
            cover = None
        else:
            cover_size = image_size(path)
    accent = meta.get("accent")
    if accent is not None and not (isinstance(accent, str) and _COLOUR.fullmatch(accent)):
        problem("accent", "'accent' must be a colour written #rrggbb, in quotes: \"#1f6f5c\"")
        accent = None
    audience = meta.get("audience") or ""
    if not isinstance(audience, str) or len(audience) > MAX_TEXT:
        problem("audience", f"'audience' must be one line of text (at most {MAX_TEXT} characters)")
        audience = ""
    outcomes = meta.get("outcomes") or []
    if not isinstance(outcomes, list) or len(outcomes) > MAX_OUTCOMES or not all(
            isinstance(item, str) and item.strip() and len(item) <= MAX_TEXT for item in outcomes):
        problem("outcomes", f"'outcomes' must be a list of at most {MAX_OUTCOMES} short lines")
        outcomes = []
    return Presentation(cover=cover, cover_size=cover_size, accent=accent.lower() if accent else None,
                        audience=typographic(audience.strip()),
                        outcomes=tuple(typographic(o.strip()) for o in outcomes))
