"""The dev server's content reload, in-process: pages follow the files, problems show escaped."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from courseware import create_app
from courseware.content import ContentError
from courseware.db import dispose_engines
from courseware.web.dev_reload import LIVE_KEY
from tests.helpers import prepared_app


@pytest.fixture
def dev_app(app_config: dict) -> Iterator[Flask]:
    app = prepared_app({**app_config, "DEV_CONTENT_RELOAD": True})
    yield app
    app.extensions[LIVE_KEY].stop_watching()
    dispose_engines(app)


def saved(app: Flask) -> None:
    """What the watcher thread does on a save (the real thread is tested in tests/cli)."""
    app.extensions[LIVE_KEY].notice_change()


def test_an_edited_chapter_is_served_fresh_not_from_the_page_cache(dev_app: Flask, course_dir: Path):
    client = dev_app.test_client()
    assert "Bonjour et bienvenue" in client.get("/courses/basics/welcome/").text
    assert "Bonjour et bienvenue" in client.get("/courses/basics/welcome/").text  # now cached
    (course_dir / "basics" / "01-welcome.md").write_text(
        "---\ntitle: Bienvenue\n---\n## Premiers pas\n\nNouveau texte.\n", encoding="utf-8")
    saved(dev_app)
    page = client.get("/courses/basics/welcome/")
    assert page.status_code == 200
    assert "Nouveau texte." in page.text and "Bonjour et bienvenue" not in page.text


def test_an_edited_chapter_title_shows_on_the_visitor_course_and_home_pages(dev_app: Flask,
                                                                           course_dir: Path):
    client = dev_app.test_client()
    for url in ("/", "/courses/basics/", "/", "/courses/basics/"):  # the second time: cached
        assert client.get(url).status_code == 200
    (course_dir / "basics" / "course.yaml").write_text(
        (course_dir / "basics" / "course.yaml").read_text(encoding="utf-8")
        .replace("title: Les bases", "title: Les bases revues"), encoding="utf-8")
    saved(dev_app)
    for url in ("/", "/courses/basics/"):
        assert "Les bases revues" in client.get(url).text, url


def test_broken_content_lists_every_problem_escaped_on_every_page(dev_app: Flask, course_dir: Path):
    client = dev_app.test_client()
    client.set_cookie("lang", "en")
    course = course_dir / "basics"
    (course / "<b>odd&amp;.md").write_text("no front matter\n", encoding="utf-8")
    (course / "02-data.md").write_text("---\ntitle: Les données\n---\n## D\n\n![](images/diagram.svg)\n",
                                       encoding="utf-8")
    saved(dev_app)
    for url in ("/", "/courses/basics/", "/courses/basics/welcome/", "/login", "/no/such/page"):
        page = client.get(url)
        assert page.status_code == 503, url
        assert page.headers["Cache-Control"] == "no-store"
        assert "The course content has 2 problems" in page.text
        assert "<code>basics/&lt;b&gt;odd&amp;amp;.md:1</code>: missing front matter" in page.text
        assert "<b>odd" not in page.text
        assert "<code>basics/02-data.md:6</code>" in page.text
    # The page keeps its style sheet.
    with client.get("/static/css/site.css") as stylesheet:
        assert stylesheet.status_code == 200

    french = dev_app.test_client().get("/")
    assert "Le contenu du cours a 2 problèmes" in french.text and "Erreur dans le contenu" in french.text

    (course / "<b>odd&amp;.md").unlink()
    (course / "02-data.md").write_text(
        "---\ntitle: Les données\n---\n## D\n\n![Un schéma](images/diagram.svg)\n", encoding="utf-8")
    saved(dev_app)
    assert client.get("/courses/basics/").status_code == 200


def test_broken_content_at_start_up_still_starts_the_dev_server(app_config: dict, course_dir: Path):
    (course_dir / "basics" / "course.yaml").write_text("slug: [unclosed\n", encoding="utf-8")
    app = create_app({**app_config, "DEV_CONTENT_RELOAD": True})
    try:
        page = app.test_client().get("/")
        assert page.status_code == 503
        assert "basics/course.yaml:2" in page.text and "invalid YAML" in page.text
    finally:
        app.extensions[LIVE_KEY].stop_watching()
        dispose_engines(app)


def test_the_production_app_still_refuses_broken_content(app_config: dict, course_dir: Path):
    (course_dir / "basics" / "course.yaml").write_text("slug: [unclosed\n", encoding="utf-8")
    with pytest.raises(ContentError):
        create_app(app_config)
