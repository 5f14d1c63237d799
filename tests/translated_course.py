"""A tiny course with an English translation, for the translation tests."""

from __future__ import annotations

import textwrap
from pathlib import Path

from courseware.content.translations import source_hash
from tests.helpers import write_course

QUIZ_FR = """\
## Testez-vous

::: quiz
### Qu'apprend un système d'apprentissage automatique ?
- [ ] Des règles écrites une à une
- [x] Des régularités tirées d'exemples
> Personne n'écrit les règles à la main.

### Lesquels sont des exemples d'IA ?
- [x] Un filtre anti-spam
- [ ] Un thermostat à règle fixe
- [x] La reconnaissance faciale
:::
"""

QUIZ_EN = """\
## Test yourself

::: quiz
### What does a machine learning system learn?
- [ ] Rules written one by one
- [x] Patterns drawn from examples
> Nobody writes the rules by hand.

### Which of these are examples of AI?
- [x] A spam filter
- [ ] A thermostat with a fixed rule
- [x] Face recognition
:::
"""

CHAPTERS_FR = {
    "01-welcome.md": ("Bienvenue", "## Premiers pas\n\nBonjour et bienvenue.\n\n"
                      "Voir [la suite](02-quiz.md).\n\n![Un schéma](images/diagram.svg)\n"),
    "02-quiz.md": ("Le quiz", QUIZ_FR),
    "03-next.md": ("Et ensuite", "## Ensuite\n\nFin du cours.\n"),
}

CHAPTERS_EN = {
    "01-welcome.md": ("Welcome", "## First steps\n\nHello and welcome.\n\n"
                      "See [what comes next](02-quiz.md).\n\n![A diagram](images/diagram.svg)\n"),
    "02-quiz.md": ("The quiz", QUIZ_EN),
    "03-next.md": ("What next", "## Next\n\nThe end of the course.\n"),
}

COURSE_EN = "language: en\ntitle: The basics\nsummary: A small test course.\n"
# The right answers of the quiz, in the form's field names (same in both languages).
RIGHT = {"q1": "1", "q2": ["0", "2"]}


def write_translation(course: Path, language: str = "en", course_yaml: str = COURSE_EN,
                      chapters: dict[str, tuple[str, str]] | None = None,
                      extra_front_matter: str = "") -> Path:
    """Write `<course>/<language>/`: course.yaml and chapters translated from the current files."""
    folder = course / language
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "course.yaml").write_text(course_yaml, encoding="utf-8")
    for name, (title, body) in (CHAPTERS_EN if chapters is None else chapters).items():
        origin = f"translated_from: {source_hash(course / name)}\n" if (course / name).exists() else ""
        (folder / name).write_text(
            f"---\ntitle: {title}\n{origin}{extra_front_matter}---\n{textwrap.dedent(body)}",
            encoding="utf-8")
    return folder


def write_translated_course(content: Path) -> Path:
    """content/basics in French with its English translation; returns the course folder."""
    course = write_course(content / "basics", chapters=CHAPTERS_FR)
    write_translation(course)
    return course
