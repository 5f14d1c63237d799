"""Immutable course objects built once at start-up from the Markdown files."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..quizzes.model import DEFAULT_PASS_MARK, Quiz

# Words a reader gets through in a minute when no estimate is given.
WORDS_PER_MINUTE = 200
# Campaign courses promise "under six hours": the content check enforces it.
MAX_COURSE_MINUTES = 6 * 60


@dataclass(frozen=True)
class Problem:
    """A mistake in the content, reported as `path:line: message` (`path: message` when
    it concerns a whole file or folder: line 0)."""

    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        if self.line <= 0:
            return f"{self.path}: {self.message}"
        return f"{self.path}:{self.line}: {self.message}"


@dataclass(frozen=True)
class Heading:
    level: int
    anchor: str
    text: str


@dataclass(frozen=True)
class Chapter:
    slug: str
    title: str
    position: int  # 1-based, in course order
    minutes: int
    words: int
    html: str  # rendered once; links and images already rewritten
    toc: tuple[Heading, ...]
    source: Path
    # In the order written; `html` holds a QUIZ_SLOT marker where each one goes.
    quizzes: tuple[Quiz, ...] = ()


@dataclass(frozen=True)
class Organisation:
    name: str
    url: str | None = None
    linkedin_id: str | None = None


@dataclass(frozen=True)
class Presentation:
    """How a course shows itself (optional keys of course.yaml, see content/presentation.py)."""

    cover: str | None = None  # an image inside the course folder, e.g. "images/cover.svg"
    cover_size: tuple[int, int] | None = None
    accent: str | None = None  # "#rrggbb"
    audience: str = ""
    outcomes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Course:
    slug: str
    title: str
    language: str
    summary: str
    issuer: str
    organisation: Organisation | None
    chapters: tuple[Chapter, ...]
    folder: Path
    content_version: str  # SHA-256 of every file of the course
    # Percent of a quiz's questions to get right to pass it (`pass_mark:` in course.yaml).
    pass_mark: int = DEFAULT_PASS_MARK
    # Cover, accent colour, audience and outcomes (content/presentation.py).
    presentation: Presentation = field(default_factory=Presentation)
    _by_slug: dict[str, Chapter] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._by_slug.update({chapter.slug: chapter for chapter in self.chapters})

    @property
    def total_minutes(self) -> int:
        return sum(chapter.minutes for chapter in self.chapters)

    @property
    def has_quizzes(self) -> bool:
        """Completion is earned by passing quizzes: the certificate says "successfully"."""
        return any(chapter.quizzes for chapter in self.chapters)

    @property
    def chapter_slugs(self) -> tuple[str, ...]:
        return tuple(chapter.slug for chapter in self.chapters)

    def chapter(self, slug: str) -> Chapter | None:
        return self._by_slug.get(slug)

    def neighbours(self, chapter: Chapter) -> tuple[Chapter | None, Chapter | None]:
        index = chapter.position - 1
        previous = self.chapters[index - 1] if index > 0 else None
        following = self.chapters[index + 1] if index + 1 < len(self.chapters) else None
        return previous, following


@dataclass(frozen=True)
class Library:
    """Every course found in the content folder."""

    courses: tuple[Course, ...]

    def course(self, slug: str) -> Course | None:
        for course in self.courses:
            if course.slug == slug:
                return course
        return None
