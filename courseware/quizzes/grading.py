"""Score a submitted quiz against the key the server keeps.

Scoring rule, for single and multiple choice alike: a question counts as right
only when the learner chose exactly its set of right options. A partial answer
to a multiple-choice question (some right options, or the right ones plus a
wrong one) scores 0 for that question: ticking every box must never pay. An
unanswered question is wrong. The quiz's score is the percentage of its
questions answered right, rounded down; it passes when the score reaches the
course's pass mark (70 by default). Each quiz is passed on its own: a chapter
with two quizzes is complete once both have been passed, at any attempt.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .model import Quiz


class InvalidSubmission(ValueError):
    """The form names an option that does not exist (a forged or stale form)."""


@dataclass(frozen=True)
class QuestionResult:
    chosen: frozenset[int]  # 0-based option indexes the learner ticked
    right: bool


@dataclass(frozen=True)
class QuizResult:
    answers: tuple[frozenset[int], ...]  # per question, in order
    questions: tuple[QuestionResult, ...]
    score: int  # percent, 0-100
    passed: bool

    @property
    def right_count(self) -> int:
        return sum(question.right for question in self.questions)


def answers_from_form(quiz: Quiz, form: Mapping[str, Sequence[str]]) -> tuple[frozenset[int], ...]:
    """The options ticked for each question, from the form fields `q<number>`.

    Raises InvalidSubmission when a value is not an option of that question, or
    when a single-choice question gets several values.
    """
    answers = []
    for question in quiz.questions:
        values = form.get(f"q{question.number}", ())
        chosen: set[int] = set()
        for value in values:
            # ASCII digits only, and short: "²" or a 5,000-digit number must be a 400, not a 500.
            if not (value.isascii() and value.isdigit() and len(value) <= 3) \
                    or int(value) >= len(question.options):
                raise InvalidSubmission(f"question {question.number}: no option {value!r}")
            chosen.add(int(value))
        if len(chosen) > 1 and not question.multiple:
            raise InvalidSubmission(f"question {question.number}: one answer expected")
        answers.append(frozenset(chosen))
    return tuple(answers)


def grade(quiz: Quiz, answers: Sequence[frozenset[int]], pass_mark: int) -> QuizResult:
    """Score `answers` (one set of option indexes per question) against the quiz's key."""
    if len(answers) != len(quiz.questions):
        raise InvalidSubmission("one answer per question expected")
    results = tuple(QuestionResult(frozenset(chosen), frozenset(chosen) == question.right_indexes)
                    for question, chosen in zip(quiz.questions, answers, strict=True))
    right = sum(result.right for result in results)
    score = 100 * right // len(quiz.questions) if quiz.questions else 0
    return QuizResult(tuple(frozenset(a) for a in answers), results, score, score >= pass_mark)
