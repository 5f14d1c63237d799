"""Safe LIKE patterns for the admin searches.

What an admin types is matched literally: `%`, `_` and the escape character
itself are escaped, so searching for "100%" or "a_b" finds exactly that and a
lone "%" does not list every row.
"""

from __future__ import annotations

ESCAPE = "\\"


def escape_like(text: str) -> str:
    return text.replace(ESCAPE, ESCAPE * 2).replace("%", ESCAPE + "%").replace("_", ESCAPE + "_")


def contains_pattern(text: str) -> str:
    """`%text%`, lower-cased (compare with lower(column)), wildcards escaped."""
    return f"%{escape_like(text.strip().lower())}%"


def prefix_pattern(text: str) -> str:
    return f"{escape_like(text.strip().lower())}%"
