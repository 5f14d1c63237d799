"""The course language switch in a real browser: keyboard only, no JavaScript, no axe violation."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from tests.browser.conftest import new_context
from tests.browser.test_accessibility import axe_violations, describe
from tests.live_server import LiveServer, running_server
from tests.translated_course import write_translated_course

WELCOME = "/courses/basics/welcome/"


@pytest.fixture(scope="module")
def translated_live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    root = tmp_path_factory.mktemp("languages")
    write_translated_course(root / "content")
    (root / "instance").mkdir()
    with running_server(content_dir=root / "content", instance_dir=root / "instance",
                        database_url=f"sqlite:///{root / 'languages.db'}", workers=1) as server:
        yield server


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_switching_language_with_the_keyboard(browser: Browser, translated_live: LiveServer,
                                              axe_source: str, javascript: bool) -> None:
    context = new_context(browser, translated_live, java_script_enabled=javascript)
    context.add_init_script(axe_source)
    try:
        page: Page = context.new_page()
        page.goto(WELCOME)  # the browser asks for French
        assert page.locator("h1").inner_text() == "Bienvenue"
        if javascript:
            violations = axe_violations(page)
            assert not violations, describe(violations)
        switch = page.locator("form.course-languages button[lang=en]")
        switch.focus()
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.url.endswith(WELCOME)
        assert page.locator("h1").inner_text() == "Welcome"
        assert page.locator("form.course-languages [aria-current=true]").inner_text() == "English"
        page.goto("/courses/basics/next/")
        assert page.locator("h1").inner_text() == "What next"  # remembered
        if javascript:
            violations = axe_violations(page)
            assert not violations, describe(violations)
    finally:
        context.close()
