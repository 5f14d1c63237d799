"""Drafts in the model, links between chapters by slug, and what `content check` prints."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from courseware.cli import main
from courseware.content import load_course
from tests.helpers import COURSE_YAML, write_course

CHAPTERS = {
    "01-welcome.md": ("Bienvenue", "## Premiers pas\n\nVoir [les données](chapter:data#donnees), "
                      "[la fin](../next/) et [ici](#premiers-pas).\n"),
    "02-data.md": ("Les données", "## Données\n\nTexte.\n"),
    "03-next.md": ("Et ensuite", "## Ensuite\n\nRetour au [début](01-welcome.md#premiers-pas).\n"),
}
# A chapter nobody links to yet, between two others: the draft of the tests below.
DRAFTED = {**CHAPTERS, "025-aside.md": ("Un aparté", "## Aparté\n\nVoir [la suite](chapter:next).\n")}


def with_draft(folder: Path, name: str) -> None:
    path = folder / name
    path.write_text(path.read_text(encoding="utf-8").replace("---\n", "---\ndraft: true\n", 1),
                    encoding="utf-8")


def test_links_by_slug_become_chapter_pages_and_survive_renaming_the_file(tmp_path: Path):
    folder = write_course(tmp_path / "basics", chapters=CHAPTERS)
    course, problems = load_course(folder)
    assert problems == [] and course is not None
    html = course.chapter("welcome").html
    assert 'href="../data/#donnees"' in html and 'href="../next/"' in html
    (folder / "02-data.md").rename(folder / "07-renamed-data.md")
    (folder / "07-renamed-data.md").write_text(
        "---\ntitle: Les données\nslug: data\n---\n## Données\n\nTexte.\n", encoding="utf-8")
    course, problems = load_course(folder)
    assert problems == [] and 'href="../data/#donnees"' in course.chapter("welcome").html


def test_a_draft_chapter_is_outside_the_published_chapters(tmp_path: Path):
    folder = write_course(tmp_path / "basics", chapters=DRAFTED)
    with_draft(folder, "025-aside.md")
    course, problems = load_course(folder)
    assert problems == [] and course is not None
    assert course.chapter_slugs == ("welcome", "data", "next")
    assert [c.position for c in course.chapters] == [1, 2, 3]
    assert course.chapter("aside") is None and course.draft_chapter("aside").draft
    assert course.is_published
    preview = course.preview()
    assert [(c.position, c.slug, c.draft) for c in preview.chapters] == [
        (1, "welcome", False), (2, "data", False), (3, "aside", True), (4, "next", False)]
    assert course.chapter("aside") is None  # the preview left the course as it was


def test_draft_in_course_yaml_makes_every_chapter_a_draft(tmp_path: Path):
    folder = write_course(tmp_path / "basics", COURSE_YAML + "draft: true\n", chapters=CHAPTERS)
    course, problems = load_course(folder)
    assert problems == [] and course is not None
    assert course.chapters == () and not course.is_published
    assert [c.slug for c in course.preview().chapters] == ["welcome", "data", "next"]


def test_content_check_prints_the_final_order_and_the_drafts(tmp_path: Path):
    folder = write_course(tmp_path / "content" / "basics", chapters=DRAFTED)
    with_draft(folder, "025-aside.md")
    result = CliRunner().invoke(main, ["content", "check", str(tmp_path / "content")])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "ok  basics: 3 chapters, 3 min",
        "    1. welcome  01-welcome.md",
        "    2. data  02-data.md",
        "    3. aside  025-aside.md  (draft: only instructors and admins see it)",
        "    4. next  03-next.md",
    ]


def test_a_whole_draft_course_may_link_between_its_chapters(tmp_path: Path):
    folder = write_course(tmp_path / "basics", COURSE_YAML + "draft: true\n", chapters=CHAPTERS)
    with_draft(folder, "02-data.md")
    assert load_course(folder)[1] == []
