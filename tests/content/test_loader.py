"""Course folders -> immutable courses, and every mistake as `path:line: message`.

Each folder under fixtures/ is a course with one kind of mistake.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from courseware import create_app
from courseware.content import ContentError, check_library, content_version, load_course, load_library
from tests.helpers import COURSE_YAML, write_course

FIXTURES = Path(__file__).parent / "fixtures"

REMOTE_IMAGE_ADVICE = (": images from another site are refused, because loading them tells that "
                       "site who reads the course (no third-party requests); copy the file into "
                       "the course's images/ folder and write 'images/<file>'")
PLAIN_HTTP_ADVICE = (": write https:// instead (an http page can be altered on its way to the "
                     "learner, and browsers mark it unsafe); if that site has no https version, "
                     "link to another source")

# fixture folder -> every problem it must report: (file, line, message; line 0: whole file)
EXPECTED: dict[str, list[tuple[str, int, str]]] = {
    "invalid-yaml": [("course.yaml", 3, "invalid YAML: mapping values are not allowed here")],
    "not-a-mapping": [("course.yaml", 1, "expected 'key: value' pairs")],
    "course-yaml-not-utf8": [("course.yaml", 1, "not UTF-8 text (invalid continuation byte)")],
    "missing-course-fields": [
        ("course.yaml", 2, "missing 'title'"),
        ("course.yaml", 1, "missing 'language'"),
        ("course.yaml", 1, "missing 'issuer'"),
    ],
    "bad-course-slug": [
        ("course.yaml", 1, "slug 'Bad Course' must be lower-case letters, digits and hyphens")],
    "no-chapters": [("course.yaml", 1, "course has no chapters (*.md files)")],
    "missing-title": [("01-intro.md", 1, "missing 'title' in front matter")],
    "missing-front-matter": [
        ("01-intro.md", 1, "missing front matter: start with '---', a 'title:' line, '---'")],
    "unclosed-front-matter": [("01-intro.md", 1, "front matter is not closed by a '---' line")],
    "invalid-front-matter": [
        ("01-intro.md", 3, "invalid YAML: mapping values are not allowed here")],
    "not-utf8": [("02-latin1.md", 1, "not UTF-8 text (invalid continuation byte)")],
    "duplicate-slugs": [("02-again.md", 3, "duplicate chapter slug 'intro' (also 01-intro.md)")],
    "bad-slug": [("01-intro.md", 3, "slug 'Bad_Slug' must be lower-case letters, digits and hyphens")],
    "non-integer-minutes": [
        ("01-words.md", 3, "'minutes' must be a whole number of at least 1"),
        ("02-decimal.md", 4, "'minutes' must be a whole number of at least 1"),
        ("03-zero.md", 3, "'minutes' must be a whole number of at least 1"),
    ],
    "empty-chapter": [("02-empty.md", 4, "chapter is empty")],
    "too-long": [("course.yaml", 1, "course takes 361 minutes, more than the 360 allowed (6 hours)")],
    "broken-link": [("01-intro.md", 6, "broken link: 'notes.txt' does not exist")],
    "broken-image": [("01-intro.md", 6, "broken image: 'images/missing.svg' does not exist")],
    "unknown-chapter-link": [("01-intro.md", 6, "link to unknown chapter '02-next.md#top'")],
    "escaping-folder": [
        ("01-intro.md", 6, "'../broken-link/01-intro.md' points outside the course folder"),
        ("01-intro.md", 8, "'../broken-image/images/present.svg' points outside the course folder"),
    ],
    "remote-image": [
        ("01-intro.md", 4, "image 'https://example.com/logo.png' is not in the course folder"
         + REMOTE_IMAGE_ADVICE),
        ("01-intro.md", 6, "image '//example.com/pixel.gif' is not in the course folder"
         + REMOTE_IMAGE_ADVICE),
    ],
    "missing-alt": [("01-intro.md", 6, "image 'images/pic.svg' has no alternative text: describe "
                     "what it shows between the brackets, ![like this](…), for learners who "
                     "cannot see it")],
    # Checks over the whole course (courseware/content/checks.py) and links by slug.
    "missing-anchor": [
        ("01-intro.md", 6, "link '#nowhere': this chapter has no anchor '#nowhere'; use one of its "
                           "headings' anchors (first-steps) or rename the heading"),
        ("01-intro.md", 8, "link 'chapter:next#the-date': chapter 'next' has no anchor '#the-date'; "
                           "use one of its headings' anchors (the-data) or rename the heading"),
        ("01-intro.md", 8, "link '../next/#gone': chapter 'next' has no anchor '#gone'; use one of "
                           "its headings' anchors (the-data) or rename the heading"),
    ],
    "mixed-order": [("course.yaml", 0, (
        "'order:' is set on 2 of 4 chapters (not on 02-b.md, 04-d.md): set it on every chapter or "
        "on none (then file names give the order). As written, chapters with 'order:' come first "
        "by number, the others after them by file name: 1. 03-c.md, 2. 01-a.md, 3. 02-b.md, "
        "4. 04-d.md"))],
    "unknown-chapter-slug": [
        ("01-intro.md", 6, "link to unknown chapter slug 'les-donnees' in 'chapter:les-donnees': "
                           "the chapters of this course are intro"),
        ("01-intro.md", 6, "link to unknown chapter slug 'les-donnees' in '../les-donnees/#top': "
                           "the chapters of this course are intro"),
    ],
    "plain-http": [
        ("01-intro.md", 6, "plain http:// link 'http://example.org/page'" + PLAIN_HTTP_ADVICE),
        ("01-intro.md", 8, "plain http:// link 'HTTP://EXAMPLE.ORG/'" + PLAIN_HTTP_ADVICE),
    ],
    "link-to-draft": [("01-intro.md", 6, "link 'chapter:later' leads to chapter 'later', a draft: "
                       "learners would get \"page not found\"; remove the link until that chapter "
                       "is published, or publish it (remove 'draft: true')")],
    "bad-draft": [
        ("course.yaml", 5, "'draft' must be true or false (true: only instructors and admins see it)"),
        ("01-intro.md", 3, "'draft' must be true or false (true: only instructors and admins see it)"),
    ],
    # Quizzes (courseware/quizzes/parsing.py): one fixture per kind of mistake.
    "quiz-no-right-answer": [("01-quiz.md", 7, "question 'What does a model learn from?' has no "
                              "right answer: mark at least one option '- [x]'")],
    "quiz-no-options": [("01-quiz.md", 7, "question 'A question with no options?' has no options: "
                         "list them below it as '- [x] right answer' and '- [ ] wrong answer'")],
    "quiz-one-option": [("01-quiz.md", 7, "question 'Is this a choice?' has only one option: "
                         "give at least two")],
    "quiz-empty-option": [("01-quiz.md", 10, "empty option: write the answer after '- [ ]' (wrong) "
                           "or '- [x]' (right)")],
    "quiz-unclosed": [("01-quiz.md", 6, "quiz is never closed: end it with a line ':::'")],
    "quiz-no-question": [("01-quiz.md", 6, "quiz has no question: write each question as a '### ' "
                          "heading followed by its options")],
    "quiz-malformed": [
        ("01-quiz.md", 7, "write each question as a '### ' heading (found '##')"),
        ("01-quiz.md", 11, "an option starts with '- [ ]' (wrong answer) or '- [x]' (right answer)"),
        ("01-quiz.md", 12, "unexpected text in a quiz: use '### ' for a question, '- [ ]' or '- [x]' "
                           "for its options and '>' for its explanation"),
        ("01-quiz.md", 13, "a container cannot be opened inside a quiz: close the quiz with ':::' "
                           "first"),
    ],
    "quiz-bad-pass-mark": [("course.yaml", 5, "'pass_mark' must be a whole number from 1 to 100 "
                            "(the percent of a quiz's questions to get right)")],
}


def expected_lines(name: str) -> list[str]:
    return [f"{FIXTURES / name / file}{f':{line}' if line else ''}: {message}"
            for file, line, message in EXPECTED[name]]


def test_every_fixture_folder_is_checked():
    assert {p.name for p in FIXTURES.iterdir() if p.is_dir()} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_broken_course_reports_each_problem_with_file_and_line(name):
    course, problems = load_course(FIXTURES / name)
    assert course is None
    assert [str(problem) for problem in problems] == expected_lines(name)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_broken_course_stops_the_library_from_loading(name):
    with pytest.raises(ContentError) as raised:
        load_library(FIXTURES / name)
    assert str(raised.value).splitlines() == expected_lines(name)


def test_check_library_reports_every_course_and_keeps_the_good_ones(tmp_path):
    write_course(tmp_path / "basics")
    write_course(tmp_path / "broken", COURSE_YAML.replace("slug: basics", "slug: broken"),
                 {"01-a.md": ("A", "[x](nowhere.md)\n")})
    courses, problems = check_library(tmp_path)
    assert [course.slug for course in courses] == ["basics"]
    assert [str(p) for p in problems] == [
        f"{tmp_path / 'broken' / '01-a.md'}:4: link to unknown chapter 'nowhere.md'"]


def test_two_courses_with_the_same_slug(tmp_path):
    write_course(tmp_path / "a")
    write_course(tmp_path / "b")
    courses, problems = check_library(tmp_path)
    assert len(courses) == 1
    assert [str(p) for p in problems] == [
        f"{tmp_path / 'b' / 'course.yaml'}:1: course slug 'basics' is also used by {tmp_path / 'a'}"]


def test_missing_or_empty_content_folder(tmp_path):
    assert [str(p) for p in check_library(tmp_path / "nope")[1]] == [
        f"{tmp_path / 'nope'}: content folder does not exist"]
    assert [str(p) for p in check_library(tmp_path)[1]] == [
        f"{tmp_path}: no course found (no */course.yaml)"]


def test_link_on_a_later_line_of_a_paragraph_reports_that_line(tmp_path):
    folder = write_course(tmp_path / "basics", chapters={
        "01-a.md": ("A", "First line of a paragraph,\nthe second has [a link](nowhere.txt).\n\n"
                         "- one item\n- two items\n  and [another](gone.txt)\n"),
    })
    _course, problems = load_course(folder)
    assert [str(p) for p in problems] == [
        f"{folder / '01-a.md'}:5: broken link: 'nowhere.txt' does not exist",
        f"{folder / '01-a.md'}:9: broken link: 'gone.txt' does not exist",
    ]


# --- what a good course becomes ----------------------------------------------------

def load(tmp_path: Path, chapters: dict[str, tuple[str, str]] | None = None, **files: str):
    folder = write_course(tmp_path / "basics", chapters=chapters)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    course, problems = load_course(folder)
    assert problems == []
    return course


def test_course_fields_and_chapter_order(tmp_path):
    course = load(tmp_path)
    assert (course.slug, course.title, course.language, course.issuer) == (
        "basics", "Les bases", "fr", "Académie de test")
    assert course.summary == "Un petit cours de test."
    assert course.chapter_slugs == ("welcome", "data", "next")
    assert [c.position for c in course.chapters] == [1, 2, 3]
    assert [c.title for c in course.chapters] == ["Bienvenue", "Les données", "Et ensuite"]


def test_order_and_slug_in_front_matter_win_over_file_names(tmp_path):
    course = load(tmp_path, chapters={
        "a.md": ("Last", "Text."), "b.md": ("First", "Text."),
    })
    assert course.chapter_slugs == ("a", "b")
    folder = tmp_path / "basics"
    (folder / "b.md").write_text("---\ntitle: First\norder: 1\nslug: start\n---\nText.\n")
    (folder / "a.md").write_text("---\ntitle: Last\norder: 2\n---\nText.\n")
    course, problems = load_course(folder)
    assert problems == []
    assert course.chapter_slugs == ("start", "a")


def test_raw_html_is_escaped(tmp_path):
    course = load(tmp_path, chapters={"01-a.md": ("A", textwrap.dedent("""\
        Hello <script>alert(1)</script> there.

        <img src=x onerror=alert(2)>

        <div onclick="alert(3)">block</div>

        [click](javascript:alert(4)) and ![img](javascript:alert(5))
        """))})
    html = course.chapters[0].html
    assert "<script" not in html and "<img src=x" not in html and "<div" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'href="javascript:' not in html and 'src="javascript:' not in html


def test_markdown_features_render(tmp_path):
    body = textwrap.dedent("""\
        ## Premiers pas

        | Outil | Usage |
        |-------|-------|
        | IA    | aide  |

        Une phrase avec une note[^1] et du ~~barré~~.

        [^1]: Le texte de la note.

        ::: warning Prudence
        Vérifiez toujours.
        :::

        ::: note
        Sans titre.
        :::

        ### Un exemple

        ```python
        def hello():
            return "bonjour"
        ```

        ```
        <plain> & simple
        ```
        """)
    chapter = load(tmp_path, chapters={"01-a.md": ("A", body)}).chapters[0]
    html = chapter.html
    assert "<table>" in html and "<th>Outil</th>" in html and "<td>aide</td>" in html
    assert 'class="footnote-ref"' in html and "Le texte de la note." in html
    assert "<s>barré</s>" in html
    assert '<div class="callout callout-warning" role="note"><p class="callout-title">Prudence</p>' in html
    assert '<div class="callout callout-note" role="note"><p class="callout-title">Note</p>' in html
    assert '<pre class="highlight"><code class="language-python">' in html
    assert '<span class="k">def</span>' in html
    assert "&lt;plain&gt; &amp; simple" in html
    assert '<h2 id="premiers-pas"' in html and '<h3 id="un-exemple"' in html
    assert [(h.level, h.anchor, h.text) for h in chapter.toc] == [
        (2, "premiers-pas", "Premiers pas"), (3, "un-exemple", "Un exemple")]


def test_callout_titles_follow_the_course_language(tmp_path):
    folder = write_course(tmp_path / "basics", COURSE_YAML.replace("language: fr", "language: en"),
                          {"01-a.md": ("A", "::: tip\nText.\n:::\n")})
    course, _ = load_course(folder)
    assert '<p class="callout-title">Tip</p>' in course.chapters[0].html
    french = load(tmp_path / "fr", {"01-a.md": ("A", "::: tip\nTexte.\n:::\n")})
    assert '<p class="callout-title">Astuce</p>' in french.chapters[0].html


def test_duplicate_headings_get_distinct_anchors(tmp_path):
    chapter = load(tmp_path, {"01-a.md": ("A", "## Résumé\n\nA.\n\n## Résumé\n\nB.\n")}).chapters[0]
    anchors = [h.anchor for h in chapter.toc]
    assert anchors[0] == "resume"
    assert len(set(anchors)) == 2
    for anchor in anchors:
        assert f'id="{anchor}"' in chapter.html


def test_links_and_images_are_rewritten_to_site_urls(tmp_path):
    chapter = load(tmp_path).chapters[1]
    assert '<img src="../assets/images/diagram.svg" alt="Un schéma"' in chapter.html
    welcome = load(tmp_path / "again").chapters[0]
    assert '<a href="../data/">la suite</a>' in welcome.html


def test_reading_time_from_words_when_minutes_are_absent(tmp_path):
    words = " ".join(["mot"] * 401)
    course = load(tmp_path, chapters={
        "01-a.md": ("A", words), "02-b.md": ("B", "Court."),
    })
    assert [c.minutes for c in course.chapters] == [3, 1]  # 401 words at 200 a minute; at least 1
    assert course.chapters[0].words == 401
    folder = tmp_path / "basics"
    (folder / "01-a.md").write_text(f"---\ntitle: A\nminutes: 12\n---\n{words}\n")
    course, _ = load_course(folder)
    assert course.chapters[0].minutes == 12
    assert course.total_minutes == 13


def test_six_hours_exactly_is_allowed(tmp_path):
    folder = tmp_path / "basics"
    write_course(folder, chapters={"01-a.md": ("A", "Text.")})
    (folder / "01-a.md").write_text("---\ntitle: A\nminutes: 360\n---\nText.\n")
    course, problems = load_course(folder)
    assert problems == [] and course.total_minutes == 360


def test_content_version_changes_when_any_file_changes(tmp_path):
    folder = write_course(tmp_path / "basics")
    first = content_version(folder)
    assert first == content_version(folder)
    assert load_course(folder)[0].content_version == first

    (folder / "02-data.md").write_text((folder / "02-data.md").read_text() + "\nUne ligne.\n")
    second = content_version(folder)
    (folder / "images" / "diagram.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    third = content_version(folder)
    (folder / "images" / "diagram.svg").rename(folder / "images" / "renamed.svg")
    fourth = content_version(folder)
    assert len({first, second, third, fourth}) == 4
    assert re.fullmatch(r"[0-9a-f]{64}", fourth)


def test_demo_course_is_valid():
    courses, problems = check_library(Path(__file__).parents[2] / "content")
    assert [str(p) for p in problems] == []
    assert courses and all(c.total_minutes <= 360 for c in courses)


def test_create_app_refuses_broken_content(tmp_path):
    with pytest.raises(ContentError) as raised:
        create_app({"TESTING": True, "INSTANCE_DIR": str(tmp_path / "instance"),
                    "CONTENT_DIR": str(FIXTURES / "broken-link"), "SECRET_KEY": "x",
                    "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}"})
    assert [str(p) for p in raised.value.problems] == expected_lines("broken-link")


def test_demo_course_meets_the_campaign_brief():
    # A French course of at least six chapters, under six hours, with tables,
    # callouts and SVG illustrations (with text alternatives) that render.
    (course,) = load_library(Path(__file__).parents[2] / "content").courses
    html = "".join(chapter.html for chapter in course.chapters)
    assert course.language == "fr" and len(course.chapters) >= 6
    assert 60 <= course.total_minutes < 360
    assert "<table>" in html and 'class="callout' in html and "footnote-ref" in html
    assert html.count('.svg" alt="') >= 2


def test_the_shipped_code_stylesheet_matches_the_highlighter():
    # static/css/code.css is generated from Pygments; regenerate it with
    # `python -c "from courseware.content.markdown import pygments_css; print(pygments_css())"`.
    from courseware.content.markdown import pygments_css

    shipped = (Path(__file__).parents[2] / "courseware" / "static" / "css" / "code.css").read_text()
    assert shipped.strip() == pygments_css().strip()


def test_links_out_of_the_course_folder_are_reported_with_what_to_do(tmp_path):
    course = write_course(tmp_path / "content" / "basics")
    (tmp_path / "secret_key").write_text("s3cret")
    (course / "images" / "key.txt").symlink_to(tmp_path / "secret_key")
    (course / "images" / "host.txt").symlink_to("/etc/hostname")
    (course / "elsewhere").symlink_to(tmp_path)
    (course / "images" / "same.svg").symlink_to("diagram.svg")  # inside: fine
    _, problems = check_library(tmp_path / "content")
    advice = "leads outside the course folder: replace it with a copy of the file"
    assert sorted(str(p) for p in problems) == sorted([
        f"{course / 'elsewhere'}: symbolic link to '{tmp_path}' {advice} "
        "(links out of a course are never served)",
        f"{course / 'images' / 'host.txt'}: symbolic link to '/etc/hostname' {advice} "
        "(links out of a course are never served)",
        f"{course / 'images' / 'key.txt'}: symbolic link to '{tmp_path / 'secret_key'}' {advice} "
        "(links out of a course are never served)",
    ])


def test_an_image_through_a_link_out_of_the_course_names_the_line(tmp_path):
    course = write_course(tmp_path / "content" / "basics", chapters={
        "01-one.md": ("Un", "Texte.\n\n![Clé](images/key.png)\n")})
    (tmp_path / "key.png").write_bytes(b"\x89PNG")
    (course / "images" / "key.png").symlink_to(tmp_path / "key.png")
    _, problems = check_library(tmp_path / "content")
    assert f"{course / '01-one.md'}:6: 'images/key.png' points outside the course folder" \
        in [str(p) for p in problems]
