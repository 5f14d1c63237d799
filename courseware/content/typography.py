"""Typographic apostrophes for text typed in YAML (titles, summaries, outcomes).

Chapter bodies get the language's quotes from the Markdown renderer (markdown.py);
titles typed in front matter or course.yaml often keep `l'intelligence`, which
looks careless beside `l’intelligence`. Done once at load time, so every output
(pages, certificates, reports, CSV, the instructor dashboard) shows the same text;
the source files stay as written.
"""

from __future__ import annotations

import re

# An apostrophe between two letters (l'IA, aujourd'hui, don't), never a quote around words.
_APOSTROPHE = re.compile(r"(?<=\w)'(?=\w)")


def typographic(text: str) -> str:
    """`l'IA` -> `l’IA`."""
    return _APOSTROPHE.sub("\u2019", text)
