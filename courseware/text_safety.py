"""Characters a name must never contain, wherever it is typed."""

from __future__ import annotations

import unicodedata

# Bidirectional embeddings, overrides and isolates can make a printed name read
# differently from what is stored (e.g. "‮gnp.exe" shows as "exe.png").
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def has_unsafe_characters(text: str) -> bool:
    """Control characters, surrogates, line/paragraph separators or bidi controls."""
    return any(
        unicodedata.category(ch) in ("Cc", "Cs") or ch in "\u2028\u2029" or ch in BIDI_CONTROLS
        for ch in text
    )
