"""The platform's and the course's own identity: a ministry self-hosting the site
shows its name and logo, a course its colour and cover, never "Courseware"."""

from __future__ import annotations

import re

import pytest

from courseware import create_app
from courseware.config import ConfigError
from courseware.content import load_course
from courseware.db import dispose_engines
from courseware.web.course_theme import DARK_BACKGROUNDS, LIGHT_BACKGROUNDS, contrast, theme_css
from tests.helpers import COURSE_YAML, Auth, write_course
from tests.web.conftest import english_client

LOGO = '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40"><title>M</title></svg>'
PAGES = ("/", "/courses/basics/", "/courses/basics/welcome/", "/login", "/signup", "/accessibility",
         "/privacy", "/account/")


@pytest.fixture
def ministry(app_config, tmp_path):
    (tmp_path / "logo.svg").write_text(LOGO, encoding="utf-8")
    write_course(tmp_path / "branded" / "basics", COURSE_YAML + 'accent: "#ffeb3b"\n'
                 "cover: images/diagram.svg\n")
    app = create_app({**app_config, "PLATFORM_NAME": "Ministère de l’Exemple",
                      "PLATFORM_LOGO": str(tmp_path / "logo.svg"),
                      "CONTENT_DIR": str(tmp_path / "branded")})
    yield app
    dispose_engines(app)


def test_the_configured_name_and_logo_replace_courseware_everywhere(ministry):
    client = english_client(ministry)
    Auth(client).signup()
    for url in PAGES:
        html = client.get(url).get_data(as_text=True)
        assert "Courseware" not in html, url
        assert re.search(r"<title>[^<]* · Ministère de l’Exemple</title>", html), url
        assert '<img class="brand-logo" src="/platform-logo" alt="" width="120" height="40">' in html
    with client.get("/platform-logo") as logo:
        assert logo.status_code == 200 and logo.mimetype == "image/svg+xml"
        assert logo.get_data(as_text=True) == LOGO


def test_without_a_logo_the_mark_is_drawn_and_there_is_no_logo_address(client):
    html = client.get("/").get_data(as_text=True)
    assert 'class="brand-mark"' in html and "<span>Courseware</span>" in html
    assert client.get("/platform-logo").status_code == 404


@pytest.mark.parametrize(("logo", "message"), [("missing.svg", "does not exist"),
                                                ("logo.gif", "must be an .svg or .png")])
def test_a_logo_that_cannot_be_shown_stops_start_up_with_the_setting_named(
        app_config, tmp_path, logo, message):
    (tmp_path / "logo.gif").write_bytes(b"GIF89a")
    with pytest.raises(ConfigError, match=f"COURSEWARE_PLATFORM_LOGO: .*{message}"):
        create_app({**app_config, "PLATFORM_LOGO": str(tmp_path / logo)})


def test_the_course_accent_colour_is_a_first_party_style_sheet_that_stays_readable(ministry):
    client = english_client(ministry)
    for url in ("/", "/courses/basics/", "/courses/basics/welcome/"):
        html = client.get(url).get_data(as_text=True)
        assert '<link rel="stylesheet" href="/courses/basics/theme.css?v=ffeb3b">' in html, url
    with client.get("/courses/basics/theme.css?v=ffeb3b") as sheet:
        assert sheet.mimetype == "text/css"
        assert "max-age=31536000" in sheet.headers["Cache-Control"]
        css = sheet.get_data(as_text=True)
    light, dark = re.findall(r"--accent: (#[0-9a-f]{6})", css)
    assert all(contrast(light, background) >= 4.5 for background in LIGHT_BACKGROUNDS)
    assert all(contrast(dark, background) >= 4.5 for background in DARK_BACKGROUNDS)
    assert "Ministère" not in css


def test_a_course_without_accent_has_no_theme(client):
    assert "theme.css" not in client.get("/courses/basics/").get_data(as_text=True)
    assert client.get("/courses/basics/theme.css").status_code == 404
    assert client.get("/courses/nope/theme.css").status_code == 404


@pytest.mark.parametrize("colour", ["#000000", "#ffffff", "#2347c5", "#ffeb3b", "#00ff00"])
def test_any_accent_an_author_picks_is_made_readable_in_both_themes(colour):
    light, dark = re.findall(r"--accent: (#[0-9a-f]{6})", theme_css(colour))
    assert min(contrast(light, b) for b in LIGHT_BACKGROUNDS) >= 4.5
    assert min(contrast(dark, b) for b in DARK_BACKGROUNDS) >= 4.5


def test_the_cover_image_is_shown_with_its_size(ministry):
    html = english_client(ministry).get("/courses/basics/").get_data(as_text=True)
    assert '<img class="course-cover" src="/courses/basics/assets/images/diagram.svg" alt="" ' \
        'width="10" height="10">' in html


@pytest.mark.parametrize(("extra", "line", "message"), [
    ('accent: "blue"', 6, "'accent' must be a colour written #rrggbb"),
    ("cover: images/none.svg", 6, "cover 'images/none.svg' does not exist"),
    ("cover: ../../etc/passwd.png", 6, "points outside the course folder"),
    ("cover: notes.txt", 6, "'cover' must be an image file"),
    ("outcomes: just one string", 6, "'outcomes' must be a list"),
    ("audience: [a, b]", 6, "'audience' must be one line of text"),
])
def test_a_mistyped_presentation_key_is_reported_with_its_line(tmp_path, extra, line, message):
    folder = write_course(tmp_path / "basics", COURSE_YAML + extra + "\n")
    course, problems = load_course(folder)
    assert course is None
    assert [(p.line, message in p.message) for p in problems] == [(line, True)], problems


def test_every_page_describes_itself_for_search_engines_and_link_previews(client):
    descriptions = {}
    for url in ("/", "/courses/basics/", "/courses/basics/welcome/", "/courses/basics/data/",
                "/login"):
        html = client.get(url).get_data(as_text=True)
        found = re.findall(r'<meta name="description" content="([^"]+)">', html)
        assert len(found) == 1 and len(found[0]) > 20, url
        descriptions[url] = found[0]
    assert len(set(descriptions.values())) == len(descriptions)
    assert "Bienvenue" in descriptions["/courses/basics/welcome/"]
