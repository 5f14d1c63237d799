"""Grading on the server: exact sets for each question, partial answers score 0, pass mark."""

from __future__ import annotations

import pytest

from courseware.quizzes.grading import InvalidSubmission, answers_from_form, grade
from courseware.quizzes.model import Option, Question, Quiz


def question(number: int, *rights: bool) -> Question:
    return Question(number, f"Q{number}", tuple(Option(f"o{i}", r) for i, r in enumerate(rights)),
                    "", number)


SINGLE = question(1, False, True, False)  # option 1 is right
MULTIPLE = question(2, True, False, True)  # options 0 and 2 are right
QUIZ = Quiz(1, "", (SINGLE, MULTIPLE, question(3, True, False)), 1)


def test_single_choice_right_and_wrong():
    result = grade(QUIZ, [{1}, {0, 2}, {0}], pass_mark=70)
    assert [q.right for q in result.questions] == [True, True, True]
    assert (result.score, result.passed) == (100, True)
    result = grade(QUIZ, [{0}, {0, 2}, {0}], pass_mark=70)
    assert [q.right for q in result.questions] == [False, True, True]


@pytest.mark.parametrize("chosen", [{0}, {2}, {0, 1, 2}, {0, 1}, set()],
                         ids=["one-of-two", "other-one-of-two", "everything", "one-right-one-wrong",
                              "nothing"])
def test_a_partial_multiple_choice_answer_scores_nothing(chosen):
    result = grade(QUIZ, [{1}, chosen, {0}], pass_mark=70)
    assert result.questions[1].right is False
    assert result.right_count == 2
    assert result.score == 66  # 2 of 3, rounded down


def test_the_pass_mark_decides_and_the_mark_itself_passes():
    two_of_three = [{1}, {0}, {0}]
    assert grade(QUIZ, two_of_three, pass_mark=70).passed is False
    assert grade(QUIZ, two_of_three, pass_mark=66).passed is True
    ten = Quiz(1, "", tuple(question(n, True, False) for n in range(1, 11)), 1)
    seven_right = [{0}] * 7 + [{1}] * 3
    assert grade(ten, seven_right, pass_mark=70).score == 70
    assert grade(ten, seven_right, pass_mark=70).passed is True
    assert grade(ten, [{0}] * 6 + [{1}] * 4, pass_mark=70).passed is False


def test_radio_or_checkboxes_follow_the_number_of_right_answers():
    assert SINGLE.multiple is False
    assert MULTIPLE.multiple is True


def test_answers_are_read_from_the_form_fields():
    form = {"q1": ["1"], "q2": ["0", "2"], "csrf_token": ["x"]}
    assert answers_from_form(QUIZ, form) == (frozenset({1}), frozenset({0, 2}), frozenset())


@pytest.mark.parametrize("form", [
    {"q1": ["3"]},  # no such option
    {"q1": ["-1"]},
    {"q1": ["one"]},
    {"q1": ["²"]},
    {"q1": ["9" * 5000]},
    {"q1": ["0", "1"]},  # two answers to a single-choice question
])
def test_forged_forms_are_refused(form):
    with pytest.raises(InvalidSubmission):
        answers_from_form(QUIZ, form)


def test_the_key_version_changes_with_the_answers_not_the_wording():
    reworded = Quiz(1, "", (question(1, False, True, False), MULTIPLE, question(3, True, False)), 9)
    assert reworded.key_version == QUIZ.key_version
    other_key = Quiz(1, "", (question(1, True, False, False), MULTIPLE, question(3, True, False)), 1)
    assert other_key.key_version != QUIZ.key_version
