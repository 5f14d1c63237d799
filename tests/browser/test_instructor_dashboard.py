"""The instructor dashboard in a real browser without JavaScript, driven by the keyboard:
a learner's quiz answer appears, a bad date is explained, the language filter works."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, expect

from tests.browser.conftest import new_context, sign_up
from tests.browser.pages import QUIZ_COURSE, QUIZ_PAGE
from tests.live_server import LiveServer


def test_dashboard_with_the_keyboard_and_without_javascript(
        browser: Browser, live: LiveServer, partner_states: dict[str, dict]) -> None:
    learner = new_context(browser, live, java_script_enabled=False)
    page = learner.new_page()
    sign_up(page, live)
    page.goto(QUIZ_PAGE)
    page.get_by_label("Des règles écrites une à une").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Vérifier mes réponses").click()
    learner.close()

    context = new_context(browser, live, java_script_enabled=False,
                          storage_state=partner_states["admin"])
    page = context.new_page()
    try:
        page.goto("/")
        page.get_by_role("link", name="Tableau de bord formateur").focus()
        with page.expect_navigation():
            page.keyboard.press("Enter")
        page.get_by_role("link", name="Quiz de test").focus()
        with page.expect_navigation():
            page.keyboard.press("Enter")
        expect(page.locator("h1")).to_have_text("Quiz de test")
        question = page.locator(".analytics-questions tbody tr").first
        # Other tests of this browser session answer the same quiz: at least this learner's.
        expect(question).to_contain_text(re.compile(r"Des règles écrites une à une — mauvaise "
                                                    r"réponse · [1-9]"))

        page.get_by_label("Du", exact=True).focus()
        page.keyboard.type("2026-02-30")
        with page.expect_navigation() as navigation:
            page.keyboard.press("Enter")
        assert navigation.value is not None and navigation.value.status == 400
        expect(page.locator(".field-error .error").first).to_be_visible()

        page.get_by_label("Du", exact=True).fill("")
        page.get_by_label("Langue", exact=True).select_option("fr")
        page.get_by_label("Au (inclus)", exact=True).focus()
        with page.expect_navigation() as navigation:
            page.keyboard.press("Enter")
        assert navigation.value is not None and navigation.value.status == 200
        expect(page.locator(".lead")).to_contain_text("Pages lues en Français")
        start = page.get_by_label("Du", exact=True).input_value()  # left empty: the default period's start
        assert re.fullmatch(r"\d{4}-\d{2}-01", start), start
        expect(page.get_by_role("link", name="Télécharger le CSV (tableur)")).to_have_attribute(
            "href", f"/instructor/{QUIZ_COURSE}/analytics.csv?start={start}&end="
            + page.get_by_label("Au (inclus)", exact=True).input_value() + "&language=fr")
    finally:
        context.close()
