"""Immutable quiz objects, built once at content load.

Identity of a question: its position, `(chapter slug, quiz index, question
index)`, all 1-based in the order they are written. Positions, not a hash of the
text, because (1) fixing a typo in a question or an option must not cut its
history in two, and (2) a translation of the chapter has the same quizzes in the
same order but different text, and its attempts must count for the same
questions. The price: inserting, removing or reordering questions or options
shifts the positions. Stored attempts keep their score and pass/fail as graded
at the time (completion is never taken back), and each attempt records the
quiz's `key_version` so analytics can leave out attempts made against another
shape of the quiz.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

DEFAULT_PASS_MARK = 70  # percent of questions right, per quiz
# Where a quiz sits in a chapter's stored HTML; the web layer puts the form there.
# Content cannot write it: raw HTML (comments included) is escaped in chapters.
QUIZ_SLOT = "<!--courseware-quiz-{number}-->"


@dataclass(frozen=True)
class Option:
    html: str  # inline HTML, rendered from Markdown (raw HTML disabled)
    right: bool  # the key: never sent to the browser before the learner submits


@dataclass(frozen=True)
class Question:
    number: int  # 1-based position in the quiz
    html: str  # inline HTML of the `###` heading
    options: tuple[Option, ...]
    explanation_html: str  # shown only on the results page; may be ""
    line: int  # where the `###` heading is, for messages

    @property
    def multiple(self) -> bool:
        """Several right answers: checkboxes; one: radio buttons."""
        return sum(option.right for option in self.options) > 1

    @property
    def right_indexes(self) -> frozenset[int]:
        return frozenset(i for i, option in enumerate(self.options) if option.right)


@dataclass(frozen=True)
class Quiz:
    number: int  # 1-based position in the chapter
    title: str  # text after `::: quiz`, may be ""
    questions: tuple[Question, ...]
    line: int  # where `::: quiz` is written

    @property
    def key_version(self) -> str:
        """A short hash of the quiz's shape and key (options per question, right ones).

        Stored with every attempt: rewording keeps it, changing answers changes it.
        """
        shape = ";".join(
            f"{len(q.options)}:{','.join(str(i) for i in sorted(q.right_indexes))}"
            for q in self.questions)
        return hashlib.sha256(shape.encode()).hexdigest()[:16]
