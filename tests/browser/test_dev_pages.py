"""The instructor's pages: a draft chapter's banner and the dev server's content-error page,
checked with axe like every other page (tests/browser/test_accessibility.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from tests.browser.conftest import CHROMIUM, PASSWORD, VIEWPORTS
from tests.browser.test_accessibility import axe_violations, describe
from tests.browser.test_layout import sideways_scroll
from tests.helpers import write_course
from tests.live_server import running_dev_server

ADMIN = "admin@example.org"


@pytest.fixture
def dev_site(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """`serve --dev` over a course whose second chapter is a draft, with an admin account."""
    course = write_course(tmp_path / "content" / "basics")
    draft = course / "03-next.md"  # linked from no published chapter
    draft.write_text(draft.read_text(encoding="utf-8").replace("---\n", "---\ndraft: true\n", 1),
                     encoding="utf-8")
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"),
           "COURSEWARE_CONTENT_DIR": str(tmp_path / "content"),
           "COURSEWARE_INSTANCE_DIR": str(tmp_path / "instance"),
           "COURSEWARE_DATABASE_URL": f"sqlite:///{tmp_path / 'dev.db'}",
           "COURSEWARE_SECRET_KEY": "dev-server-test-key"}
    subprocess.run([sys.executable, "-m", "courseware.cli", "users", "create-admin", "--email", ADMIN,
                    "--name", "Admin", "--password-stdin"], input=PASSWORD, text=True, env=env,
                   check=True, capture_output=True, timeout=60)
    with running_dev_server(content_dir=tmp_path / "content", instance_dir=tmp_path / "instance",
                            database_url=env["COURSEWARE_DATABASE_URL"]) as url:
        yield url, course


def test_the_draft_banner_and_the_content_error_page_pass_axe(browser: Browser, dev_site,
                                                              axe_source: str) -> None:
    assert Path(CHROMIUM).exists()
    url, course = dev_site
    context = browser.new_context(base_url=url, viewport=VIEWPORTS["desktop"], locale="fr-FR")
    context.add_init_script(axe_source)
    page = context.new_page()
    try:
        page.goto("/login")
        page.locator("#email").fill(ADMIN)
        page.locator("#password").fill(PASSWORD)
        with page.expect_navigation():
            page.locator("main form button[type=submit]").click()
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)  # type: ignore[arg-type]
            response = page.goto("/courses/basics/next/")
            assert response is not None and response.status == 200
            assert page.locator(".draft-banner").is_visible()
            violations = axe_violations(page)
            assert not violations, f"draft chapter ({scheme}):\n{describe(violations)}"
            page.goto("/courses/basics/")
            assert page.locator(".draft-badge").is_visible()
            assert not axe_violations(page), describe(axe_violations(page))

        # A long file name with no space: the message must still wrap on a phone.
        missing = "schema-du-pipeline-d-apprentissage-automatique-version-finale-2026-12.svg"
        (course / "02-data.md").write_text(
            f"---\ntitle: Les données\n---\n![](images/{missing})\n", encoding="utf-8")
        page.wait_for_timeout(1500)  # let the watcher see the save (the page is polled below)
        for _attempt in range(20):
            response = page.goto("/")
            if response is not None and response.status == 503:
                break
            page.wait_for_timeout(500)
        assert response is not None and response.status == 503
        assert "basics/02-data.md:4" in page.locator("main").inner_text()
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)  # type: ignore[arg-type]
            page.reload()
            violations = axe_violations(page)
            assert not violations, f"content-error page ({scheme}):\n{describe(violations)}"
        page.set_viewport_size(VIEWPORTS["phone"])
        assert missing in page.locator("main").inner_text()
        found = sideways_scroll(page)
        assert found["scroll"] <= 0 and not found["wide"], f"the error page scrolls sideways: {found}"
    finally:
        context.close()
