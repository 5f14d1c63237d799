"""French is the first language of the learners: every interface string must be
translated, and the compiled catalogue the app loads must match the source."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
FR_DIR = ROOT / "courseware" / "translations" / "fr" / "LC_MESSAGES"


def _extract(tmp_path: Path) -> set[str]:
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
         "-k", "_l", "-o", str(pot), "--no-location", "--omit-header", "."],
        cwd=ROOT, check=True, capture_output=True,
    )
    with pot.open("rb") as handle:
        return {message.id for message in read_po(handle) if message.id}


def test_every_interface_string_has_a_french_translation(tmp_path):
    with (FR_DIR / "messages.po").open("rb") as handle:
        catalogue = read_po(handle, locale="fr")
    translated = {m.id for m in catalogue if m.id and m.string and not m.fuzzy}
    missing = sorted(_extract(tmp_path) - translated)
    assert not missing, (
        "untranslated strings; run `pybabel extract -F babel.cfg -k _l -o "
        "courseware/translations/messages.pot .`, `pybabel update -i courseware/translations/"
        "messages.pot -d courseware/translations`, translate, then `pybabel compile -d "
        f"courseware/translations`: {missing}"
    )


def test_compiled_catalogue_matches_the_source():
    def entries(messages) -> dict:
        # Plural messages come as tuples from .po files and lists from .mo files.
        def plain(value):
            return tuple(value) if isinstance(value, list | tuple) else value

        return {plain(m.id): plain(m.string) for m in messages if m.id and not m.fuzzy}

    with (FR_DIR / "messages.po").open("rb") as handle:
        source = entries(read_po(handle, locale="fr"))
    with (FR_DIR / "messages.mo").open("rb") as handle:
        compiled = entries(read_mo(handle))
    assert compiled == source, "messages.mo is stale: run `pybabel compile -d courseware/translations`"


def test_french_strings_never_break_a_line_inside_their_punctuation():
    """French puts a space before : ; ! ? and inside « »; a plain one lets the line break
    there, leaving "» terminé." or a lone "?" at the start of a phone's line. The catalogue
    uses no-break spaces (U+00A0 before ":" and inside guillemets, U+202F before ; ! ?)."""
    import re

    with (FR_DIR / "messages.po").open("rb") as handle:
        catalogue = read_po(handle, locale="fr")
    breakable = re.compile(r" [:;!?»]|« | %(?!\()")
    found = []
    for message in catalogue:
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        found += [text for text in strings if text and breakable.search(text)]
    assert not found, found[:5]


def test_pages_follow_the_browser_language(client):
    french = client.get("/", headers={"Accept-Language": "fr-FR,fr;q=0.9"}).get_data(as_text=True)
    english = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)
    assert '<html lang="fr">' in french and "Apprenez à votre rythme" in french
    assert '<html lang="en">' in english and "Learn at your own pace" in english


def test_french_is_the_default_for_other_languages(client):
    page = client.get("/", headers={"Accept-Language": "de-DE"}).get_data(as_text=True)
    assert "Apprenez à votre rythme" in page


def test_language_switch_is_remembered(client, auth):
    response = auth.post("/language", {"language": "en", "next": "/courses/basics/"})
    assert response.status_code == 302 and response.location == "/courses/basics/"
    page = client.get("/courses/basics/", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "Start the course" in page
