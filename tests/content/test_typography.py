"""Quotes typed straight in an editor are printed the way each language writes them."""

from __future__ import annotations

from pathlib import Path

from courseware.content import load_library
from tests.helpers import COURSE_YAML, write_course

BODY = """\
## L'essentiel "en bref"

L'IA n'est pas magique : on parle de "données".

```text
print('code stays as typed')
```

::: quiz
### Qu'est-ce qu'un "modèle" ?
- [x] Ce qu'on obtient après l'entraînement
- [ ] Une photo
> C'est le résultat de l'entraînement.
:::
"""


def _chapter(tmp_path: Path, course_yaml: str):
    write_course(tmp_path / "content" / "basics", course_yaml, chapters={"01-a.md": ("A", BODY)})
    return load_library(tmp_path / "content").courses[0].chapters[0]


def test_french_gets_apostrophes_and_guillemets_everywhere_but_in_code(tmp_path):
    chapter = _chapter(tmp_path, COURSE_YAML)
    assert "L’IA n’est pas magique : on parle de «\u00a0données\u00a0»." in chapter.html
    assert "print('code stays as typed')" in chapter.html
    assert chapter.toc[0].text == "L’essentiel «\u00a0en bref\u00a0»"
    question = chapter.quizzes[0].questions[0]
    assert question.html == "Qu’est-ce qu’un «\u00a0modèle\u00a0» ?"
    assert "Ce qu’on obtient après l’entraînement" in question.options[0].html
    assert "C’est le résultat de l’entraînement." in question.explanation_html


def test_english_gets_curly_quotes(tmp_path):
    chapter = _chapter(tmp_path, COURSE_YAML.replace("language: fr", "language: en"))
    assert "L’IA n’est pas magique : on parle de “données”." in chapter.html


def test_titles_summary_and_outcomes_typed_in_yaml_get_typographic_apostrophes(tmp_path):
    course_yaml = (COURSE_YAML.replace("title: Les bases", "title: Les bases de l'IA")
                   + "summary: \"Ce qu'il faut savoir\"\noutcomes:\n  - \"Repérer l'IA\"\n")
    write_course(tmp_path / "content" / "basics", course_yaml,
                 chapters={"01-a.md": ("Qu'est-ce que l'IA ?", "## Texte\n\nBonjour.\n")})
    course = load_library(tmp_path / "content").courses[0]
    # Every output (pages, certificates, reports, the dashboard) reads these once-made texts.
    assert (course.title, course.summary) == ("Les bases de l’IA", "Ce qu’il faut savoir")
    assert course.chapters[0].title == "Qu’est-ce que l’IA ?"
    assert course.presentation.outcomes == ("Repérer l’IA",)
