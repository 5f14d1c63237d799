"""Public certificate identifiers: 80 random bits written as Crockford base32.

``7Q2K-9MXD-4HRT-0B3V`` is easy to read aloud, type from paper, and safe in URLs.
"""

from __future__ import annotations

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_GROUPS = 4
_GROUP_LENGTH = 4
_LENGTH = _GROUPS * _GROUP_LENGTH  # 16 symbols x 5 bits = 80 bits
# Crockford's decoding rules: letters that look like digits read as those digits.
_CONFUSABLES = str.maketrans({"I": "1", "L": "1", "O": "0"})
_IGNORED = str.maketrans("", "", " -\t\u00a0_.")


def _format(symbols: str) -> str:
    return "-".join(
        symbols[i : i + _GROUP_LENGTH] for i in range(0, _LENGTH, _GROUP_LENGTH)
    )


def new_public_id() -> str:
    """Return a fresh public ID: 80 bits from :mod:`secrets`, as ``XXXX-XXXX-XXXX-XXXX``."""
    return public_id_from_bits(secrets.randbits(_LENGTH * 5))


def public_id_from_bits(value: int) -> str:
    """The public ID spelling 80 given bits (demo data draws them from a seeded generator)."""
    symbols = "".join(ALPHABET[(value >> (5 * i)) & 31] for i in reversed(range(_LENGTH)))
    return _format(symbols)


def normalise_public_id(text: str) -> str | None:
    """Return the canonical form of a typed or pasted public ID, or None if it is malformed.

    Accepts lower case, spaces and missing hyphens, and reads I/L as 1 and O as 0.
    U (excluded by Crockford) and any other character make it malformed.
    """
    if not isinstance(text, str) or len(text) > 64:
        return None
    symbols = text.upper().translate(_IGNORED).translate(_CONFUSABLES)
    if len(symbols) != _LENGTH or any(c not in ALPHABET for c in symbols):
        return None
    return _format(symbols)
