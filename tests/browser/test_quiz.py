"""A quiz answered in a real browser without JavaScript, with the keyboard for the retry:
fail (told which questions are wrong, not the answers), try again, pass, read the
explanations, and the chapter is complete."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, expect

from tests.browser.conftest import new_context, sign_up
from tests.browser.pages import QUIZ_COURSE, QUIZ_PAGE
from tests.live_server import LiveServer


def test_quiz_without_javascript(browser: Browser, live: LiveServer) -> None:
    context = new_context(browser, live, "phone", java_script_enabled=False)
    page = context.new_page()
    try:
        sign_up(page, live)
        page.goto(QUIZ_PAGE)
        expect(page.locator("main .chapter-end")).not_to_contain_text("Marquer comme terminé")
        expect(page.locator("fieldset legend").first).to_contain_text("Question 1 sur 2")
        # A wrong answer to question 1 and a partial one to question 2.
        page.get_by_label("Des règles écrites une à une").check()
        page.get_by_label("Un filtre anti-spam").check()
        with page.expect_navigation():
            page.get_by_role("button", name="Vérifier mes réponses").click()
        expect(page).to_have_url(re.compile(f"/courses/{QUIZ_COURSE}/quiz/quiz/1/results$"))
        expect(page.locator("h1")).to_have_text("Vos résultats au quiz")
        expect(page.locator(".quiz-score")).to_contain_text("Résultat : 0 sur 2 (0 %)")
        expect(page.locator(".quiz-score")).to_contain_text("une fois le quiz réussi")
        expect(page.locator(".quiz-explanation")).to_have_count(0)
        expect(page.locator(".quiz-tag-right")).to_have_count(0)
        with page.expect_navigation():
            page.get_by_role("link", name="Refaire le quiz").click()

        # The retry, with the keyboard only: Space ticks, Enter submits.
        page.get_by_label("Des régularités tirées d’exemples").focus()
        page.keyboard.press("Space")
        for label in ("Un filtre anti-spam", "La reconnaissance faciale"):
            page.get_by_label(label).focus()
            page.keyboard.press("Space")
        page.get_by_role("button", name="Vérifier mes réponses").focus()
        with page.expect_navigation():
            page.keyboard.press("Enter")
        expect(page.locator(".quiz-score")).to_contain_text("Quiz réussi.")
        expect(page.locator(".flash")).to_contain_text("Chapitre « Le quiz » terminé.")
        expect(page.locator(".quiz-explanation").first).to_contain_text("Il ajuste ses paramètres")
        page.goto(f"/courses/{QUIZ_COURSE}/")
        expect(page.locator("#course-progress")).to_contain_text("100")
    finally:
        context.close()


def test_a_passed_quiz_says_the_chapter_is_complete_and_links_to_the_results(
        tabs: dict, live: LiveServer) -> None:
    page = tabs["quiz-passed"]
    page.goto(QUIZ_PAGE)
    expect(page.locator(".quiz-done-note")).to_contain_text("Ce chapitre est terminé")
    with page.expect_navigation():
        page.locator(".quiz-done-note a").click()
    expect(page.locator(".quiz-score")).to_contain_text("2 sur 2")
    expect(page.locator(".quiz-explanation")).to_have_count(2)
