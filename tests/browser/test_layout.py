"""What the eye sees at every width: no sideways scrolling on a 320 px phone, bars
and callouts that stay visible in Windows high-contrast mode, wrapped prompts.

One browser, one tab per kind of visitor (the `tabs` fixture), reused page after page.
"""

from __future__ import annotations

import io

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page

from tests.browser.conftest import VIEWPORTS, finish_chapter, new_context, sign_up
from tests.browser.pages import PAGES
from tests.live_server import LiveServer

# The pages a learner meets (the admin and manager areas have their own wide tables).
LEARNER_PAGES = [p for p in PAGES if p.login in (None, "learner", "graduate", "attributed",
                                                    "member", "quiz-passed")]
REDESIGNED = {"home", "home-learner", "course", "course-learner", "course-completed",
              "course-achievement", "chapter", "chapter-learner", "chapter-completed", "account",
              "account-graduate", "signup", "login", "certificate-owner"}

OVERFLOW = """() => {
    const width = document.documentElement.clientWidth;
    const wide = [...document.querySelectorAll('body *')].filter(element => {
        const box = element.getBoundingClientRect();
        // Inside a region that scrolls on its own (a data table) is fine, and so is
        // text clipped for screen readers only.
        return box.right > width + 1 && !element.closest('.table-scroll, pre, .visually-hidden');
    }).slice(0, 5).map(element => element.tagName + '.' + element.className + ' ' +
                      (element.textContent || '').trim().slice(0, 40));
    return {scroll: document.documentElement.scrollWidth - width, wide};
}"""


def sideways_scroll(page: Page) -> dict:
    return page.evaluate(OVERFLOW)


@pytest.mark.parametrize("width", ["small", "phone", "desktop"])
def test_no_learner_page_scrolls_sideways(width: str, tabs: dict[str | None, Page],
                                          paths: dict[str, str]) -> None:
    failures = pages_scrolling_sideways(LEARNER_PAGES, width, tabs, paths)
    assert not failures, "\n".join(failures)


def pages_scrolling_sideways(site_pages, width: str, tabs: dict[str | None, Page],
                             paths: dict[str, str]) -> list[str]:
    """Each page that scrolls sideways at `width`, with the elements that stick out."""
    failures = []
    for site_page in site_pages:
        page = tabs[site_page.login]
        page.set_viewport_size(VIEWPORTS[width])
        page.emulate_media(color_scheme="light", forced_colors="none")
        site_page.open(page, paths)
        found = sideways_scroll(page)
        if found["scroll"] > 0 or found["wide"]:
            failures.append(f"{site_page.name}: {found}")
    return failures


def test_no_page_of_the_demo_course_scrolls_sideways_at_320_px(
        browser: Browser, demo: tuple[LiveServer, str, tuple[str, ...], dict]) -> None:
    """The real chapters: long words in bold, wide tables, prompts in `pre` blocks."""
    server, course, chapters, quizzes = demo
    context = new_context(browser, server, "small")
    page = context.new_page()
    long_email = "marie-christine.delaunay-fontenelle.formation-continue@prefecture-exemple.gouv.fr"
    try:
        sign_up(page, server, email=long_email)
        finish_chapter(page, course, chapters[0], quizzes.get(chapters[0], ()))
        failures = []
        for url in ["/", f"/courses/{course}/", "/account/", "/account/delete",
                    *(f"/courses/{course}/{chapter}/" for chapter in chapters)]:
            page.goto(url)
            found = sideways_scroll(page)
            if found["scroll"] > 0 or found["wide"]:
                failures.append(f"{url}: {found}")
            # A prompt in a `pre` block wraps: it never needs a sideways scroll of its own.
            for block in page.locator(".chapter-body pre:has(> code.language-text)").all():
                assert block.evaluate("e => e.scrollWidth <= e.clientWidth + 1"), url
        assert not failures, "\n".join(failures)
    finally:
        context.close()


def _colours(png: bytes, row: float = 0.5) -> tuple[tuple, tuple]:
    """The colours a quarter of the way in and near the end of a progress bar's picture."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    y = int(image.height * row)
    return image.getpixel((image.width // 8, y)), image.getpixel((image.width - 4, y))


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_progress_bars_and_callouts_stay_visible_in_forced_colours(
        scheme: str, tabs: dict[str | None, Page]) -> None:
    page = tabs["learner"]  # one chapter of three opened, one done by the journey below
    page.set_viewport_size(VIEWPORTS["desktop"])
    page.emulate_media(color_scheme=scheme, forced_colors="active")
    try:
        page.goto("/courses/basics/welcome/")
        if page.locator(".chapter-end form button[type=submit]").count():
            with page.expect_navigation():
                page.locator(".chapter-end form button[type=submit]").click()
        page.goto("/courses/basics/data/")
        bar = page.locator("progress").first
        done, left = _colours(bar.screenshot())
        assert done != left, "the filled part of the bar looks like the empty part"
        callout = page.locator(".callout").first
        assert callout.evaluate("e => parseFloat(getComputedStyle(e).borderTopWidth)") >= 1
        assert callout.evaluate("e => parseFloat(getComputedStyle(e).borderLeftWidth)") >= 4
    finally:
        page.emulate_media(forced_colors="none")


def test_buttons_side_by_side_never_touch(tabs: dict[str | None, Page], paths: dict[str, str]
                                          ) -> None:
    gaps = """() => {
        const buttons = [...document.querySelectorAll('main .button')].filter(b => b.offsetParent);
        const touching = [];
        for (const a of buttons) for (const b of buttons) {
            if (a === b || a.contains(b) || b.contains(a)) continue;
            const p = a.getBoundingClientRect(), q = b.getBoundingClientRect();
            const apart = Math.max(q.left - p.right, p.left - q.right, q.top - p.bottom, p.top - q.bottom);
            if (apart < 8) touching.push(a.textContent.trim() + ' / ' + b.textContent.trim());
        }
        return touching;
    }"""
    failures = []
    for width in ("small", "desktop"):
        for site_page in PAGES:
            if site_page.name not in REDESIGNED | {"account-delete", "certificate-owner"}:
                continue
            page = tabs[site_page.login]
            page.set_viewport_size(VIEWPORTS[width])
            site_page.open(page, paths)
            touching = page.evaluate(gaps)
            if touching:
                failures.append(f"{site_page.name} at {width}: {touching}")
    assert not failures, "\n".join(failures)


def test_the_header_keeps_log_out_on_the_menu_row_on_a_phone(tabs: dict[str | None, Page]) -> None:
    page = tabs["learner"]
    for width in ("small", "phone"):
        page.set_viewport_size(VIEWPORTS[width])
        page.goto("/courses/basics/data/")
        tops = page.evaluate("() => [...document.querySelectorAll('.site-nav li')]"
                             ".map(li => Math.round(li.getBoundingClientRect().top))")
        assert len(set(tops)) == 1, f"the menu wraps at {width}: {tops}"
        crumbs = page.locator(".breadcrumb").evaluate("e => e.getBoundingClientRect().height")
        assert crumbs < 60, f"the breadcrumb takes {crumbs}px at {width}"


def test_the_instructor_dashboard_fits_a_phone(tabs: dict[str | None, Page], paths: dict[str, str]
                                               ) -> None:
    """Instructors check figures on the go too: the tables scroll inside their region."""
    instructor_pages = [p for p in PAGES if p.name.startswith("instructor-")]
    failures = pages_scrolling_sideways(instructor_pages, "phone", tabs, paths)
    assert not failures, "\n".join(failures)


def test_every_form_control_uses_the_page_font(tabs: dict[str | None, Page],
                                               paths: dict[str, str]) -> None:
    """Browsers give buttons, fields and menus a small system font of their own; on our
    pages each control reads in the same typeface as the text around it."""
    odd_controls = """() => {
        const font = element => getComputedStyle(element).fontFamily;
        return [...document.querySelectorAll('button, input:not([type=hidden]), select, textarea')]
            .filter(control => font(control) !== font(control.parentElement))
            .slice(0, 3).map(control => control.outerHTML.slice(0, 80));
    }"""
    failures = []
    for site_page in PAGES:
        page = tabs[site_page.login]
        page.set_viewport_size(VIEWPORTS["desktop"])
        site_page.open(page, paths)
        odd = page.evaluate(odd_controls)
        if odd:
            failures.append(f"{site_page.name}: {odd}")
    assert not failures, "\n".join(failures)


def test_chart_labels_are_not_cut_off(tabs: dict[str | None, Page], paths: dict[str, str]) -> None:
    """Each label of the SVG charts (instructor and organisation dashboards) is drawn
    inside its chart: a long question or chapter title is shortened, not clipped."""
    clipped = """() => [...document.querySelectorAll('svg.chart')].flatMap(svg => {
        const box = svg.viewBox.baseVal;
        return [...svg.querySelectorAll('text')].filter(text => {
            const b = text.getBBox();
            return b.x < box.x - 0.5 || b.x + b.width > box.x + box.width + 0.5;
        }).map(text => text.textContent);
    })"""
    charts = [p for p in PAGES if p.name in ("instructor-dashboard", "instructor-dashboard-chapters",
                                             "organisation-dashboard", "platform-report")]
    failures = []
    for site_page in charts:
        page = tabs[site_page.login]
        page.set_viewport_size(VIEWPORTS["desktop"])
        site_page.open(page, paths)
        assert page.locator("svg.chart").count(), f"{site_page.name} has no chart"
        if found := page.evaluate(clipped):
            failures.append(f"{site_page.name}: {found}")
    assert not failures, "\n".join(failures)


def test_a_table_that_scrolls_sideways_on_a_phone_says_so(
        browser: Browser, demo: tuple[LiveServer, str, tuple[str, ...], dict]) -> None:
    """At 360 px a chapter table either fits, or scrolls inside its region with the visible
    hint under it; never a table cut mid-word with only a faint shadow to tell."""
    server, course, chapters, _quizzes = demo
    context = new_context(browser, server, "phone")
    page = context.new_page()
    tables = """() => [...document.querySelectorAll('.chapter-body .table-scroll')].map(region => {
        const hint = region.nextElementSibling;
        return {caption: region.querySelector('caption').textContent,
                scrolls: region.scrollWidth > region.clientWidth + 1,
                hinted: !!hint && hint.classList.contains('table-hint') && hint.offsetParent !== null};
    })"""
    try:
        failures, seen = [], 0
        for chapter in chapters:
            page.goto(f"/courses/{course}/{chapter}/")
            for table in page.evaluate(tables):
                seen += 1
                if table["scrolls"] and not table["hinted"]:
                    failures.append(f"{chapter}: {table['caption']}")
        assert seen, "the demo course has tables"
        assert not failures, failures
    finally:
        context.close()
