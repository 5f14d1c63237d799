"""A learner's whole path through a course, as seen through the browser's eyes."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

from flask import Flask

from courseware import create_app
from courseware.db import dispose_engines
from tests.helpers import CHAPTERS, Auth, csrf_token, write_course
from tests.web.conftest import english_client

COURSE = "/courses/basics/"
WELCOME, DATA, NEXT = (f"{COURSE}{slug}/" for slug in ("welcome", "data", "next"))


def chapter_states(html: str) -> dict[str, str]:
    """Chapter slug -> the state label the course page shows for it."""
    states = {}
    for item in html.split('<li class="chapter-item')[1:]:
        slug = re.search(r'href="/courses/basics/([a-z0-9-]+)/"', item).group(1)
        label = re.search(r'<span class="state">([^<]+)</span>', item)
        states[slug] = label.group(1) if label else None
    return states


def continue_link(html: str) -> str:
    match = re.search(r'<a class="button button-primary" href="([^"]+)">Continue</a>', html)
    assert match, "the course page has no Continue button"
    return match.group(1)


def test_learner_signs_up_from_a_chapter_and_completes_the_course(client, auth, progress_rows):
    chapter = client.get(WELCOME)
    assert chapter.status_code == 200
    assert "Mark as complete" in chapter.get_data(as_text=True)

    # A visitor who tries to save progress is sent to sign up, then back here.
    refused = client.post(WELCOME + "complete", data={"csrf_token": csrf_token(chapter)})
    assert refused.status_code == 302
    target = urlsplit(refused.headers["Location"])
    assert target.path == "/signup"
    assert parse_qs(target.query)["next"] == [WELCOME]
    signup_page = client.get(refused.headers["Location"]).get_data(as_text=True)
    assert f'name="next" type="hidden" value="{WELCOME}"' in signup_page

    signed_up = auth.signup(next=WELCOME)
    assert signed_up.status_code == 302
    assert signed_up.headers["Location"] == WELCOME
    # The click that led to sign-up counts (issue 10): the chapter comes back done.
    assert [(row.chapter_slug, row.completed_at is not None) for row in progress_rows()] == [
        ("welcome", True)]
    assert "You have completed this chapter." in client.get(WELCOME).get_data(as_text=True)

    for url, after in ((DATA, NEXT), (NEXT, COURSE + "done")):
        page = client.get(url)
        assert page.status_code == 200
        done = auth.complete(url)
        assert done.status_code == 302
        assert done.headers["Location"] == after
        if after != COURSE + "done":
            again = client.get(url).get_data(as_text=True)
            assert "You have completed this chapter." in again
            assert "Mark as complete" not in again

    course_page = client.get(COURSE).get_data(as_text=True)
    assert "3 of 3 chapters done (100%)" in course_page
    assert "You have completed every chapter." in course_page
    assert chapter_states(course_page) == {"welcome": "Done", "data": "Done", "next": "Done"}
    assert "Mark as complete" not in client.get(DATA).get_data(as_text=True)
    assert len(progress_rows()) == 3


def test_course_page_shows_each_chapter_state_and_continue_leads_to_first_unfinished(client, auth):
    auth.signup()
    fresh = client.get(COURSE).get_data(as_text=True)
    assert chapter_states(fresh) == {
        "welcome": "Not started", "data": "Not started", "next": "Not started"}
    assert "0 of 3 chapters done (0%)" in fresh
    assert f'href="{WELCOME}">Start the course</a>' in fresh

    client.get(WELCOME)  # opened, not finished
    auth.complete(NEXT)  # finished without opening first
    page = client.get(COURSE).get_data(as_text=True)
    assert chapter_states(page) == {"welcome": "Started", "data": "Not started", "next": "Done"}
    assert "1 of 3 chapters done (33%)" in page
    assert continue_link(page) == WELCOME

    auth.complete(WELCOME)
    page = client.get(COURSE).get_data(as_text=True)
    assert continue_link(page) == DATA
    assert "2 of 3 chapters done (67%)" in page


def test_completing_the_last_unfinished_chapter_in_the_middle_returns_to_the_course(client, auth):
    auth.signup()
    auth.complete(WELCOME)
    auth.complete(NEXT)
    response = auth.complete(DATA)
    assert response.headers["Location"] == COURSE + "done"  # the achievement page
    assert "Congratulations" in client.get(COURSE + "done").get_data(as_text=True)


def test_completing_a_chapter_before_an_unfinished_one_leads_to_the_next_chapter(client, auth):
    auth.signup()
    auth.complete(NEXT)
    # The last chapter is done but the course is not: "complete" leads on, never to a 404.
    response = auth.complete(DATA)
    assert response.headers["Location"] == NEXT
    assert client.get(response.headers["Location"]).status_code == 200


def test_progress_survives_logging_out_and_in(client, auth):
    auth.signup()
    auth.complete(WELCOME)
    client.get(DATA)
    auth.logout()
    visitor_page = client.get(COURSE).get_data(as_text=True)
    assert "chapters done" not in visitor_page
    assert "Start the course" in visitor_page

    assert auth.login().status_code == 302
    page = client.get(COURSE).get_data(as_text=True)
    assert "1 of 3 chapters done (33%)" in page
    assert chapter_states(page) == {"welcome": "Done", "data": "Started", "next": "Not started"}


def test_first_opening_and_completion_times_are_stored_once(client, auth, progress_rows):
    auth.signup()
    client.get(WELCOME)
    [opened] = progress_rows()
    assert (opened.course_slug, opened.chapter_slug) == ("basics", "welcome")
    assert opened.started_at is not None
    assert opened.completed_at is None

    client.get(WELCOME)  # a second visit changes nothing
    assert progress_rows() == [opened]

    auth.complete(WELCOME)
    [completed] = progress_rows()
    assert completed.started_at == opened.started_at
    assert completed.completed_at is not None
    assert completed.completed_at >= completed.started_at

    # Twice, in another tab: still one row, and the first completion time stays.
    auth.complete(WELCOME)
    client.get(WELCOME)
    assert progress_rows() == [completed]


def test_home_page_shows_progress_of_started_courses(client, auth):
    auth.signup()
    assert "chapters done" not in client.get("/").get_data(as_text=True)
    auth.complete(WELCOME)
    assert "1 of 3 chapters done (33%)" in client.get("/").get_data(as_text=True)


def test_visitors_read_every_chapter_and_saving_sends_them_to_sign_up(client, progress_rows):
    course_page = client.get(COURSE).get_data(as_text=True)
    assert f'href="{WELCOME}">Start the course</a>' in course_page
    for slug, (title, _body) in zip(("welcome", "data", "next"), CHAPTERS.values(), strict=True):
        page = client.get(f"{COURSE}{slug}/")
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        assert f"<h1>{title}</h1>" in html
        assert "You will be asked to create a free account or log in" in html
        response = client.post(f"{COURSE}{slug}/complete", data={"csrf_token": csrf_token(page)})
        assert response.status_code == 302
        location = urlsplit(response.headers["Location"])
        assert (location.path, parse_qs(location.query)) == ("/signup", {"next": [f"{COURSE}{slug}/"]})
    assert progress_rows() == []


def test_chapter_pages_show_rendered_content_and_working_links(client):
    html = client.get(DATA).get_data(as_text=True)
    assert '<img src="../assets/images/diagram.svg" alt="Un schéma"' in html
    assert 'class="callout callout-tip"' in html
    with client.get(urljoin(DATA, "../assets/images/diagram.svg")) as image:
        assert image.status_code == 200
        assert image.mimetype == "image/svg+xml"

    welcome = client.get(WELCOME).get_data(as_text=True)
    assert '<a href="../data/">la suite</a>' in welcome  # link between chapter files
    assert 'href="#premiers-pas"' in welcome  # table of contents
    assert '<h2 id="premiers-pas"' in welcome


def _second_app(app_config: dict, content_dir: Path) -> Flask:
    return create_app({**app_config, "CONTENT_DIR": str(content_dir)})


def test_renaming_a_chapter_file_with_a_fixed_slug_keeps_progress(app, app_config, auth, tmp_path):
    auth.signup()
    auth.complete(DATA)

    # The author renumbers and renames the chapter file but pins its slug.
    renamed = tmp_path / "renamed"
    chapters = {name: value for name, value in CHAPTERS.items() if name != "02-data.md"}
    folder = write_course(renamed / "basics", chapters=chapters)
    title, body = CHAPTERS["02-data.md"]
    (folder / "05-les-donnees.md").write_text(f"---\ntitle: {title}\nslug: data\n---\n{body}",
                                              encoding="utf-8")
    (folder / "01-welcome.md").write_text(
        (folder / "01-welcome.md").read_text().replace("02-data.md", "05-les-donnees.md"))

    new_app = _second_app(app_config, renamed)
    try:
        client = english_client(new_app)
        Auth(client).login()
        page = client.get(COURSE).get_data(as_text=True)
        assert list(chapter_states(page)) == ["welcome", "next", "data"]
        assert chapter_states(page)["data"] == "Done"
        assert "1 of 3 chapters done (33%)" in page
    finally:
        dispose_engines(new_app)


def test_progress_of_removed_chapters_no_longer_counts(app, app_config, auth, tmp_path):
    auth.signup()
    auth.complete(WELCOME)
    auth.complete(DATA)

    shorter = tmp_path / "shorter"
    shutil.copytree(app_config["CONTENT_DIR"], shorter)
    (shorter / "basics" / "02-data.md").unlink()
    (shorter / "basics" / "01-welcome.md").write_text("---\ntitle: Bienvenue\n---\nBonjour.\n")

    new_app = _second_app(app_config, shorter)
    try:
        client = english_client(new_app)
        Auth(client).login()
        page = client.get(COURSE).get_data(as_text=True)
        assert "1 of 2 chapters done (50%)" in page
        assert client.get(DATA).status_code == 404
    finally:
        dispose_engines(new_app)
