"""A visitor's quiz answers, kept in their own session until they have an account.

A visitor who answers a quiz is asked to sign up or log in; their answers must
not be lost on the way (quizzes.py grades and stores them once they are logged
in). As for visitor_reading.py, nothing is stored on the server for visitors:
the answers live in the visitor's signed session cookie, as one plain string
(the session cache of fast_paths.py keeps working), bounded so that the cookie
stays well under the 4 KB browsers keep.

One entry per quiz, the latest answers winning:
`<course>/<chapter>/<quiz number>/<key version>/<answers>`, where answers are
the option indexes of each question, `.`-joined, questions `,`-joined
(`1,0.2,` = option 1; options 0 and 2; nothing).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import session

QUIZZES_KEY = "visitor_quizzes"
MAX_QUIZZES = 5  # the latest ones: a visitor answering more is told to sign up each time
MAX_LENGTH = 2000  # characters, all entries together


@dataclass(frozen=True)
class VisitorAnswers:
    """One quiz as a visitor answered it; the form is `q<n>` fields, as a browser posts them."""

    course_slug: str
    chapter_slug: str
    quiz_number: int
    key_version: str
    form: dict[str, list[str]]


def remember_quiz_answers(course_slug: str, chapter_slug: str, quiz_number: int, key_version: str,
                          answers: tuple[frozenset[int], ...]) -> None:
    """Keep a visitor's (validated) answers to one quiz, replacing earlier ones to it."""
    quiz = f"{course_slug}/{chapter_slug}/{quiz_number}/"
    encoded = ",".join(".".join(str(i) for i in sorted(chosen)) for chosen in answers)
    entry = f"{quiz}{key_version}/{encoded}"
    kept = [e for e in str(session.get(QUIZZES_KEY, "")).split() if not e.startswith(quiz)]
    kept = [*kept, entry][-MAX_QUIZZES:]
    while kept and len(" ".join(kept)) > MAX_LENGTH:
        kept.pop(0)  # the oldest go first; a single quiz too long to keep is not kept
    if kept:
        session[QUIZZES_KEY] = " ".join(kept)
    else:
        session.pop(QUIZZES_KEY, None)


def take_visitor_answers() -> tuple[VisitorAnswers, ...]:
    """Read (and forget) the answers the visitor's session keeps; call before session.clear().

    Entries that do not parse are dropped: the cookie is signed, but one written by
    another version of the site may outlive a change of format.
    """
    value = str(session.pop(QUIZZES_KEY, ""))[:MAX_LENGTH]
    found = []
    for entry in value.split()[-MAX_QUIZZES:]:
        parts = entry.split("/")
        if len(parts) != 5 or not parts[2].isdecimal() or len(parts[2]) > 3:
            continue
        course_slug, chapter_slug, number, key_version, encoded = parts
        form = {f"q{n}": [i for i in chosen.split(".") if i]
                for n, chosen in enumerate(encoded.split(","), start=1)}
        found.append(VisitorAnswers(course_slug, chapter_slug, int(number), key_version, form))
    return tuple(found)
