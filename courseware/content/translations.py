"""Course translations: a `<course>/<lang>/` folder beside the original chapters.

The folder holds its own `course.yaml` (`language:`, the translated `title:`,
`summary:` and optional `issuer:`; everything else comes from the original) and
one Markdown file per chapter, named like the original file, with the same
`slug:` and a `translated_from:` naming the first 12 hex characters of the
SHA-256 of the original file the translation was made from.

Rules, so that progress, quiz results and the certificate can be shared across
languages (they are keyed by course slug, chapter slug and quiz number):
- a translated chapter has the quizzes of the original: as many, with as many
  questions and options, and the right answers at the same positions;
- a translation is published only when every chapter is translated (a page
  never mixes two languages); until then the check lists what is missing;
- a translation whose original has changed since (`translated_from` is not the
  original's hash any more) stays published and is reported as stale.

No Flask here: the loader calls these checks, the CLI and web layer read the result.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .model import Chapter, Course, Library, Problem
from .typography import typographic

TRANSLATED_FROM = "translated_from"
HASH_LENGTH = 12
UP_TO_DATE, STALE, MISSING = "up to date", "stale", "missing"
# The keys a translation's course.yaml may set; the rest belongs to the original.
TRANSLATABLE_COURSE_FIELDS = ("language", "title", "summary", "issuer", "audience", "outcomes")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})?$")
_HASH = re.compile(rf"^[0-9a-f]{{{HASH_LENGTH}}}$")


@dataclass(frozen=True)
class ChapterTranslation:
    """One chapter of the original and where its translation stands."""

    slug: str
    original: Path
    translation: Path | None  # None: not translated yet
    state: str  # UP_TO_DATE, STALE or MISSING
    current_hash: str  # of the original file as it is now
    recorded_hash: str | None = None  # the translation's `translated_from:`
    line: int = 1  # where `translated_from:` is written in the translation


@dataclass(frozen=True)
class TranslationStatus:
    language: str
    folder: Path
    chapters: tuple[ChapterTranslation, ...]

    @property
    def published(self) -> bool:
        """Learners can read it: every chapter is translated."""
        return all(chapter.state != MISSING for chapter in self.chapters)

    def in_state(self, state: str) -> list[ChapterTranslation]:
        return [chapter for chapter in self.chapters if chapter.state == state]


def source_hash(path: Path) -> str:
    """What `translated_from:` records: the start of the SHA-256 of the file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:HASH_LENGTH]


def translation_folders(course_folder: Path) -> list[Path]:
    """The sub-folders of a course that hold a translation (a `course.yaml` of their own)."""
    return sorted(p for p in course_folder.iterdir()
                  if p.is_dir() and not p.name.startswith(".") and (p / "course.yaml").is_file())


def check_translation_meta(meta: dict[str, Any], course_file: Path, original_language: str,
                           key_line: Any, problems: list[Problem]) -> str | None:
    """The language of a translation's course.yaml, or None (with problems) when it is unusable."""
    folder = course_file.parent.name
    language = str(meta.get("language") or "").strip()
    ok = True
    if not language:
        problems.append(Problem(course_file, 1, f"missing 'language': write 'language: {folder}'"))
        ok = False
    elif language != folder or not _LANGUAGE.match(language):
        problems.append(Problem(course_file, key_line(course_file, "language"), (
            f"'language: {language}' must be the name of its folder ('{folder}'), a language "
            "code such as 'en' or 'pt-br': rename the folder or fix the code")))
        ok = False
    elif language == original_language:
        problems.append(Problem(course_file, key_line(course_file, "language"), (
            f"'{language}' is the original language of the course: a translation folder is "
            "for another language")))
        ok = False
    if not str(meta.get("title") or "").strip():
        problems.append(Problem(course_file, 1, "missing 'title': write the translated title"))
        ok = False
    for key in meta:
        if key not in TRANSLATABLE_COURSE_FIELDS:
            problems.append(Problem(course_file, key_line(course_file, str(key)), (
                f"'{key}' comes from the original course.yaml and cannot be changed in a "
                f"translation: remove it here (allowed: {', '.join(TRANSLATABLE_COURSE_FIELDS)})")))
    return language if ok else None


def check_counterpart(path: Path, slug: str, slug_line: int, original: Chapter | None,
                      problems: list[Problem]) -> bool:
    """A translated file must match an original chapter, by slug and file name."""
    if original is None:
        problems.append(Problem(path, slug_line, (
            f"no chapter '{slug}' in the original course: a translation has the same chapters "
            "with the same 'slug:' as the original; fix the slug or remove this file")))
        return False
    if path.name != original.source.name:
        problems.append(Problem(path, slug_line, (
            f"chapter '{slug}' is {original.source.name} in the original: give the translation "
            "the same file name, so that links between chapters work in every language")))
        return False
    return True


def check_same_quizzes(original: Chapter, translated: Chapter, problems: list[Problem]) -> None:
    """Quizzes are graded and stored by position: a translation must keep every position."""
    path, where = translated.source, original.source.name
    if len(translated.quizzes) != len(original.quizzes):
        line = translated.quizzes[0].line if translated.quizzes else 1
        problems.append(Problem(path, line, (
            f"{len(translated.quizzes)} quiz(zes) here but {len(original.quizzes)} in {where}: "
            "translate every quiz of the original, in the same order")))
        return
    for quiz, source in zip(translated.quizzes, original.quizzes, strict=True):
        if len(quiz.questions) != len(source.questions):
            problems.append(Problem(path, quiz.line, (
                f"quiz {quiz.number} has {len(quiz.questions)} question(s) here but "
                f"{len(source.questions)} in {where} (line {source.line}): translate every "
                "question, in the same order")))
            continue
        for question, model in zip(quiz.questions, source.questions, strict=True):
            if len(question.options) != len(model.options) or \
                    question.right_indexes != model.right_indexes:
                problems.append(Problem(path, question.line, (
                    f"question {question.number} of quiz {quiz.number} does not match {where} "
                    f"(line {model.line}): {_shape(question)} here but {_shape(model)} "
                    "there; keep the options in the original order, with '- [x]' "
                    "on the same ones")))


def _shape(question: Any) -> str:
    rights = ", ".join(str(i + 1) for i in sorted(question.right_indexes)) or "none"
    return f"{len(question.options)} options, right: {rights}"


def translation_status(language: str, folder: Path, originals: tuple[Chapter, ...],
                       translated_meta: dict[str, tuple[Path, dict[str, Any]]],
                       problems: list[Problem]) -> TranslationStatus:
    """Each original chapter and its translation's state; a malformed `translated_from` is a problem."""
    chapters = []
    for original in originals:
        current = source_hash(original.source)
        found = translated_meta.get(original.slug)
        if found is None:
            chapters.append(ChapterTranslation(original.slug, original.source, None, MISSING, current))
            continue
        path, meta = found
        # The text as written: YAML would read an all-digit hash as a number (`0123…` as octal).
        line, recorded = _written_value(path, TRANSLATED_FROM) if TRANSLATED_FROM in meta else (1, None)
        if recorded is not None and not _HASH.match(recorded):
            problems.append(Problem(path, line, (
                f"'{TRANSLATED_FROM}' must be {HASH_LENGTH} lower-case hex characters (the start "
                f"of the SHA-256 of {original.source.name}): `courseware content translations` "
                "prints it")))
        state = UP_TO_DATE if recorded == current else STALE
        chapters.append(ChapterTranslation(original.slug, original.source, path, state, current,
                                           recorded, line))
    return TranslationStatus(language, folder, tuple(chapters))


def _written_value(path: Path, key: str) -> tuple[int, str]:
    """The line of `key:` in a file's front matter and its value as written (quotes removed)."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        name, _, value = line.partition(":")
        if name.strip() == key:
            return number, value.split(" #", 1)[0].strip().strip("'\"")
    return 1, ""


def translated_course(original: Course, meta: dict[str, Any], chapters: tuple[Chapter, ...],
                      draft_chapters: tuple[Chapter, ...] = ()) -> Course:
    """The original course with the translation's texts; slug, rules and files stay the original's.

    replace() keeps `versions`: every version shares the original's dict.
    """
    return dataclasses.replace(
        original,
        language=str(meta["language"]).strip(),
        title=typographic(str(meta["title"]).strip()),
        summary=typographic(str(meta.get("summary") or original.summary).strip()),
        issuer=str(meta.get("issuer") or original.issuer).strip(),
        # Cover and colour are the original's; the words on the home page are translated.
        presentation=dataclasses.replace(
            original.presentation,
            audience=typographic(str(meta.get("audience") or original.presentation.audience).strip()),
            outcomes=tuple(typographic(str(line).strip()) for line in meta["outcomes"])
            if meta.get("outcomes")
            else original.presentation.outcomes),
        chapters=chapters,
        draft_chapters=draft_chapters,
        _by_slug={},  # replace() would otherwise share the original's index
    )


def publish(original: Course, found: list[tuple[dict[str, Any], dict[str, Chapter]]]) -> None:
    """Fill the versions shared by the original and its complete translations."""
    original.versions[original.language] = original
    for meta, chapters in found:
        ordered = tuple(chapters[chapter.slug] for chapter in original.chapters)
        # Drafts translated so far, for instructors previewing in that language.
        drafts = tuple(chapters[chapter.slug] for chapter in original.draft_chapters
                       if chapter.slug in chapters)
        original.versions[str(meta["language"])] = translated_course(original, meta, ordered, drafts)


def translation_warnings(course: Course) -> list[Problem]:
    """Missing and stale chapters of each translation, saying what to do (not errors)."""
    warnings = []
    for status in course.translation_statuses:
        for chapter in status.in_state(MISSING):
            warnings.append(Problem(status.folder / chapter.original.name, 0, (
                f"missing: chapter '{chapter.slug}' is not translated into '{status.language}', "
                f"so that translation is not shown to learners yet: translate {chapter.original.name} "
                f"into this file with 'translated_from: {chapter.current_hash}'")))
        for chapter in status.in_state(STALE):
            recorded = chapter.recorded_hash or "(none)"
            warnings.append(Problem(chapter.translation or status.folder, chapter.line, (
                f"stale: {chapter.original.name} has changed since it was translated "
                f"(translated_from: {recorded}, now {chapter.current_hash}): bring the "
                f"translation up to date, then write 'translated_from: {chapter.current_hash}'")))
    return warnings


def library_warnings(library: Library) -> list[Problem]:
    """Every course's translation warnings, for the server's log at start-up and reload."""
    return [warning for course in library.courses for warning in translation_warnings(course)]
