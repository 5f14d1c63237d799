"""`courseware serve --dev` as an instructor uses it: a real server process, real file edits."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from urllib.error import HTTPError
from urllib.request import urlopen

import pytest

from tests.helpers import write_course
from tests.live_server import running_dev_server

CHAPTER = "/courses/basics/welcome/"
# How long a save may take to show; generous, the machine is shared (not a timed assertion:
# the test polls and only fails if the change never shows).
PATIENCE = 30.0


def fetch(url: str) -> tuple[int, str]:
    try:
        with urlopen(url, timeout=5) as response:  # noqa: S310 - loopback only
            return response.status, response.read().decode()
    except HTTPError as error:
        body = error.read().decode()
        error.close()
        return error.code, body


def wait_for(url: str, predicate) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    """Poll `url` until `predicate(status, body)` holds; the last answer otherwise."""
    deadline = time.monotonic() + PATIENCE
    status, body = 0, ""
    while time.monotonic() < deadline:
        try:
            status, body = fetch(url)
        except OSError:  # not listening yet
            status, body = 0, ""
        if predicate(status, body):
            return status, body
        time.sleep(0.2)
    return status, body


@pytest.fixture
def dev_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A `serve --dev` process on a free port, over a fresh copy of a tiny course."""
    content = tmp_path / "content"
    write_course(content / "basics")
    with running_dev_server(content_dir=content, instance_dir=tmp_path / "instance",
                            database_url=f"sqlite:///{tmp_path / 'dev.db'}") as url:
        status, _body = wait_for(url + CHAPTER, lambda status, body: status == 200)
        assert status == 200
        yield url, content / "basics"


def test_a_saved_change_shows_without_restart_and_broken_content_shows_in_the_browser(dev_server):
    url, course = dev_server
    chapter_file = course / "01-welcome.md"
    assert "Bonjour et bienvenue" in fetch(url + CHAPTER)[1]

    chapter_file.write_text("---\ntitle: Bienvenue\n---\n## Premiers pas\n\nUn texte réécrit.\n",
                            encoding="utf-8")
    status, body = wait_for(url + CHAPTER, lambda status, body: "Un texte réécrit." in body)
    assert status == 200 and "Un texte réécrit." in body

    # A new chapter appears on save too.
    (course / "04-new.md").write_text("---\ntitle: Un nouveau chapitre\n---\n## Neuf\n\nTout neuf.\n",
                                      encoding="utf-8")
    status, body = wait_for(url + "/courses/basics/new/", lambda status, body: status == 200)
    assert status == 200 and "Tout neuf." in body

    # Broken: every page lists the problem as file:line: message, instead of a trace or a stale page.
    chapter_file.write_text("---\ntitle: Bienvenue\n---\n## Premiers pas\n\n[la suite](99-nowhere.md)\n",
                            encoding="utf-8")
    status, body = wait_for(url + CHAPTER, lambda status, body: status == 503)
    assert status == 503
    assert "basics/01-welcome.md:6" in body
    assert "link to unknown chapter" in body
    status, home = fetch(url + "/")
    assert status == 503 and "basics/01-welcome.md:6" in home

    # Fixed: the course is back, with the fixed text, still without a restart.
    chapter_file.write_text("---\ntitle: Bienvenue\n---\n## Premiers pas\n\nRéparé.\n", encoding="utf-8")
    status, body = wait_for(url + CHAPTER, lambda status, body: status == 200)
    assert status == 200 and "Réparé." in body
