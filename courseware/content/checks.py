"""Checks that need the whole course rendered: anchors across chapters, plain http
links, a half-set `order:`; and the summary `courseware content check` prints.

Each problem says what to do, not only what is wrong. The loader runs these after
rendering every chapter, so the server (and `serve --dev`'s error page) reports
them exactly as the check command does.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..durations import DurationFormats, format_duration
from .markdown import Reference
from .model import Chapter, Course, Problem

# The CLI speaks English, written as the pages write it: "45 min", "6 h", "3 h 25 min".
CLI_DURATIONS = DurationFormats(hours_and_minutes="{hours} h {minutes:02d} min",
                                hours_only="{hours} h", minutes_only="{minutes} min")

_ID = re.compile(r'\bid="([^"]+)"')
# Anchors listed in a message: enough to spot a typo, short enough to read.
_MAX_LISTED = 8


@dataclass(frozen=True)
class OrderedSource:
    """A chapter file in the order the loader sorted it, with or without `order:`."""

    path: Path
    slug: str
    has_order: bool


def anchors_of(chapter: Chapter) -> frozenset[str]:
    """Every `#anchor` a link can land on: headings, footnotes, and each quiz's form
    (`quiz-N`, added when the page is served)."""
    quiz_anchors = {f"quiz-{quiz.number}" for quiz in chapter.quizzes}
    return frozenset(_ID.findall(chapter.html)) | quiz_anchors


def check_references(chapters: Sequence[Chapter], references: dict[str, list[Reference]],
                     course_draft: bool = False) -> list[Problem]:
    """Links to a missing `#anchor` (in this chapter or another), plain `http://` links,
    and published chapters linking to a draft (a 404 for learners)."""
    by_slug = {chapter.slug: chapter for chapter in chapters}
    problems: list[Problem] = []
    for chapter in chapters:
        for reference in references.get(chapter.slug, ()):
            message = (_plain_http(reference) or
                       (None if course_draft else _link_to_draft(reference, chapter, by_slug)) or
                       _missing_anchor(reference, chapter, by_slug))
            if message:
                problems.append(Problem(chapter.source, reference.line, message))
    return problems


def _plain_http(reference: Reference) -> str | None:
    if not reference.target.lower().startswith("http://"):
        return None
    return (f"plain http:// link '{reference.target}': write https:// instead (an http page can "
            "be altered on its way to the learner, and browsers mark it unsafe); if that site has "
            "no https version, link to another source")


def _link_to_draft(reference: Reference, chapter: Chapter,
                   by_slug: dict[str, Chapter]) -> str | None:
    target = by_slug.get(reference.chapter or "")
    if chapter.draft or target is None or not target.draft:
        return None
    return (f"link '{reference.target}' leads to chapter '{target.slug}', a draft: learners would "
            "get \"page not found\"; remove the link until that chapter is published, or publish "
            "it (remove 'draft: true')")


def _missing_anchor(reference: Reference, chapter: Chapter,
                    by_slug: dict[str, Chapter]) -> str | None:
    if reference.chapter is None or not reference.fragment:
        return None
    target = by_slug.get(reference.chapter) if reference.chapter else chapter
    if target is None or reference.fragment in anchors_of(target):
        return None  # an unknown chapter is reported while rendering
    headings = ", ".join(heading.anchor for heading in target.toc[:_MAX_LISTED]) or "none"
    where = "this chapter" if target is chapter else f"chapter '{target.slug}'"
    return (f"link '{reference.target}': {where} has no anchor '#{reference.fragment}'; "
            f"use one of its headings' anchors ({headings}) or rename the heading")


def check_order(sources: Sequence[OrderedSource], course_file: Path) -> list[Problem]:
    """`order:` on some chapters but not all: one problem that gives the order it makes."""
    with_order = [source for source in sources if source.has_order]
    if not with_order or len(with_order) == len(sources):
        return []
    without = [source.path.name for source in sources if not source.has_order]
    final = ", ".join(f"{n}. {source.path.name}" for n, source in enumerate(sources, start=1))
    return [Problem(course_file, 0, (
        f"'order:' is set on {len(with_order)} of {len(sources)} chapters (not on "
        f"{', '.join(without)}): set it on every chapter or on none (then file names give the "
        f"order). As written, chapters with 'order:' come first by number, the others after "
        f"them by file name: {final}"))]


def course_summary(course: Course) -> list[str]:
    """What `content check` prints for a good course: size, quizzes, languages, order, drafts."""
    quizzes = [quiz for chapter in course.chapters for quiz in chapter.quizzes]
    graded = (f", {len(quizzes)} quizzes ({sum(len(q.questions) for q in quizzes)} questions), "
              f"pass mark {course.pass_mark} %") if quizzes else ""
    lines = [f"ok  {course.slug}: {len(course.chapters)} chapters, "
             f"{format_duration(course.total_minutes, CLI_DURATIONS)}"
             f"{graded}"]
    if len(course.languages) > 1:
        lines.append(f"    languages: {', '.join(course.languages)}")
    if course.draft:
        lines.append("    draft course (draft: true in course.yaml): only instructors and admins "
                     "see it, learners get a 404")
    for chapter in course.preview().chapters:
        draft = "  (draft: only instructors and admins see it)" if chapter.draft else ""
        lines.append(f"    {chapter.position}. {chapter.slug}  {chapter.source.name}{draft}")
    return lines
