"""`courseware content translations`: where each translation of each course stands."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from ..content import check_library
from ..content.translations import MISSING, STALE, UP_TO_DATE, ChapterTranslation
from .commands import content


@content.command("translations")
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.option("--stale", "only_stale", is_flag=True,
              help="List only the chapters that are stale or not translated yet.")
@click.option("--check", is_flag=True,
              help="Exit with status 1 when a chapter is stale or not translated (for CI).")
def content_translations(path: Path | None, only_stale: bool, check: bool) -> None:
    """List each translation's chapters: up to date, stale or missing.

    A chapter is stale when its original has changed since it was translated (its
    `translated_from:` is not the start of the original's SHA-256 any more).
    """
    folder = path or Path(os.environ.get("COURSEWARE_CONTENT_DIR") or "./content")
    courses, problems = check_library(folder)
    for problem in problems:
        click.echo(str(problem))
    if problems:
        click.echo(f"{len(problems)} problem(s) found: fix them first (`courseware content check`).",
                   err=True)
        sys.exit(1)
    behind = 0
    for course in courses:
        if not course.translation_statuses:
            click.echo(f"{course.slug} ({course.language}): no translation "
                       "(a translation is a folder such as en/ with its own course.yaml)")
        for status in course.translation_statuses:
            stale, missing = len(status.in_state(STALE)), len(status.in_state(MISSING))
            behind += stale + missing
            shown = "published" if status.published else "not published until every chapter is translated"
            click.echo(f"{course.slug} ({course.language} -> {status.language}), {shown}: "
                       f"{len(status.chapters)} chapters, {stale} stale, {missing} missing")
            for chapter in status.chapters:
                if not (only_stale and chapter.state == UP_TO_DATE):
                    click.echo(_chapter_line(chapter))
    if check and behind:
        click.echo(f"{behind} chapter(s) to translate or bring up to date.", err=True)
        sys.exit(1)


def _chapter_line(chapter: ChapterTranslation) -> str:
    if chapter.state == UP_TO_DATE:
        return f"  up to date  {chapter.slug}  {chapter.translation}"
    if chapter.state == MISSING:
        return (f"  missing     {chapter.slug}  {chapter.original}: translate it into a file of the "
                f"same name with 'translated_from: {chapter.current_hash}'")
    recorded = chapter.recorded_hash or "(none)"
    return (f"  stale       {chapter.slug}  {chapter.translation}:{chapter.line}: translated from "
            f"{recorded}, the original is now {chapter.current_hash}: update the translation "
            f"from {chapter.original}, then write 'translated_from: {chapter.current_hash}'")
