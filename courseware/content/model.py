"""Immutable course objects built once at start-up from the Markdown files."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
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
    # `draft: true` (front matter or course.yaml): only instructors and admins see it.
    draft: bool = False


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
    # Every published version of the course by language, the original first: one dict
    # shared by all of them (content/translations.py fills it at load time).
    versions: dict[str, Course] = field(default_factory=dict, compare=False, repr=False)
    # What each translation folder holds, chapter by chapter (TranslationStatus objects).
    translation_statuses: tuple = field(default=(), compare=False, repr=False)
    # Chapters marked `draft: true`, in course order, outside `chapters`: they count for
    # no completion, figure or certificate. `draft: true` in course.yaml puts them all here.
    draft_chapters: tuple[Chapter, ...] = ()
    draft: bool = False
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

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages this course can be read in, its original language first."""
        return tuple(self.versions) or (self.language,)

    @property
    def original(self) -> Course:
        """The version in the course's own language (`versions` holds it first)."""
        return next(iter(self.versions.values()), self)

    def in_language(self, language: str | None) -> Course:
        """The version in `language`; this one when the course has no such translation."""
        return self.versions.get(language or "", self)

    def chapter(self, slug: str) -> Chapter | None:
        return self._by_slug.get(slug)

    def draft_chapter(self, slug: str) -> Chapter | None:
        """A chapter in preview (instructors and admins only)."""
        return next((chapter for chapter in self.draft_chapters if chapter.slug == slug), None)

    def preview(self) -> Course:
        """The course as instructors see it: drafts in their place (still marked draft),
        every chapter numbered in the full order. For reading pages only: completion,
        figures and certificates always use the published `chapters`."""
        if not self.draft_chapters:
            return self
        published = iter(self.chapters)
        drafts = {chapter.position: chapter for chapter in self.draft_chapters}
        every = [drafts.get(n) or next(published)
                 for n in range(1, len(self.chapters) + len(self.draft_chapters) + 1)]
        chapters = tuple(replace(chapter, position=n) for n, chapter in enumerate(every, start=1))
        return replace(self, chapters=chapters, draft_chapters=(), _by_slug={})

    @property
    def is_published(self) -> bool:
        """Learners can see it: not a draft course and at least one published chapter."""
        return not self.draft and bool(self.chapters)

    def neighbours(self, chapter: Chapter) -> tuple[Chapter | None, Chapter | None]:
        index = chapter.position - 1
        previous = self.chapters[index - 1] if index > 0 else None
        following = self.chapters[index + 1] if index + 1 < len(self.chapters) else None
        return previous, following


@dataclass(frozen=True)
class Library:
    """Every course found in the content folder."""

    courses: tuple[Course, ...]

    def course(self, slug: str, language: str | None = None) -> Course | None:
        """The course in its original language, or in `language` when it is translated."""
        for course in self.courses:
            if course.slug == slug:
                return course.in_language(language)
        return None
