"""Screenshots of the main pages at phone and desktop widths, for people to look at.

Saved under test-artifacts/screenshots/ (git-ignored). They use the demo course
in content/ when it is valid, so they show real chapters; otherwise the tiny
test course. The README's pictures in docs/screenshots/ are copies of a few.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser

from tests.browser.conftest import ARTIFACTS, finish_chapter, new_context, sign_up
from tests.live_server import LiveServer

SCREENSHOTS = ARTIFACTS / "screenshots"


@pytest.fixture(scope="module")
def shown(demo: tuple[LiveServer, str, tuple[str, ...], dict]
          ) -> tuple[LiveServer, str, tuple[str, ...], dict]:
    return demo


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

    def shot(name: str, whole: bool | None = None) -> None:
        page.screenshot(path=folder / f"{name}-{suffix}.png", full_page=full if whole is None else whole,
                        animations="disabled")

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
        shot("chapter", whole=False)  # a chapter is many screens long: its first one
        page.goto("/account/")
        shot("account")
        page.goto("/no-such-page")
        shot("error-404")
        if scheme == "light":
            for chapter in chapters[1:]:
                finish_chapter(page, course, chapter, quizzes.get(chapter, ()))
            page.goto(f"/courses/{course}/done")
            shot("achievement")
            page.goto(f"/courses/{course}/")
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
