"""Find `::: quiz` containers in a chapter body and turn them into Quiz objects.

Runs during content loading, before the chapter's Markdown is rendered. The
quiz's lines are blanked out of the body (so questions are not rendered as
headings and answers never end up in the chapter HTML); the `::: quiz` and
`:::` lines stay, and the Markdown renderer turns them into a slot marker
where the web layer puts the form. Line numbers are kept, so every problem,
here or in the rest of the chapter, points at the right line.

Format (the task-list convention of quizdown and mkdocs-quiz):

    ::: quiz Optional title
    ### A question?
    - [ ] a wrong answer
    - [x] a right answer
    > An optional explanation, shown after answering.
    :::
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from .model import Option, Question, Quiz

MAX_QUESTIONS = 50  # per quiz: a bound on what one form may post
MAX_OPTIONS = 12  # per question

_OPEN = re.compile(r"^ {0,3}(:{3,})\s*quiz(?:\s+(.*?))?\s*$")
_ANY_CONTAINER = re.compile(r"^ {0,3}:{3,}")
_CLOSE = re.compile(r"^ {0,3}(:{3,})\s*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:\s+(.*?))?(?:\s+#+)?\s*$")
_OPTION = re.compile(r"^ {0,3}[-*+]\s+\[([ xX])\](?:\s+(.*?))?\s*$")
_BULLET = re.compile(r"^ {0,3}[-*+]\s")
_EXPLANATION = re.compile(r"^ {0,3}>\s?(.*)$")

RenderText = Callable[[str], str]


@dataclass
class _QuestionDraft:
    text: str
    line: int
    options: list[tuple[str, bool, int]] = field(default_factory=list)  # text, right, line
    explanation: list[str] = field(default_factory=list)


@dataclass
class ExtractedQuizzes:
    body: str  # the chapter body with every quiz's content blanked out
    quizzes: tuple[Quiz, ...]
    problems: list[tuple[int, str]]  # (line in the file, message)


def extract_quizzes(body: str, line_offset: int, render_inline: RenderText,
                    render_block: RenderText) -> ExtractedQuizzes:
    """Parse every quiz of a chapter body; `line_offset` lines precede the body in its file."""
    lines = body.splitlines(keepends=True)
    problems: list[tuple[int, str]] = []
    quizzes: list[Quiz] = []
    fence: str | None = None
    index = 0
    while index < len(lines):
        text = lines[index].rstrip("\r\n")
        fence_match = _FENCE.match(text)
        if fence is not None:
            if fence_match and fence_match.group(1)[0] == fence[0] \
                    and len(fence_match.group(1)) >= len(fence) and not text.strip(" `~"):
                fence = None
            index += 1
            continue
        if fence_match:
            fence = fence_match.group(1)
            index += 1
            continue
        opened = _OPEN.match(text)
        if not opened:
            index += 1
            continue
        end = _closing_line(lines, index, opened.group(1))
        opener_line = line_offset + index + 1
        if end is None:
            problems.append((opener_line, "quiz is never closed: end it with a line ':::'"))
            break
        quiz = _parse_quiz(lines[index + 1:end], len(quizzes) + 1, (opened.group(2) or "").strip(),
                           opener_line, problems, render_inline, render_block)
        if quiz is not None:
            quizzes.append(quiz)
        for blank in range(index + 1, end):
            lines[blank] = "\n"
        index = end + 1
    return ExtractedQuizzes("".join(lines), tuple(quizzes), problems)


def _closing_line(lines: list[str], start: int, colons: str) -> int | None:
    """The index of the `:::` that closes the quiz opened at `start`."""
    for index in range(start + 1, len(lines)):
        closing = _CLOSE.match(lines[index].rstrip("\r\n"))
        if closing and len(closing.group(1)) >= len(colons):
            return index
    return None


def _parse_quiz(lines: list[str], number: int, title: str, opener_line: int,
                problems: list[tuple[int, str]], render_inline: RenderText,
                render_block: RenderText) -> Quiz | None:
    drafts: list[_QuestionDraft] = []
    before = len(problems)
    last: str | None = None  # "option" or "explanation": what a continuation line extends
    for offset, raw in enumerate(lines, start=1):
        line_number = opener_line + offset
        text = raw.rstrip("\r\n")
        if not text.strip():
            last = None if last == "explanation" else last
            continue
        heading = _HEADING.match(text)
        option = _OPTION.match(text)
        explanation = _EXPLANATION.match(text)
        current = drafts[-1] if drafts else None
        if heading:
            if len(heading.group(1)) != 3:
                problems.append((line_number, f"write each question as a '### ' heading "
                                              f"(found '{heading.group(1)}')"))
            elif not (heading.group(2) or "").strip():
                problems.append((line_number, "question is empty: write it after '### '"))
            else:
                drafts.append(_QuestionDraft(heading.group(2).strip(), line_number))
            last = None
        elif option:
            if current is None:
                problems.append((line_number, "option before any question: "
                                              "start each question with a '### ' heading"))
            elif not (option.group(2) or "").strip():
                problems.append((line_number, "empty option: write the answer after "
                                              "'- [ ]' (wrong) or '- [x]' (right)"))
            else:
                current.options.append((option.group(2).strip(), option.group(1) != " ",
                                        line_number))
            last = "option"
        elif explanation:
            if current is None:
                problems.append((line_number, "explanation before any question: "
                                              "put '>' lines after the question's options"))
            else:
                current.explanation.append(explanation.group(1))
            last = "explanation"
        elif last == "option" and raw[:1] in (" ", "\t") and current and current.options:
            option_text, right, option_line = current.options[-1]
            current.options[-1] = (f"{option_text} {text.strip()}", right, option_line)
        elif _ANY_CONTAINER.match(text):
            problems.append((line_number, "a container cannot be opened inside a quiz: "
                                          "close the quiz with ':::' first"))
        elif _BULLET.match(text):
            problems.append((line_number, "an option starts with '- [ ]' (wrong answer) "
                                          "or '- [x]' (right answer)"))
        else:
            problems.append((line_number, "unexpected text in a quiz: use '### ' for a question, "
                                          "'- [ ]' or '- [x]' for its options and '>' for "
                                          "its explanation"))
    if not drafts and len(problems) == before:
        problems.append((opener_line, "quiz has no question: write each question as a "
                                      "'### ' heading followed by its options"))
    if len(drafts) > MAX_QUESTIONS:
        problems.append((opener_line, f"quiz has {len(drafts)} questions; "
                                      f"split it (at most {MAX_QUESTIONS} per quiz)"))
    for draft in drafts:
        _check_question(draft, problems)
    if len(problems) > before:
        return None
    questions = tuple(
        Question(
            number=position,
            html=render_inline(draft.text),
            options=tuple(Option(render_inline(text), right) for text, right, _ in draft.options),
            explanation_html=render_block("\n".join(draft.explanation)) if draft.explanation else "",
            line=draft.line,
        )
        for position, draft in enumerate(drafts, start=1)
    )
    return Quiz(number=number, title=title, questions=questions, line=opener_line)


def _check_question(draft: _QuestionDraft, problems: list[tuple[int, str]]) -> None:
    name = f"question '{_short(draft.text)}'"
    if not draft.options:
        problems.append((draft.line, f"{name} has no options: list them below it as "
                                     "'- [x] right answer' and '- [ ] wrong answer'"))
        return
    if len(draft.options) == 1:
        problems.append((draft.line, f"{name} has only one option: give at least two"))
    if len(draft.options) > MAX_OPTIONS:
        problems.append((draft.line, f"{name} has {len(draft.options)} options "
                                     f"(at most {MAX_OPTIONS})"))
    if not any(right for _, right, _ in draft.options):
        problems.append((draft.line, f"{name} has no right answer: mark at least one "
                                     "option '- [x]'"))


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"
