"""The `courseware` command, run the way an administrator runs it."""

from __future__ import annotations

import gc
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import create_engine, inspect, select

from courseware.cli import main
from courseware.content import load_library
from courseware.models import User
from tests.content.test_loader import EXPECTED, FIXTURES, expected_lines
from tests.helpers import write_course

REPO = Path(__file__).parents[2]
PASSWORD = "un mot de passe solide"


def run(environment: dict[str, str], *args: str, input: str | None = None) -> Result:
    result = CliRunner().invoke(main, list(args), env=environment, input=input)
    # Errors end with a message and an exit code, never with an exception escaping.
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    # A command must close what it opened: a database connection left open shows up
    # here (as a ResourceWarning) rather than in whichever test runs next.
    gc.collect()
    return result


def run_process(environment: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "courseware.cli", *args], cwd=REPO,
                          env={"PATH": "/usr/bin:/bin", **environment}, capture_output=True,
                          text=True, timeout=60)


def test_content_check_lists_every_problem_as_path_line_message():
    result = run_process({}, "content", "check", str(FIXTURES))
    assert "Traceback" not in result.stderr, result.stderr[-500:]
    assert result.returncode == 1
    printed = result.stdout.splitlines()
    for name in EXPECTED:
        for line in expected_lines(name):
            assert line in printed
    assert f"{len(printed)} problem(s) found." in result.stderr


@pytest.mark.parametrize("name", ["broken-link", "too-long", "invalid-yaml", "non-integer-minutes"])
def test_content_check_on_one_broken_course(name):
    result = CliRunner().invoke(main, ["content", "check", str(FIXTURES / name)])
    assert result.exit_code == 1
    assert result.stdout.splitlines() == expected_lines(name)


def test_content_check_on_a_good_course_says_ok(tmp_path):
    write_course(tmp_path / "basics")
    result = CliRunner().invoke(main, ["content", "check", str(tmp_path)])
    assert result.exit_code == 0
    assert result.stdout == ("ok  basics: 3 chapters, 3 min\n"  # then the final order
                             "    1. welcome  01-welcome.md\n    2. data  02-data.md\n"
                             "    3. next  03-next.md\n")


def test_content_check_uses_the_content_folder_setting(tmp_path):
    write_course(tmp_path / "basics")
    result = CliRunner().invoke(main, ["content", "check"],
                                env={"COURSEWARE_CONTENT_DIR": str(tmp_path)})
    assert result.exit_code == 0
    assert result.stdout.startswith("ok  basics:")


def test_content_check_on_the_demo_course():
    result = CliRunner().invoke(main, ["content", "check", str(REPO / "content")])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("ok  ")
    # Every chapter's "Testez-vous" is a quiz of at least 3 questions.
    assert re.search(r", 7 quizzes \(\d+ questions\), pass mark 70 %$", result.stdout.splitlines()[0])
    # The whole course is in English too, every quiz included.
    assert re.search(r"^    languages: fr, en$", result.stdout, re.M)
    library = load_library(REPO / "content")
    course = library.courses[0]
    assert course.in_language("en").language == "en"
    for version in (course, course.in_language("en")):
        for chapter in version.chapters:
            assert chapter.quizzes and all(len(q.questions) >= 3 for q in chapter.quizzes), chapter.slug
            assert all(question.explanation_html for q in chapter.quizzes for question in q.questions)


def test_content_check_on_a_missing_folder(tmp_path):
    result = CliRunner().invoke(main, ["content", "check", str(tmp_path / "nope")])
    assert result.exit_code == 1
    assert result.stdout == f"{tmp_path / 'nope'}: content folder does not exist\n"


def test_content_check_reports_a_link_out_of_the_course(tmp_path):
    course = write_course(tmp_path / "basics")
    (course / "images" / "host.txt").symlink_to("/etc/hostname")
    result = CliRunner().invoke(main, ["content", "check", str(tmp_path)])
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{course / 'images' / 'host.txt'}: symbolic link to '/etc/hostname' leads outside the course "
        "folder: replace it with a copy of the file (links out of a course are never served)"]


def tables(database_url: str) -> set[str]:
    engine = create_engine(database_url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_db_upgrade_is_idempotent(environment, database_url):
    first = run(environment, "db", "upgrade")
    assert first.exit_code == 0, first.output
    assert "database is up to date" in first.stdout
    assert {"users", "chapter_progress", "certificates", "alembic_version"} <= tables(database_url)
    second = run(environment, "db", "upgrade")
    assert second.exit_code == 0, second.output
    assert "database is up to date" in second.stdout


def test_create_admin_then_list(environment):
    created = run(environment, "users", "create-admin", "--email", "Admin@Example.org",
                  "--name", "Alice Admin", "--password-stdin", input=PASSWORD + "\n")
    assert created.exit_code == 0, created.output
    assert "administrator Admin@Example.org created" in created.stdout
    learner = run(environment, "users", "list")
    assert learner.exit_code == 0
    [line] = learner.stdout.splitlines()
    email, name, role, date = line.split("\t")
    assert (email, name, role) == ("admin@example.org", "Alice Admin", "admin")
    assert len(date) == 10
    assert "1 account(s)" in learner.stderr


def test_admin_password_is_hashed_and_works(environment, database_url):
    run(environment, "users", "create-admin", "--email", "admin@example.org", "--name", "A",
        "--password-stdin", input=PASSWORD + "\n")
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            stored = connection.scalar(select(User.password_hash))
            role = connection.scalar(select(User.role))
    finally:
        engine.dispose()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert role == "admin"


def test_duplicate_admin_is_a_clear_error(environment):
    args = ["users", "create-admin", "--email", "admin@example.org", "--name", "A",
            "--password-stdin"]
    assert run(environment, *args, input=PASSWORD + "\n").exit_code == 0
    again = run(environment, *args[:2], "--email", "ADMIN@example.org", *args[4:],
                input=PASSWORD + "\n")
    assert again.exit_code == 1
    assert "Error: an account already uses ADMIN@example.org" in again.stderr
    assert "Traceback" not in again.output
    assert run(environment, "users", "list").stdout.count("admin@example.org") == 1


def test_short_admin_password_is_refused(environment):
    result = run(environment, "users", "create-admin", "--email", "admin@example.org",
                 "--name", "A", "--password-stdin", input="court\n")
    assert result.exit_code == 1
    assert "the password needs at least 10 characters" in result.stderr
    assert run(environment, "users", "list").stdout == ""


def test_users_list_is_empty_on_a_new_database(environment):
    run(environment, "db", "upgrade")
    result = run(environment, "users", "list")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "0 account(s)" in result.stderr


def test_serve_with_broken_content_exits_with_the_problems(tmp_path):
    result = run_process({"COURSEWARE_CONTENT_DIR": str(FIXTURES / "escaping-folder"),
                          "COURSEWARE_INSTANCE_DIR": str(tmp_path / "instance")},
                         "serve", "--port", "1")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    for line in expected_lines("escaping-folder"):
        assert line in result.stderr.splitlines()
    assert "the content has 2 problem(s)" in result.stderr


def test_other_commands_with_broken_content_exit_cleanly_too(environment):
    broken = {**environment, "COURSEWARE_CONTENT_DIR": str(FIXTURES / "broken-link")}
    for args in (["db", "upgrade"], ["users", "list"]):
        result = run(broken, *args)
        assert result.exit_code == 1
        assert expected_lines("broken-link")[0] in result.stderr


def test_help_lists_the_commands():
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    for command in ("serve", "db", "content", "users"):
        assert command in result.stdout


def test_serve_reads_its_options_from_the_environment_as_documented():
    # The README promises COURSEWARE_HOST, COURSEWARE_PORT and COURSEWARE_WORKERS.
    from click.testing import CliRunner

    from courseware.cli.commands import serve

    context = serve.make_context("serve", [], default_map=None)
    assert context.params == {"host": "127.0.0.1", "port": 8000, "workers": 2, "dev": False}
    everywhere = "0.0.0.0"  # noqa: S104 - only parsed, nothing listens
    runner_env = {"COURSEWARE_HOST": everywhere, "COURSEWARE_PORT": "9001", "COURSEWARE_WORKERS": "3"}
    with CliRunner(env=runner_env).isolation():
        context = serve.make_context("serve", [])
    assert context.params == {"host": everywhere, "port": 9001, "workers": 3, "dev": False}


@pytest.mark.parametrize("password", ["password12", "1234567890", "aaaaaaaaaa"])
def test_easy_admin_password_is_refused(environment, password):
    result = run(environment, "users", "create-admin", "--email", "admin@example.org",
                 "--name", "Alice Admin", "--password-stdin", input=password + "\n")
    assert result.exit_code == 1
    assert "the password is too easy to guess" in result.stderr
    assert "Traceback" not in result.output


def test_invisible_admin_name_is_refused(environment):
    result = run(environment, "users", "create-admin", "--email", "admin@example.org",
                 "--name", "\u200b\u3164", "--password-stdin", input=PASSWORD + "\n")
    assert result.exit_code == 1
    assert "the name must be visible letters" in result.stderr
