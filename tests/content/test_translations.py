"""Course translations: `<course>/<lang>/` folders, what they share with the original,
and every mistake in them reported with file, line and what to do."""

from __future__ import annotations

from pathlib import Path

import pytest

from courseware.content import check_library, load_library
from courseware.content.translations import MISSING, STALE, UP_TO_DATE, translation_warnings
from tests.translated_course import (
    CHAPTERS_EN,
    COURSE_EN,
    QUIZ_EN,
    write_translated_course,
    write_translation,
)


@pytest.fixture
def content(tmp_path: Path) -> Path:
    return tmp_path / "content"


@pytest.fixture
def course(content: Path) -> Path:
    return write_translated_course(content)


def problems_of(content: Path) -> list[tuple[str, int, str]]:
    _courses, problems = check_library(content)
    return [(p.path.relative_to(content).as_posix(), p.line, p.message) for p in problems]


def test_a_translation_is_the_same_course_in_another_language(content, course):
    library = load_library(content)
    french = library.course("basics")
    english = library.course("basics", "en")
    assert french.languages == english.languages == ("fr", "en")
    assert (french.title, french.language) == ("Les bases", "fr")
    assert (english.title, english.language, english.summary) == ("The basics", "en",
                                                                  "A small test course.")
    # Everything that is not text comes from the original.
    assert (english.slug, english.pass_mark, english.issuer, english.content_version, english.folder) \
        == (french.slug, french.pass_mark, french.issuer, french.content_version, french.folder)
    assert english.chapter_slugs == french.chapter_slugs == ("welcome", "quiz", "next")
    assert [c.title for c in english.chapters] == ["Welcome", "The quiz", "What next"]
    assert english.chapter("welcome").title == "Welcome"
    assert french.chapter("welcome").title == "Bienvenue"  # the original keeps its own index
    assert english.chapter("quiz").quizzes[0].key_version == french.chapter("quiz").quizzes[0].key_version
    # Existing calls keep the original; an unknown language gives the original too.
    assert library.course("basics", "de") is french
    assert french.in_language("en") is english and english.in_language("fr") is french


def test_links_and_images_in_a_translation(content, course):
    english = load_library(content).course("basics", "en")
    html = english.chapter("welcome").html
    assert 'href="../quiz/"' in html  # same file names: links between chapters keep working
    assert 'src="../assets/images/diagram.svg"' in html  # no en/images/: the original's image
    (course / "en" / "images").mkdir()
    (course / "en" / "images" / "diagram.svg").write_text("<svg/>", encoding="utf-8")
    english = load_library(content).course("basics", "en")
    assert 'src="../assets/en/images/diagram.svg"' in english.chapter("welcome").html


def test_a_course_without_translation_is_unchanged(content):
    from tests.helpers import write_course

    write_course(content / "basics")
    course = load_library(content).course("basics")
    assert course.languages == ("fr",) and course.translation_statuses == ()
    assert course.in_language("en") is course


def test_up_to_date_stale_and_missing(content, course):
    status = load_library(content).course("basics").translation_statuses[0]
    assert [c.state for c in status.chapters] == [UP_TO_DATE] * 3 and status.published
    (course / "03-next.md").write_text("---\ntitle: Et ensuite\n---\nFin, revue.\n", encoding="utf-8")
    library = load_library(content)
    status = library.course("basics").translation_statuses[0]
    assert [c.state for c in status.chapters] == [UP_TO_DATE, UP_TO_DATE, STALE]
    assert library.course("basics", "en").title == "The basics"  # stale: still published
    [warning] = translation_warnings(library.course("basics"))
    assert (warning.path, warning.line) == (course / "en" / "03-next.md", 3)
    assert warning.message.startswith("stale: 03-next.md has changed since it was translated")
    assert f"then write 'translated_from: {status.chapters[2].current_hash}'" in warning.message


def test_a_translation_with_a_missing_chapter_is_not_published(content, course):
    (course / "en" / "03-next.md").unlink()
    library = load_library(content)  # not an error: the original is served
    french = library.course("basics")
    assert french.languages == ("fr",) and library.course("basics", "en") is french
    status = french.translation_statuses[0]
    assert not status.published and [c.slug for c in status.in_state(MISSING)] == ["next"]
    [warning] = translation_warnings(french)
    assert warning.path == course / "en" / "03-next.md"
    assert "is not translated into 'en', so that translation is not shown to learners yet" \
        in warning.message


def test_a_translation_without_translated_from_is_stale(content, course):
    (course / "en" / "01-welcome.md").write_text("---\ntitle: Welcome\n---\nHello.\n",
                                                 encoding="utf-8")
    status = load_library(content).course("basics").translation_statuses[0]
    assert status.chapters[0].state == STALE and status.chapters[0].recorded_hash is None


# Each mistake -> what the check says (file relative to content/, line, message start).
def _extra_chapter(course: Path) -> None:
    (course / "en" / "04-extra.md").write_text("---\ntitle: Extra\n---\nMore.\n", encoding="utf-8")


def _renamed_file(course: Path) -> None:
    (course / "en" / "01-welcome.md").rename(course / "en" / "01-hello.md")
    path = course / "en" / "01-hello.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("title: Welcome", "title: Welcome\nslug: welcome"), encoding="utf-8")


def _rewrite_quiz(new_quiz: str):
    def write(course: Path) -> None:
        write_translation(course, chapters={"02-quiz.md": ("The quiz", new_quiz)})
    return write


def _course_yaml(text: str, folder: str = "en"):
    def write(course: Path) -> None:
        if folder != "en":
            (course / "en").rename(course / folder)
        (course / folder / "course.yaml").write_text(text, encoding="utf-8")
    return write


def _bad_hash(course: Path) -> None:
    write_translation(course, chapters={"03-next.md": CHAPTERS_EN["03-next.md"]})
    path = course / "en" / "03-next.md"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[2] = "translated_from: yesterday\n"
    path.write_text("".join(lines), encoding="utf-8")


MISTAKES = {
    "extra chapter": (_extra_chapter, "basics/en/04-extra.md", 1,
                      "no chapter 'extra' in the original course: a translation has the same chapters"),
    "renamed file": (_renamed_file, "basics/en/01-hello.md", 3,
                     "chapter 'welcome' is 01-welcome.md in the original: give the translation the same "
                     "file name"),
    "one quiz fewer": (_rewrite_quiz("## No quiz\n\nNothing.\n"), "basics/en/02-quiz.md", 1,
                       "0 quiz(zes) here but 1 in 02-quiz.md: translate every quiz"),
    "one question fewer": (_rewrite_quiz(QUIZ_EN.split("### Which")[0] + ":::\n"),
                           "basics/en/02-quiz.md", 7,
                           "quiz 1 has 1 question(s) here but 2 in 02-quiz.md (line 6): translate every "
                           "question, in the same order"),
    "right answer moved": (_rewrite_quiz(QUIZ_EN.replace("- [ ] Rules", "- [x] Rules")
                                         .replace("- [x] Patterns", "- [ ] Patterns")),
                           "basics/en/02-quiz.md", 8,
                           "question 1 of quiz 1 does not match 02-quiz.md (line 7): 2 options, "
                           "right: 1 here but 2 options, right: 2 there"),
    "option missing": (_rewrite_quiz(QUIZ_EN.replace("- [ ] A thermostat with a fixed rule\n", "")),
                       "basics/en/02-quiz.md", 13,
                       "question 2 of quiz 1 does not match 02-quiz.md (line 12): 2 options"),
    "no language": (_course_yaml("title: The basics\n"), "basics/en/course.yaml", 1,
                    "missing 'language': write 'language: en'"),
    "language of another folder": (_course_yaml("language: de\ntitle: Die Grundlagen\n"),
                                   "basics/en/course.yaml", 1,
                                   "'language: de' must be the name of its folder ('en')"),
    "the original language": (_course_yaml("title: Les bases\nlanguage: fr\n", "fr"),
                              "basics/fr/course.yaml", 2,
                              "'fr' is the original language of the course"),
    "no title": (_course_yaml("language: en\n"), "basics/en/course.yaml", 1,
                 "missing 'title': write the translated title"),
    "a setting of the original": (_course_yaml(COURSE_EN + "pass_mark: 50\n"), "basics/en/course.yaml", 4,
                                  "'pass_mark' comes from the original course.yaml and cannot be changed"),
    "malformed translated_from": (_bad_hash, "basics/en/03-next.md", 3,
                                  "'translated_from' must be 12 lower-case hex characters"),
}


@pytest.mark.parametrize("mistake", MISTAKES)
def test_each_mistake_in_a_translation_is_reported_with_file_and_line(content, course, mistake):
    make, path, line, message = MISTAKES[mistake]
    make(course)
    problems = problems_of(content)
    assert any(p[0] == path and p[1] == line and p[2].startswith(message) for p in problems), problems
    courses, _ = check_library(content)
    assert courses == []  # broken content: refused, as the original's mistakes are


def test_mistakes_inside_translated_chapters_are_found_like_the_originals(content, course):
    write_translation(course, chapters={"03-next.md": ("What next", "See [nowhere](missing.md).\n")})
    assert ("basics/en/03-next.md", 5, "link to unknown chapter 'missing.md'") in problems_of(content)


def test_the_translation_yaml_must_be_utf8(content, course):
    (course / "en" / "course.yaml").write_bytes("title: caf\xe9\n".encode("latin-1"))
    [(path, line, message)] = problems_of(content)
    assert (path, line) == ("basics/en/course.yaml", 1) and message.startswith("not UTF-8 text")


def test_an_all_digit_hash_is_read_as_written(content, course, monkeypatch):
    # YAML reads 012345670123 as an octal number: the hash must be compared as text.
    import courseware.content.translations as translations
    import tests.translated_course as fixture

    for module in (translations, fixture):
        monkeypatch.setattr(module, "source_hash", lambda _path: "012345670123")
    write_translation(course)
    status = load_library(content).course("basics").translation_statuses[0]
    assert [c.state for c in status.chapters] == [UP_TO_DATE] * 3


def _make_draft(path: Path) -> None:
    path.write_text(path.read_text(encoding="utf-8").replace("---\n", "---\ndraft: true\n", 1),
                    encoding="utf-8")


@pytest.mark.parametrize("translated", [True, False], ids=["draft-translated", "draft-not-yet"])
def test_a_draft_chapter_neither_blocks_nor_leaks_into_a_translation(content, translated):
    course = write_course_with_translation_of(content, translated)
    _make_draft(course / "03-next.md")
    if translated:  # the hash of the original changed with draft: true
        write_translation(course)
    _courses, problems = check_library(content)
    assert problems == []
    english = load_library(content).course("basics", "en")
    # Learners get the published chapters in English; the draft counts for nothing.
    assert english.language == "en" and english.chapter_slugs == ("welcome", "quiz")
    assert not any(warning.message.startswith("missing") for warning in translation_warnings(english))
    # Instructors preview it in English once it is translated, and it stays a draft there.
    preview = english.preview()
    if translated:
        assert [(c.slug, c.title, c.draft) for c in preview.chapters] == [
            ("welcome", "Welcome", False), ("quiz", "The quiz", False), ("next", "What next", True)]
    else:
        assert preview.chapter_slugs == ("welcome", "quiz")


def write_course_with_translation_of(content: Path, draft_translated: bool) -> Path:
    course = write_translated_course(content)
    if not draft_translated:
        (course / "en" / "03-next.md").unlink()
    return course


def test_the_home_page_words_are_translated_and_checked_like_the_original(content, course):
    write_translation(course, course_yaml=COURSE_EN + "audience: Everyone.\noutcomes:\n  - Explain AI\n")
    english = load_library(content).course("basics", "en")
    assert (english.presentation.audience, english.presentation.outcomes) == ("Everyone.", ("Explain AI",))
    write_translation(course, course_yaml=COURSE_EN + "outcomes: not a list\n")
    assert [(path, line) for path, line, message in problems_of(content)
            if "outcomes" in message] == [("basics/en/course.yaml", 4)]
