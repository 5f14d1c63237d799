"""`courseware content translations` and the translation lines of `content check`."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from courseware.cli import main
from courseware.content.translations import source_hash
from tests.helpers import write_course
from tests.translated_course import write_translated_course


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


@pytest.fixture
def content(tmp_path: Path) -> Path:
    write_translated_course(tmp_path / "content")
    return tmp_path / "content"


def test_an_up_to_date_translation(content):
    result = run("content", "translations", "--check", str(content))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "basics (fr -> en), published: 3 chapters, 0 stale, 0 missing"
    assert lines[1].split() == ["up", "to", "date", "welcome", str(content / "basics/en/01-welcome.md")]
    assert len(lines) == 4
    assert run("content", "translations", "--stale", str(content)).output.splitlines() == lines[:1]
    check = run("content", "check", str(content))
    assert check.exit_code == 0
    assert check.output.splitlines()[1:] == ["    languages: fr, en", "    1. welcome  01-welcome.md",
                                             "    2. quiz  02-quiz.md", "    3. next  03-next.md"]


def test_stale_and_missing_chapters_say_what_to_do(content):
    course = content / "basics"
    (course / "02-quiz.md").write_text((course / "02-quiz.md").read_text(encoding="utf-8") + "\nPlus.\n",
                                       encoding="utf-8")
    (course / "en" / "03-next.md").unlink()
    new_hash = source_hash(course / "02-quiz.md")
    result = run("content", "translations", "--stale", str(content))
    assert result.exit_code == 0  # a listing; --check makes it a test
    lines = result.output.splitlines()
    assert lines[0] == ("basics (fr -> en), not published until every chapter is translated: "
                        "3 chapters, 1 stale, 1 missing")
    assert lines[1].split()[:3] == ["stale", "quiz", f"{course / 'en' / '02-quiz.md'}:3:"]
    assert lines[1].endswith(f"then write 'translated_from: {new_hash}'")
    assert lines[2].split()[:3] == ["missing", "next", f"{course / '03-next.md'}:"]
    assert len(lines) == 3
    checked = run("content", "translations", "--check", str(content))
    assert checked.exit_code == 1
    assert "2 chapter(s) to translate or bring up to date." in checked.output
    # The content check reports them too, with file:line, and still passes.
    check = run("content", "check", str(content))
    assert check.exit_code == 0, check.output
    assert f"{course / 'en' / '02-quiz.md'}:3: stale: 02-quiz.md has changed" in check.output
    assert f"{course / 'en' / '03-next.md'}: missing: chapter 'next' is not translated" in check.output


def test_broken_translations_stop_both_commands(content):
    (content / "basics" / "en" / "course.yaml").write_text("language: en\ntitle: X\nslug: other\n",
                                                           encoding="utf-8")
    for command in ("translations", "check"):
        result = run("content", command, str(content))
        assert result.exit_code == 1
        assert f"{content / 'basics' / 'en' / 'course.yaml'}:3: 'slug' comes from the original" \
            in result.output
        assert "Traceback" not in result.output


def test_a_course_without_translations(tmp_path):
    write_course(tmp_path / "basics")
    result = run("content", "translations", "--check", str(tmp_path))
    assert result.exit_code == 0
    assert result.output.startswith("basics (fr): no translation")


def test_a_missing_folder_is_a_clear_error(tmp_path):
    result = run("content", "translations", str(tmp_path / "nope"))
    assert result.exit_code == 1 and "content folder does not exist" in result.output
