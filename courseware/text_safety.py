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


# Letters that draw nothing (Hangul fillers, braille blank) and invisible marks
# that are not format characters.
INVISIBLE_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800\u034f\u17b4\u17b5")
# Joiners that some scripts need between two letters (Persian, Indic scripts).
JOINERS = frozenset("\u200c\u200d")


def has_invisible_characters(text: str) -> bool:
    """Zero-width spaces, direction marks, soft hyphens, BOMs (format characters)
    and fillers, which make a name print differently from what was typed.

    ZWNJ and ZWJ are allowed between two letters, where some scripts need them.
    """
    for index, ch in enumerate(text):
        if ch in INVISIBLE_LETTERS:
            return True
        if unicodedata.category(ch) == "Cf":
            if ch in JOINERS and 0 < index < len(text) - 1 \
                    and _is_letter(text[index - 1]) and _is_letter(text[index + 1]):
                continue
            return True
    return False


def has_visible_letters(text: str) -> bool:
    """At least one visible letter or digit, and no combining mark with nothing to sit on."""
    stripped = text.strip()
    if not stripped or unicodedata.category(stripped[0]).startswith("M"):
        return False
    return any(unicodedata.category(ch)[0] in "LN" and ch not in INVISIBLE_LETTERS
               for ch in stripped)


def _is_letter(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "LM"
