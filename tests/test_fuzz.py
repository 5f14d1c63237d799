"""Property-based fuzzing: whatever a visitor or a signed-in admin sends to any
route or form, and whatever Markdown an instructor writes, the answer is a page
or a list of problems: never a 5xx, never a traceback.

Routes and forms are discovered from the app itself, so a new route or form is
fuzzed without touching this file.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from courseware.content import check_library
from courseware.db import get_engine
from courseware.models import Organisation, User
from tests.helpers import Auth, csrf_token_from_html, write_course

FUZZ = settings(max_examples=12, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
PASSWORD = "un mot de passe solide"
SKIP_ENDPOINTS = {"static", "observability.prometheus"}

# Text a hostile or careless client might send: any Unicode but lone surrogates
# (which cannot travel in UTF-8), control characters and NUL included.
NASTY = ["", "\x00", "ana\x00@example.org", "x" * 5000, "é" * 300, "' OR 1=1 --", "<script>x</script>",
         "\u202e\u200b\ufeff", "../../etc/passwd", "%00", "ana@example.org", "2026-02-30", "-1",
         "9" * 40, "\r\nSet-Cookie: x=y"]
hostile_text = st.one_of(st.sampled_from(NASTY),
                         st.text(st.characters(exclude_categories=("Cs",)), max_size=300))
known_values = st.sampled_from(["basics", "welcome", "data", "next", "a", "0", "-1",
                                "AAAA-BBBB-CCCC-DDDD", "..", "%2e%2e", "x" * 300])
path_values = st.one_of(known_values, st.text(st.characters(exclude_categories=("Cs",)),
                                              min_size=1, max_size=60))


class _Fields(HTMLParser):
    """Names of the fields of every form on a page, by form action."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: dict[str, set[str]] = {}
        self._action: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "form":
            self._action = values.get("action") or ""
            self.forms.setdefault(self._action, set())
        elif tag in ("input", "select", "textarea", "button") and self._action is not None:
            if values.get("name") and values["name"] != "csrf_token":
                self.forms[self._action].add(values["name"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._action = None


def _routes(app: Flask, method: str) -> list:
    return sorted((rule for rule in app.url_map.iter_rules()
                   if method in rule.methods and rule.endpoint not in SKIP_ENDPOINTS),
                  key=lambda rule: rule.rule)


def _url(rule, values: dict[str, str]) -> str:
    path = rule.rule
    for argument in rule.arguments:
        path = re.sub(r"<(?:[^:<>]+:)?" + argument + ">", quote(values[argument], safe=""), path)
    return path


def _admin_client(app: Flask) -> FlaskClient:
    now = datetime.now(UTC)
    with Session(get_engine(app)) as session:
        session.add(User(email="admin@example.org", name="Admin", role="admin", created_at=now,
                         password_hash=app.extensions["courseware.hasher"].hash(PASSWORD)))
        session.add(Organisation(slug="a", name="Organisation A", created_at=now))
        session.commit()
    client = app.test_client()
    assert Auth(client).login(email="admin@example.org", password=PASSWORD).status_code == 302
    return client


def _assert_no_server_error(response, what: str) -> None:
    body = response.get_data()  # bytes: PDFs, images and CSV files are answers too
    response.close()
    assert response.status_code < 500, f"{what}: {response.status_code}"
    assert b"Traceback (most recent call last)" not in body, what


def test_every_get_route_survives_any_path(app):
    visitor, admin = app.test_client(), _admin_client(app)
    rules = _routes(app, "GET")
    assert len(rules) > 10

    @FUZZ
    @given(st.data())
    def check(data: st.DataObject) -> None:
        for rule in rules:
            url = _url(rule, {name: data.draw(path_values) for name in rule.arguments})
            for client in (visitor, admin):
                _assert_no_server_error(client.get(url), f"GET {url}")

    check()


def test_every_form_survives_any_input(app):
    visitor, admin = app.test_client(), _admin_client(app)
    rules = _routes(app, "POST")
    assert len(rules) > 5
    pages = {}
    for rule in rules:
        url = _url(rule, {name: "basics" if "course" in name else "a" for name in rule.arguments})
        page = admin.get(url) if "GET" in rule.methods else admin.get("/")
        html = page.get_data(as_text=True)
        parser = _Fields()
        parser.feed(html)
        names = parser.forms.get(url) or set().union(*parser.forms.values(), {"name", "email"})
        pages[url] = (sorted(names), "csrf_token" in html)

    @settings(FUZZ, max_examples=25)
    @given(st.data())
    def check(data: st.DataObject) -> None:
        for url, (names, _has_token) in pages.items():
            for client in (visitor, admin):
                home = client.get("/").get_data(as_text=True)
                form = {name: data.draw(hostile_text) for name in names}
                # Mostly a valid token, so the input reaches the views behind the CSRF check.
                token = csrf_token_from_html(home)
                form["csrf_token"] = data.draw(st.sampled_from([token, token, token, "", "forged"]))
                _assert_no_server_error(client.post(url, data=form), f"POST {url} {form}")

    check()


markdown_pieces = st.lists(st.one_of(
    hostile_text,
    st.sampled_from(["## Titre", "### Question ?", "::: tip", "::: quiz", ":::", "- [x] oui",
                     "- [ ] non", "> explication", "[lien](02-data.md#nulle-part)",
                     "![](images/absent.png)", "![alt](http://example.org/x.png)", "[^1]",
                     "[^1]: note", "| a | b |\n|---|---|", "```python\nprint(1)\n```", "<script>",
                     "---", "\x00", "\ufeff", "[x](../../etc/passwd)", "[c](chapter:data)"]),
), max_size=25)


@FUZZ
@given(pieces=markdown_pieces, front=st.one_of(st.just(""), hostile_text))
def test_the_markdown_loader_never_crashes(tmp_path_factory, pieces, front):
    content = tmp_path_factory.mktemp("fuzz") / "content"
    folder = write_course(content / "basics")
    body = "\n\n".join(pieces)
    (folder / "02-data.md").write_text(f"---\ntitle: Données\n{front}\n---\n{body}\n",
                                       encoding="utf-8", errors="surrogatepass")
    courses, problems = check_library(content)
    for problem in problems:  # each one points at a file of the course, with a message
        assert Path(problem.path).resolve().is_relative_to(content.resolve()), problem
        assert problem.line >= 0 and problem.message.strip(), problem
    assert courses or problems
