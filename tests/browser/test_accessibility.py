"""axe-core finds no WCAG 2.0/2.1 A or AA violation on any page type.

axe-core is vendored (tests/browser/vendor/axe.min.js, MPL-2.0, see
axe-core.LICENSE there) so the check needs no network and no npm at test time.
To upgrade: `npm install --prefix /tmp/axe axe-core@4` and copy
node_modules/axe-core/axe.min.js here, then update AXE_CORE_VERSION in
courseware/web/pages.py (the accessibility statement names it).
"""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import VIEWPORTS
from tests.browser.pages import PAGES, SitePage

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# (viewport, colour scheme): phone and desktop in light, desktop in dark too.
DISPLAYS = [("phone", "light"), ("desktop", "light"), ("desktop", "dark")]


def axe_violations(page: Page) -> list[dict]:
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_TAGS)
    return result["violations"]


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:5]:
            summary = re.sub(r"\s+", " ", node.get("failureSummary") or "")
            lines.append(f"    {json.dumps(node['target'])}: {summary[:300]}")
    return "\n".join(lines)


def test_axe_version_matches_statement(axe_source: str) -> None:
    from courseware.web.pages import AXE_CORE_VERSION

    assert axe_source.startswith(f"/*! axe v{AXE_CORE_VERSION}"), \
        "update AXE_CORE_VERSION in courseware/web/pages.py with the vendored axe-core"


@pytest.mark.parametrize("display", DISPLAYS, ids=["-".join(d) for d in DISPLAYS])
@pytest.mark.parametrize("site_page", PAGES, ids=[p.name for p in PAGES])
def test_no_wcag_violation(site_page: SitePage, display: tuple[str, str],
                           tabs: dict[str | None, Page], paths: dict[str, str]) -> None:
    viewport, scheme = display
    page = tabs[site_page.login]
    page.set_viewport_size(VIEWPORTS[viewport])
    page.emulate_media(color_scheme=scheme)  # type: ignore[arg-type]
    site_page.open(page, paths)
    violations = axe_violations(page)
    assert not violations, f"{site_page.name} at {viewport} ({scheme}), {page.url}:\n" \
        + describe(violations)


# The redesigned learner pages also at 320 px and in forced colours (Windows high contrast).
REDESIGNED = [p for p in PAGES if p.name in {
    "home", "home-learner", "course", "course-learner", "course-completed", "course-achievement",
    "chapter", "chapter-learner", "chapter-completed", "account", "account-graduate", "signup",
    "login", "account-delete", "certificate-owner"}]
EXTRA_DISPLAYS = [("small", "light", "none"), ("phone", "dark", "active")]


@pytest.mark.parametrize("display", EXTRA_DISPLAYS, ids=["-".join(d) for d in EXTRA_DISPLAYS])
@pytest.mark.parametrize("site_page", REDESIGNED, ids=[p.name for p in REDESIGNED])
def test_no_wcag_violation_on_small_screens_and_in_forced_colours(
        site_page: SitePage, display: tuple[str, str, str], tabs: dict[str | None, Page],
        paths: dict[str, str]) -> None:
    viewport, scheme, forced = display
    page = tabs[site_page.login]
    page.set_viewport_size(VIEWPORTS[viewport])
    page.emulate_media(color_scheme=scheme, forced_colors=forced)  # type: ignore[arg-type]
    try:
        site_page.open(page, paths)
        violations = axe_violations(page)
    finally:
        page.emulate_media(forced_colors="none")
    assert not violations, f"{site_page.name} at {display}, {page.url}:\n" + describe(violations)


def test_axe_reports_a_broken_page(tabs: dict[str | None, Page]) -> None:
    """The harness itself works: a page with known faults does fail."""
    page = tabs[None]
    page.goto("/")
    page.evaluate("""() => {
        document.documentElement.removeAttribute('lang');
        document.querySelector('main').insertAdjacentHTML('beforeend',
            '<img src="/static/img/favicon.svg"><input type="text">');
    }""")
    rules = {violation["id"] for violation in axe_violations(page)}
    assert {"html-has-lang", "image-alt", "label"} <= rules
