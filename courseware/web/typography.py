"""French typography for text that authors type by hand (titles in front matter).

Chapter bodies already use typographic apostrophes; titles typed in YAML
front matter often do not, and `l'intelligence` beside `l’intelligence` looks
careless. The change is made at display, so the source files stay as written.
"""

from __future__ import annotations

import re

from markupsafe import Markup

# An apostrophe between two letters (l'IA, aujourd'hui), never a quote around words.
_APOSTROPHE = re.compile(r"(?<=\w)'(?=\w)")


def typographic_apostrophes(text: str | Markup) -> str | Markup:
    """`l'IA` -> `l’IA`; Markup stays Markup (the apostrophe is not part of any markup)."""
    if isinstance(text, Markup):
        return Markup(_APOSTROPHE.sub("\u2019", str(text)))  # noqa: S704
    return _APOSTROPHE.sub("\u2019", str(text))
