"""URL-safe slugs from titles and file names."""

from __future__ import annotations

import re
import unicodedata

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_ORDER_PREFIX = re.compile(r"^\d+[-_ .]+")


def slugify(text: str) -> str:
    """`Qu'est-ce que l'IA ?` -> `qu-est-ce-que-l-ia` (accents dropped, ASCII only)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def slug_from_filename(stem: str) -> str:
    """`03-les-donnees` -> `les-donnees`: the order prefix is not part of the identity."""
    return slugify(_ORDER_PREFIX.sub("", stem)) or slugify(stem)


def is_valid_slug(slug: str) -> bool:
    return bool(SLUG_PATTERN.match(slug)) and len(slug) <= 100
