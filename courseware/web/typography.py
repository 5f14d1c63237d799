"""French typography for text that authors type by hand (titles in front matter).

Chapter bodies already use typographic apostrophes; titles typed in YAML
front matter often do not, and `l'intelligence` beside `l’intelligence` looks
careless. Course texts are made typographic at load time (content/typography.py);
this filter is for the rest that templates print (e.g. an organisation's name).
"""

from __future__ import annotations

from markupsafe import Markup

from ..content.typography import typographic


def typographic_apostrophes(text: str | Markup) -> str | Markup:
    """`l'IA` -> `l’IA`; Markup stays Markup (the apostrophe is not part of any markup)."""
    if isinstance(text, Markup):
        return Markup(typographic(str(text)))  # noqa: S704
    return typographic(str(text))
