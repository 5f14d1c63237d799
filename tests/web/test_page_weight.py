"""Page weight and request count per page type of the demo course, with a budget.

A first visit with an empty cache, as a browser that accepts gzip and brotli
makes it: the page, then every style sheet, script, icon and image it links
(for a `srcset`, its largest candidate: a phone with a dense screen picks it).
Transferred bytes are the status line, the headers and the encoded body, as on
the wire. The table is printed on every run:

    .venv/bin/python -m pytest -n0 tests/web/test_page_weight.py -s
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from courseware.db import dispose_engines, get_engine
from courseware.models import User
from courseware.progress import record_chapter_completed
from tests.helpers import Auth, prepared_app, settle_login_cache

DEMO_CONTENT = Path(__file__).parents[2] / "content"
BROWSER = {"Accept-Encoding": "gzip, deflate, br, zstd", "Accept-Language": "fr-FR,fr;q=0.9"}
KB = 1024
# page type -> (most bytes transferred, most requests), first visit, empty cache.
BUDGETS = {
    "home": (40 * KB, 4),
    "sign-up": (40 * KB, 4),
    "course": (40 * KB, 4),
    "chapter": (40 * KB, 4),
    # code.css (2 KB compressed) is linked only where a chapter highlights code: one
    # more request there, once (a year in the cache), none on every other page.
    "chapter with code": (40 * KB, 5),
    "account": (40 * KB, 4),
    "certificate": (60 * KB, 5),
}


class Subresources(HTMLParser):
    """The URLs a browser fetches to show the page."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "link" and values.get("rel") in ("stylesheet", "icon"):
            self.urls.append(values["href"])
        elif tag == "script" and values.get("src"):
            self.urls.append(values["src"])
        elif tag == "img":
            candidates = [c.split() for c in values.get("srcset", "").split(",") if c.strip()]
            if candidates:
                self.urls.append(max(candidates, key=lambda c: int(c[1].rstrip("w")))[0])
            else:
                self.urls.append(values["src"])


@dataclass
class Weight:
    page: str
    url: str
    requests: int
    transferred: int
    html: int  # the page itself, as transferred
    uncompressed_html: int


def on_the_wire(response) -> int:  # type: ignore[no-untyped-def]
    head = f"HTTP/1.1 {response.status}\r\n" + "".join(
        f"{name}: {value}\r\n" for name, value in response.headers.items()) + "\r\n"
    body = response.get_data()
    response.close()
    return len(head.encode()) + len(body)


def weigh(client: FlaskClient, page: str, url: str) -> Weight:
    response = client.get(url, headers=BROWSER)
    assert response.status_code == 200, (url, response.status_code)
    html_bytes = on_the_wire(response)
    plain = client.get(url, headers={"Accept-Language": BROWSER["Accept-Language"]}).get_data(as_text=True)
    parser = Subresources()
    parser.feed(plain)
    total, fetched = html_bytes, set()
    for sub in (urljoin(url, relative) for relative in parser.urls):
        if sub in fetched:
            continue
        fetched.add(sub)
        sub_response = client.get(sub, headers=BROWSER)
        assert sub_response.status_code == 200, (sub, sub_response.status_code)
        total += on_the_wire(sub_response)
    return Weight(page, url, 1 + len(fetched), total, html_bytes, len(plain.encode()))


@pytest.fixture
def demo_app(app_config: dict) -> Iterator[Flask]:
    app = prepared_app({**app_config, "CONTENT_DIR": str(DEMO_CONTENT)})
    yield app
    dispose_engines(app)


def finish_course(app: Flask, email: str) -> None:
    """Every chapter done (quizzes included): straight in the table, as passing them would."""
    course = app.extensions["courseware.library"].courses[0]
    with get_engine(app).begin() as connection:
        user_id = connection.scalar(select(User.id).where(User.email == email))
        for chapter in course.chapters:
            record_chapter_completed(connection, user_id, course.slug, chapter.slug, datetime.now(UTC))
    settle_login_cache(app)


def test_page_weight_and_requests_stay_within_budget(demo_app, capsys):
    course = demo_app.extensions["courseware.library"].courses[0]
    code_chapter = next(c for c in course.chapters if 'class="highlight"' in c.html)
    plain_chapter = course.chapters[1]  # the benchmark's chapter
    assert 'class="highlight"' not in plain_chapter.html
    visitor = demo_app.test_client()
    weights = [weigh(visitor, "home", "/"), weigh(visitor, "sign-up", "/signup")]

    auth = Auth(demo_app.test_client())
    auth.signup()
    learner = auth.client
    weights += [
        weigh(learner, "course", f"/courses/{course.slug}/"),
        weigh(learner, "chapter", f"/courses/{course.slug}/{plain_chapter.slug}/"),
        weigh(learner, "chapter with code", f"/courses/{course.slug}/{code_chapter.slug}/"),
    ]
    finish_course(demo_app, "ana@example.org")
    claim = f"/courses/{course.slug}/certificate"
    response = auth.post(claim, {"name": "Ana Dupont", "confirm": "y"}, token_from=claim)
    assert response.status_code == 302, response.get_data(as_text=True)[-600:]
    weights += [weigh(learner, "certificate", response.headers["Location"]),
                weigh(learner, "account", "/account/")]

    with capsys.disabled():
        print("\npage weight, first visit (empty cache, gzip/brotli accepted):")
        print(f"  {'page':<18} {'requests':>8} {'transferred':>12} {'budget':>14} "
              f"{'page alone':>11} {'uncompressed':>13}")
        for w in weights:
            limit, most = BUDGETS[w.page]
            budget = f"{limit // KB} KB, {most}"
            print(f"  {w.page:<18} {w.requests:>8} {w.transferred / KB:>9.1f} KB {budget:>14} "
                  f"{w.html / KB:>8.1f} KB {w.uncompressed_html / KB:>10.1f} KB")
    over = [w for w in weights if w.transferred > BUDGETS[w.page][0] or w.requests > BUDGETS[w.page][1]]
    assert not over, f"over budget: {over}"


def test_a_repeat_view_fetches_only_the_page(demo_app):
    """Style sheets and icons are immutable for a year: the second page costs one request."""
    client = demo_app.test_client()
    first = client.get("/", headers=BROWSER)
    parser = Subresources()
    parser.feed(client.get("/").get_data(as_text=True))
    first.close()
    for url in parser.urls:
        response = client.get(url, headers=BROWSER)
        response.close()
        assert response.cache_control.immutable and response.cache_control.max_age == 365 * 24 * 3600
        assert "Cookie" not in response.vary, url
