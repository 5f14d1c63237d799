"""Screenshots of the main pages at phone and desktop widths, for people to look at.

Saved under test-artifacts/screenshots/ (git-ignored). They use the demo course
in content/ when it is valid, so they show real chapters; otherwise the tiny
test course. The README's pictures in docs/screenshots/ are copies of a few.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from courseware.content.loader import check_library
from tests.browser.conftest import ARTIFACTS, finish_chapter, new_context, sign_up
from tests.browser.pages import CHAPTERS, COURSE
from tests.live_server import LiveServer, running_server

DEMO_CONTENT = Path(__file__).resolve().parents[2] / "content"
SCREENSHOTS = ARTIFACTS / "screenshots"


@pytest.fixture(scope="module")
def shown(live: LiveServer, tmp_path_factory: pytest.TempPathFactory
          ) -> Iterator[tuple[LiveServer, str, tuple[str, ...], dict]]:
    """(server, course slug, chapter slugs, quizzes by chapter): the demo course when it is valid."""
    courses, problems = check_library(DEMO_CONTENT) if DEMO_CONTENT.is_dir() else ([], ["none"])
    if problems or not courses:
        yield live, COURSE, CHAPTERS, {}
        return
    root = tmp_path_factory.mktemp("demo")
    (root / "instance").mkdir()
    with running_server(content_dir=DEMO_CONTENT, instance_dir=root / "instance",
                        database_url=f"sqlite:///{root / 'demo.db'}") as server:
        course = courses[0]
        yield server, course.slug, course.chapter_slugs, \
            {chapter.slug: chapter.quizzes for chapter in course.chapters}


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_screenshots(viewport: str, scheme: str, browser: Browser,
                     shown: tuple[LiveServer, str, tuple[str, ...], dict]) -> None:
    server, course, chapters, quizzes = shown
    folder = SCREENSHOTS
    folder.mkdir(parents=True, exist_ok=True)
    suffix = f"{viewport}" + ("-dark" if scheme == "dark" else "")
    context = new_context(browser, server, viewport, color_scheme=scheme)
    page = context.new_page()
    full = viewport == "phone"

    def shot(name: str) -> None:
        page.screenshot(path=folder / f"{name}-{suffix}.png", full_page=full, animations="disabled")

    try:
        page.goto("/")
        shot("home")
        page.goto("/signup")
        with page.expect_navigation():
            page.locator("main form button[type=submit]").click()
        shot("signup-errors")
        sign_up(page, server)
        if quizzes.get(chapters[0]):
            page.goto(f"/courses/{course}/{chapters[0]}/")
            page.locator("#quiz-1").screenshot(path=folder / f"quiz-{suffix}.png",
                                               animations="disabled")
            first = quizzes[chapters[0]][0].questions[0]
            wrong = min(set(range(len(first.options))) - first.right_indexes)
            page.locator(f"#quiz-1-q1-o{wrong}").check()
            with page.expect_navigation():
                page.locator("#quiz-1 button[type=submit]").click()
            shot("quiz-results")
        finish_chapter(page, course, chapters[0], quizzes.get(chapters[0], ()))
        page.goto(f"/courses/{course}/")
        shot("course")
        page.goto(f"/courses/{course}/{chapters[1]}/")
        shot("chapter")
        page.goto("/account/")
        shot("account")
        page.goto("/no-such-page")
        shot("error-404")
        if viewport == "desktop" and scheme == "light":
            for chapter in chapters[1:]:
                finish_chapter(page, course, chapter, quizzes.get(chapter, ()))
            shot("course-completed")
            page.goto(f"/courses/{course}/certificate")
            shot("certificate-claim")
            if page.locator("#confirm").count():
                page.locator("#confirm").check()
            with page.expect_navigation():
                page.locator("main form button[type=submit]").click()
            page.wait_for_url(re.compile(r"/certificates/[A-Z0-9-]+$"))
            shot("certificate")
    finally:
        context.close()
