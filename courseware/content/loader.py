"""Load and validate course folders: `course.yaml` plus one Markdown file per chapter."""

from __future__ import annotations

import hashlib
import math
import os
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any

import yaml

from ..quizzes.model import DEFAULT_PASS_MARK
from ..quizzes.parsing import extract_quizzes
from .checks import OrderedSource, check_order, check_references
from .markdown import (
    Reference,
    RenderContext,
    render_block_text,
    render_chapter,
    render_inline_text,
)
from .model import (
    MAX_COURSE_MINUTES,
    WORDS_PER_MINUTE,
    Chapter,
    Course,
    Library,
    Organisation,
    Problem,
)
from .presentation import read_presentation
from .slugs import is_valid_slug, slug_from_filename
from .translations import (
    TranslationStatus,
    check_counterpart,
    check_same_quizzes,
    check_translation_meta,
    publish,
    translation_folders,
    translation_status,
)
from .typography import typographic

COURSE_FILE = "course.yaml"
REQUIRED_COURSE_FIELDS = ("slug", "title", "language", "issuer")


class ContentError(Exception):
    """Raised when content is broken; carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))


@dataclass(frozen=True)
class _ChapterSource:
    path: Path
    meta: dict[str, Any]
    body: str
    body_line: int  # line number (1-based) where the body starts
    slug: str
    slug_line: int  # where `slug:` is written, or 1 when it comes from the file name
    order: float


def load_library(content_dir: Path) -> Library:
    """Every course under `content_dir`; raises ContentError listing all problems."""
    courses, problems = check_library(content_dir)
    if problems:
        raise ContentError(problems)
    return Library(courses=tuple(courses))


def check_library(content_dir: Path) -> tuple[list[Course], list[Problem]]:
    """Load what can be loaded and collect every problem (for `content check`)."""
    problems: list[Problem] = []
    courses: list[Course] = []
    if not content_dir.is_dir():
        return [], [Problem(content_dir, 0, "content folder does not exist")]
    if (content_dir / COURSE_FILE).is_file():
        folders = [content_dir]  # PATH may name a single course
    else:
        folders = sorted(p for p in content_dir.iterdir() if (p / COURSE_FILE).is_file())
    if not folders:
        problems.append(Problem(content_dir, 0, f"no course found (no */{COURSE_FILE})"))
    seen: dict[str, Path] = {}
    for folder in folders:
        course, course_problems = load_course(folder)
        problems.extend(course_problems)
        if course is None:
            continue
        if course.slug in seen:
            problems.append(Problem(folder / COURSE_FILE, 1,
                                    f"course slug '{course.slug}' is also used by {seen[course.slug]}"))
            continue
        seen[course.slug] = folder
        courses.append(course)
    courses.sort(key=lambda c: c.title.casefold())
    return courses, problems


def load_course(folder: Path) -> tuple[Course | None, list[Problem]]:
    """One course folder; returns None as the course when it has errors."""
    problems: list[Problem] = []
    course_file = folder / COURSE_FILE
    try:
        text = course_file.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        return None, [Problem(course_file, 1, f"not UTF-8 text ({exc.reason})")]
    meta = _read_yaml(course_file, text, 0, problems)
    if meta is None:
        return None, problems
    for name in REQUIRED_COURSE_FIELDS:
        if not str(meta.get(name) or "").strip():
            problems.append(Problem(course_file, _key_line(course_file, name), f"missing '{name}'"))
    slug = str(meta.get("slug") or "")
    if slug and not is_valid_slug(slug):
        problems.append(Problem(course_file, _key_line(course_file, "slug"),
                                f"slug '{slug}' must be lower-case letters, digits and hyphens"))
    organisation = _organisation(meta.get("organisation"), course_file, problems)
    presentation = read_presentation(meta, folder, course_file, problems, _key_line)
    _check_links(folder, problems)
    pass_mark = meta.get("pass_mark", DEFAULT_PASS_MARK)
    if not isinstance(pass_mark, int) or isinstance(pass_mark, bool) or not 1 <= pass_mark <= 100:
        problems.append(Problem(course_file, _key_line(course_file, "pass_mark"),
                                "'pass_mark' must be a whole number from 1 to 100 "
                                "(the percent of a quiz's questions to get right)"))

    course_draft = _draft_flag(meta, course_file, _key_line(course_file, "draft"), problems)

    sources = [_read_chapter(path, problems) for path in sorted(folder.glob("*.md"))]
    chapters_src = sorted((s for s in sources if s is not None), key=lambda s: (s.order, s.path.name))
    if not chapters_src and not any(p.path.suffix == ".md" for p in problems):
        problems.append(Problem(course_file, 1, "course has no chapters (*.md files)"))
    _check_duplicate_slugs(chapters_src, problems)
    problems.extend(check_order([OrderedSource(s.path, s.slug, s.meta.get("order") is not None)
                                 for s in chapters_src], course_file))

    slugs_by_file = {s.path.relative_to(folder).as_posix(): s.slug for s in chapters_src}
    language = str(meta.get("language") or "fr")
    chapters: list[Chapter] = []
    references: dict[str, list[Reference]] = {}
    for position, source in enumerate(chapters_src, start=1):
        chapter = _render(source, position, folder, slugs_by_file, language, problems, references)
        if chapter is not None:
            chapters.append(chapter)
    problems.extend(check_references(chapters, references, course_draft=bool(course_draft)))

    total = sum(c.minutes for c in chapters)
    if total > MAX_COURSE_MINUTES:
        problems.append(Problem(course_file, 1, f"course takes {total} minutes, "
                                f"more than the {MAX_COURSE_MINUTES} allowed (6 hours)"))
    published, drafts = split_drafts(chapters, course_draft=bool(course_draft))
    translations, statuses = _load_translations(folder, language, published, drafts, problems)
    if problems:
        return None, problems
    course = Course(
        slug=slug,
        title=typographic(str(meta["title"]).strip()),
        language=language,
        summary=typographic(str(meta.get("summary") or "").strip()),
        issuer=str(meta["issuer"]).strip(),
        organisation=organisation,
        chapters=published,
        folder=folder.resolve(),
        content_version=content_version(folder),
        pass_mark=pass_mark,
        translation_statuses=statuses,
        draft_chapters=drafts,
        draft=bool(course_draft),
        presentation=presentation,
    )
    publish(course, translations)
    return course, problems


def _check_links(folder: Path, problems: list[Problem]) -> None:
    """Report every symbolic link that leads out of the course folder (or nowhere, in a loop).

    The asset route serves files by path: a link in ``images/`` to the instance's
    secret key would otherwise be published. Links inside the folder are fine.
    """
    root = folder.resolve()
    for directory, subdirectories, files in os.walk(folder):  # does not follow links
        for name in sorted(subdirectories + files):
            path = Path(directory) / name
            if not path.is_symlink():
                continue
            target = os.readlink(path)
            try:
                inside = path.resolve(strict=False).is_relative_to(root)
            except (OSError, RuntimeError):  # a loop of links
                inside = False
            if not inside:
                problems.append(Problem(path, 0, (
                    f"symbolic link to '{target}' leads outside the course folder: replace it with "
                    "a copy of the file (links out of a course are never served)")))


def content_version(folder: Path) -> str:
    """SHA-256 over every file's path and bytes: changes whenever the course does."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def _read_yaml(path: Path, text: str, line_offset: int, problems: list[Problem]) -> dict | None:
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = line_offset + (mark.line + 1 if mark else 1)
        reason = getattr(exc, "problem", None) or "not valid YAML"
        problems.append(Problem(path, line, f"invalid YAML: {reason}"))
        return None
    if not isinstance(data, dict):
        problems.append(Problem(path, line_offset + 1, "expected 'key: value' pairs"))
        return None
    return data


def _key_line(path: Path, key: str) -> int:
    """Line of `key:` in a YAML file, or 1 when absent (for precise messages)."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.split(":", 1)[0].strip() == key:
            return number
    return 1


def _organisation(raw: Any, path: Path, problems: list[Problem]) -> Organisation | None:
    if raw is None:
        return None
    if not isinstance(raw, dict) or not str(raw.get("name") or "").strip():
        problems.append(Problem(path, _key_line(path, "organisation"),
                                "organisation needs at least a 'name'"))
        return None
    linkedin = raw.get("linkedin_id")
    return Organisation(name=str(raw["name"]).strip(), url=raw.get("url") or None,
                        linkedin_id=str(linkedin) if linkedin else None)


def _read_chapter(path: Path, problems: list[Problem]) -> _ChapterSource | None:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        problems.append(Problem(path, 1, f"not UTF-8 text ({exc.reason})"))
        return None
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        problems.append(Problem(path, 1, "missing front matter: start with '---', a 'title:' line, '---'"))
        return None
    end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
    if end is None:
        problems.append(Problem(path, 1, "front matter is not closed by a '---' line"))
        return None
    meta = _read_yaml(path, "".join(lines[1:end]), 1, problems)
    if meta is None:
        return None
    ok = True
    if not str(meta.get("title") or "").strip():
        problems.append(Problem(path, 1, "missing 'title' in front matter"))
        ok = False
    slug = str(meta.get("slug") or slug_from_filename(path.stem))
    if not is_valid_slug(slug):
        problems.append(Problem(path, _front_matter_line(lines, end, "slug"),
                                f"slug '{slug}' must be lower-case letters, digits and hyphens"))
        ok = False
    for key in ("minutes", "order"):
        value = meta.get(key)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 1):
            problems.append(Problem(path, _front_matter_line(lines, end, key),
                                    f"'{key}' must be a whole number of at least 1"))
            ok = False
    if _draft_flag(meta, path, _front_matter_line(lines, end, "draft"), problems) is None:
        ok = False
    body = "".join(lines[end + 1:])
    if not body.strip():
        problems.append(Problem(path, end + 2, "chapter is empty"))
        ok = False
    if not ok:
        return None
    order = float(meta["order"]) if meta.get("order") is not None else float("inf")
    slug_line = _front_matter_line(lines, end, "slug") if meta.get("slug") else 1
    return _ChapterSource(path, meta, body, end + 2, slug, slug_line, order)


def _front_matter_line(lines: list[str], end: int, key: str) -> int:
    for index in range(1, end):
        if lines[index].split(":", 1)[0].strip() == key:
            return index + 1
    return 1


def _check_duplicate_slugs(sources: list[_ChapterSource], problems: list[Problem]) -> None:
    first: dict[str, Path] = {}
    for source in sources:
        if source.slug in first:
            other = first[source.slug].name
            problems.append(Problem(source.path, source.slug_line,
                                    f"duplicate chapter slug '{source.slug}' (also {other})"))
        else:
            first[source.slug] = source.path


def _render(source: _ChapterSource, position: int, folder: Path, slugs_by_file: dict[str, str],
            language: str, problems: list[Problem], references: dict[str, list[Reference]],
            fallback_dir: Path | None = None) -> Chapter | None:
    context = RenderContext(
        source=source.path,
        course_folder=folder,
        chapter_slugs_by_file=slugs_by_file,
        line_offset=source.body_line - 1,
        language=language,
        fallback_dir=fallback_dir,
    )
    extracted = extract_quizzes(source.body, source.body_line - 1,
                                partial(render_inline_text, language=language),
                                partial(render_block_text, language=language))
    context.problems.extend(extracted.problems)
    html, toc, words = render_chapter(extracted.body, context)
    context.problems.sort(key=lambda problem: problem[0])
    problems.extend(Problem(source.path, line, message) for line, message in context.problems)
    references[source.slug] = context.links  # for checks.check_references, once all are rendered
    if context.problems:
        return None
    minutes = source.meta.get("minutes") or max(1, math.ceil(words / WORDS_PER_MINUTE))
    return Chapter(
        slug=source.slug,
        title=typographic(str(source.meta["title"]).strip()),
        position=position,
        minutes=int(minutes),
        words=words,
        html=html,
        toc=toc,
        source=source.path,
        quizzes=extracted.quizzes,
        draft=source.meta.get("draft") is True,
    )


def _load_translations(folder: Path, language: str, originals: tuple[Chapter, ...],
                       drafts: tuple[Chapter, ...], problems: list[Problem]
                       ) -> tuple[list[tuple[dict, dict[str, Chapter]]], tuple[TranslationStatus, ...]]:
    """Each `<lang>/` folder (content/translations.py), read and rendered as the original is.

    Returns the complete translations (course.yaml, chapters by slug) and every
    translation's status; what is wrong in them goes to `problems`. Drafts may be
    translated already, but a translation is complete without them.
    """
    by_slug = {chapter.slug: chapter for chapter in (*originals, *drafts)}
    complete: list[tuple[dict, dict[str, Chapter]]] = []
    statuses = []
    for translation in translation_folders(folder):
        course_file = translation / COURSE_FILE
        try:
            meta = _read_yaml(course_file, course_file.read_text(encoding="utf-8"), 0, problems)
        except UnicodeDecodeError as exc:
            problems.append(Problem(course_file, 1, f"not UTF-8 text ({exc.reason})"))
            continue
        code = check_translation_meta(meta, course_file, language, _key_line, problems) \
            if meta is not None else None
        if meta is not None:  # the same rules for a translated audience and outcomes
            read_presentation({key: meta[key] for key in ("audience", "outcomes") if key in meta},
                              translation, course_file, problems, _key_line)
        read = [_read_chapter(path, problems) for path in sorted(translation.glob("*.md"))]
        sources = [s for s in read if s is not None and
                   check_counterpart(s.path, s.slug, s.slug_line, by_slug.get(s.slug), problems)]
        # Links resolve to the translated file when there is one, else to the original's.
        slugs_by_file = {c.source.relative_to(folder).as_posix(): c.slug for c in by_slug.values()}
        slugs_by_file.update({s.path.relative_to(folder).as_posix(): s.slug for s in sources})
        chapters: dict[str, Chapter] = {}
        references: dict[str, list[Reference]] = {}
        for source in sources:
            original = by_slug[source.slug]
            chapter = _render(source, original.position, folder, slugs_by_file, code or language,
                              problems, references, fallback_dir=original.source.parent)
            if chapter is not None:
                check_same_quizzes(original, chapter, problems)
                # Draft or not is the original's decision, whatever the translation says.
                chapters[chapter.slug] = replace(chapter, draft=original.draft)
        problems.extend(check_references(tuple(chapters.values()), references))
        if code is None:
            continue
        status = translation_status(code, translation, originals,
                                    {s.slug: (s.path, s.meta) for s in sources}, problems)
        statuses.append(status)
        if status.published:
            complete.append((meta, chapters))
    return complete, tuple(statuses)


def split_drafts(chapters: list[Chapter], *, course_draft: bool) -> tuple[tuple[Chapter, ...],
                                                                          tuple[Chapter, ...]]:
    """(published, drafts): published chapters numbered 1..n among themselves, so
    "chapter 3 of 7" and previous/next never count a chapter learners cannot open;
    drafts keep their place in the full order (Course.preview puts them back there)."""
    published = [c for c in chapters if not (c.draft or course_draft)]
    drafts = [replace(c, draft=True) for c in chapters if c.draft or course_draft]
    return (tuple(replace(c, position=n) for n, c in enumerate(published, start=1)),
            tuple(drafts))


def _draft_flag(meta: dict[str, Any], path: Path, line: int, problems: list[Problem]) -> bool | None:
    """`draft:` is true or false; anything else is reported (None)."""
    value = meta.get("draft", False)
    if not isinstance(value, bool):
        problems.append(Problem(path, line, "'draft' must be true or false "
                                "(true: only instructors and admins see it)"))
        return None
    return value
