"""Visitors' home and course pages come from a cache per language (web/visitor_pages.py):
the same page as a fresh render, each visitor's own CSRF token, never a learner's page."""

from __future__ import annotations

import pytest
from flask import Flask

from courseware.web.visitor_pages import VISITOR_PAGES_KEY
from tests.helpers import Auth, csrf_token_from_html
from tests.web.conftest import english_client

PAGES = ["/", "/courses/basics/"]


def rendered_fresh(app: Flask, client, url: str) -> str:
    app.extensions.pop(VISITOR_PAGES_KEY, None)
    return client.get(url).get_data(as_text=True)


@pytest.mark.parametrize("url", PAGES)
def test_a_cached_visitor_page_is_the_rendered_page_with_each_visitor_token(app, url):
    ana, bob = english_client(app), english_client(app)
    first = rendered_fresh(app, ana, url)
    cached = ana.get(url).get_data(as_text=True)
    assert cached == first
    other = bob.get(url).get_data(as_text=True)
    assert VISITOR_PAGES_KEY in app.extensions
    # Bob gets his own token, valid for his own forms (the language switch posts it).
    assert csrf_token_from_html(other) != csrf_token_from_html(cached)
    assert other.replace(csrf_token_from_html(other), "") == cached.replace(csrf_token_from_html(cached), "")
    response = bob.post("/language", data={"language": "fr", "next": url,
                                           "csrf_token": csrf_token_from_html(other)})
    assert response.status_code == 302


@pytest.mark.parametrize("url", PAGES)
def test_each_language_has_its_own_page(app, url):
    english, french = english_client(app), app.test_client()
    french.set_cookie("lang", "fr")
    for _ in range(2):
        assert 'lang="en"' in english.get(url).get_data(as_text=True)[:200]
        assert 'lang="fr"' in french.get(url).get_data(as_text=True)[:200]


@pytest.mark.parametrize("url", PAGES)
def test_a_learner_never_gets_the_visitor_page(app, url):
    visitor = english_client(app)
    visitor.get(url)
    visitor.get(url)
    learner = Auth(english_client(app))
    learner.signup()
    learner.client.get("/")  # shows the welcome message
    page = learner.client.get(url).get_data(as_text=True)
    assert "Log out" in page and "Sign up" not in page.split("</header>")[0]
    again = visitor.get(url).get_data(as_text=True)
    assert "Log out" not in again and "Sign up" in again


def test_a_message_for_the_visitor_is_shown_not_cached_away(app):
    visitor = english_client(app)
    visitor.get("/")
    visitor.get("/")
    # Completing a chapter as a visitor flashes a message on the sign-up page; a log-out
    # flashes one on the home page.
    learner = Auth(visitor)
    learner.signup()
    learner.logout()
    page = visitor.get("/").get_data(as_text=True)
    assert "logged out" in page.lower()
    assert "logged out" not in visitor.get("/").get_data(as_text=True).lower()
