"""The whole learner journey in a real browser: sign up, read, complete every
chapter, reach 100 %, then the certificate.

It runs three ways: with the mouse, with the KEYBOARD ONLY (Tab, Shift+Tab,
Enter, Space; the focus must be visible at every stop), and with JavaScript
turned off (the site must not need it).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import PASSWORD, mailed_path, new_context, unique_email
from tests.browser.pages import CHAPTERS, COURSE
from tests.live_server import LiveServer

MAX_TABS = 60

FOCUS_STYLE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  return {tag: el.tagName, text: (el.innerText || el.value || el.name || '').trim().slice(0, 60),
          outlineStyle: style.outlineStyle, outlineWidth: parseFloat(style.outlineWidth),
          boxShadow: style.boxShadow, focusVisible: el.matches(':focus-visible')};
}"""


class Keyboard:
    """Moves through a page with Tab / Shift+Tab only, checking the focus is visible."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.stops = 0

    def focused(self) -> dict | None:
        return self.page.evaluate(FOCUS_STYLE)

    def assert_focus_visible(self) -> dict:
        focus = self.focused()
        assert focus is not None, "the focus was lost (on <body>)"
        visible = (focus["outlineStyle"] != "none" and focus["outlineWidth"] >= 2) \
            or focus["boxShadow"] not in ("none", "")
        assert focus["focusVisible"] and visible, f"focus not visible on {focus}"
        return focus

    def tab_to(self, selector: str, backwards: bool = False) -> None:
        """Press Tab until the element matching `selector` has the focus."""
        target = self.page.locator(selector).first
        expect(target).to_be_attached()
        for _ in range(MAX_TABS):
            self.page.keyboard.press("Shift+Tab" if backwards else "Tab")
            self.stops += 1
            self.assert_focus_visible()
            if target.evaluate("el => el === document.activeElement"):
                return
        raise AssertionError(f"{selector} not reached in {MAX_TABS} presses of Tab")

    def activate(self, selector: str, key: str = "Enter") -> None:
        self.tab_to(selector)
        with self.page.expect_navigation():
            self.page.keyboard.press(key)

    def fill(self, selector: str, text: str) -> None:
        self.tab_to(selector)
        self.page.keyboard.type(text)


def learner_journey(page: Page, mode: str, live: LiveServer) -> None:
    keys = Keyboard(page) if mode == "keyboard" else None
    email = unique_email()

    # Arrive on the home page and choose the course.
    page.goto("/")
    if keys:
        page.keyboard.press("Tab")
        assert keys.assert_focus_visible()["tag"] == "A", "the first Tab stop is the skip link"
        expect(page.locator(".skip-link")).to_be_focused()
        expect(page.locator(".skip-link")).to_be_in_viewport()
        page.keyboard.press("Enter")
        assert page.url.endswith("#main")
        keys.activate(f"main a.course-link[href='/courses/{COURSE}/']")
    else:
        with page.expect_navigation():
            page.locator(f"main a.course-link[href='/courses/{COURSE}/']").click()
    expect(page).to_have_url(re.compile(f"/courses/{COURSE}/$"))

    # Sign up from the course page, and come back to it.
    signup = "main .course-status a[href^='/signup']"
    if keys:
        keys.activate(signup)
        keys.fill("#name", "Ana Dupont")
        keys.fill("#email", email)
        # Shift+Tab goes back, then forth: the order of the fields is logical.
        keys.tab_to("#name", backwards=True)
        keys.tab_to("#password")
        page.keyboard.type(PASSWORD)
        with page.expect_navigation():
            page.keyboard.press("Enter")  # submits the form from its last field
    else:
        with page.expect_navigation():
            page.locator(signup).click()
        page.locator("#name").fill("Ana Dupont")
        page.locator("#email").fill(email)
        page.locator("#password").fill(PASSWORD)
        with page.expect_navigation():
            page.locator("main form button[type=submit]").click()
    # "Check your inbox": the link in the mail opens the account and comes back.
    expect(page.locator(".flash")).to_contain_text(email)
    page.goto(mailed_path(live, email, r"/signup/confirm/[\w.\-]+"))
    expect(page).to_have_url(re.compile(f"/courses/{COURSE}/$"))
    expect(page.locator(".flash")).to_contain_text("Ana Dupont")
    expect(page.locator("progress")).to_have_attribute("value", "0")

    # Start, then complete every chapter: each completion leads to the next chapter.
    start = "main .course-status a.button-primary"
    if keys:
        keys.activate(start)
    else:
        with page.expect_navigation():
            page.locator(start).click()
    for position, chapter in enumerate(CHAPTERS, start=1):
        expect(page).to_have_url(re.compile(f"/courses/{COURSE}/{chapter}/$"))
        expect(page.locator("h1")).to_be_visible()
        complete = "main .chapter-end form button[type=submit]"
        if keys:
            keys.activate(complete, key="Space" if position % 2 else "Enter")
        else:
            with page.expect_navigation():
                page.locator(complete).click()
        if position < len(CHAPTERS):
            expect(page.locator(".flash")).to_be_visible()
            expect(page.locator("#chapter-progress")).to_contain_text(f"{position}")

    # 100 %: a page of achievement says so, and the way forward is the certificate.
    expect(page).to_have_url(re.compile(f"/courses/{COURSE}/done$"))
    expect(page.locator("h1")).to_contain_text("terminé")
    expect(page.locator("progress")).to_have_attribute("value", str(len(CHAPTERS)))
    expect(page.locator("#course-progress")).to_contain_text("100")
    page.goto(f"/courses/{COURSE}/")
    for item in page.locator(".chapter-item").all():
        expect(item).to_have_class(re.compile("state-done"))
    page.goto(f"/courses/{COURSE}/done")

    # --- Certificate steps (claim -> download the PDF -> LinkedIn) go here. ---
    claim = f"main a[href='/courses/{COURSE}/certificate']"
    expect(page.locator(claim).first).to_be_visible()
    if keys:
        keys.activate(claim)
    else:
        with page.expect_navigation():
            page.locator(claim).first.click()
    expect(page).to_have_url(re.compile(f"/courses/{COURSE}/certificate$"))
    expect(page.locator("#name")).to_have_value("Ana Dupont")
    if page.locator("#confirm").count():
        if keys:
            keys.tab_to("#confirm")
            page.keyboard.press("Space")
        else:
            page.locator("#confirm").check()
    submit = "main form button[type=submit]"
    if keys:
        keys.activate(submit)
    else:
        with page.expect_navigation():
            page.locator(submit).click()
    expect(page).to_have_url(re.compile(r"/certificates/[A-Z0-9-]+$"))
    expect(page.locator(".status-valid")).to_be_visible()
    expect(page.locator("h1")).to_contain_text("Ana Dupont")
    pdf_link = page.locator("main a[href$='.pdf']").first
    if mode != "keyboard":  # a download is not a navigation: fetch it once, in mouse mode
        response = page.request.get(pdf_link.get_attribute("href") or "")
        assert response.ok and response.body().startswith(b"%PDF")
    linkedin = page.locator("main a[href^='https://www.linkedin.com/']")
    expect(linkedin.first).to_be_visible()
    if keys:
        keys.tab_to("main a[href^='https://www.linkedin.com/']")


@pytest.mark.parametrize("mode", ["mouse", "keyboard", "no-javascript"])
def test_learner_journey(mode: str, browser: Browser, live: LiveServer) -> None:
    viewport = "phone" if mode == "no-javascript" else "desktop"
    context = new_context(browser, live, viewport, java_script_enabled=mode != "no-javascript")
    try:
        learner_journey(context.new_page(), mode, live)
    finally:
        context.close()


def test_error_summary_takes_keyboard_users_to_the_field(page: Page) -> None:
    """After a failed sign-up, the summary links move the focus to the field."""
    page.goto("/signup")
    page.locator("#email").fill("not an address")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    summary = page.locator(".error-summary[role=alert]")
    expect(summary).to_be_visible()
    email = page.locator("#email")
    expect(email).to_have_attribute("aria-invalid", "true")
    described = (email.get_attribute("aria-describedby") or "").split()
    assert "email-error" in described
    expect(page.locator("#email-error")).to_be_visible()
    summary.locator("a[href='#email']").focus()
    page.keyboard.press("Enter")
    expect(email).to_be_focused()


def test_every_page_has_lang_and_one_h1(page: Page) -> None:
    page.goto(f"/courses/{COURSE}/{CHAPTERS[0]}/")
    assert page.locator("html").get_attribute("lang") in ("fr", "en")
    expect(page.locator("h1")).to_have_count(1)
    expect(page.locator("article.chapter")).to_have_attribute("lang", "fr")
