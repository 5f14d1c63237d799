"""Interface language: the learner's choice, else the browser's, else the default."""

from __future__ import annotations

from functools import lru_cache

from flask import Flask, current_app, request
from flask_login import current_user
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from .extensions import babel

LANGUAGES = {"fr": "Français", "en": "English"}
LANGUAGE_COOKIE = "lang"


def chosen_language() -> str | None:
    """The language the visitor picked (the `lang` cookie), if it is one we have.

    The cookie is whatever the browser sends: only a known code may be stored.
    """
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    return chosen if chosen in LANGUAGES else None


def select_locale() -> str:
    chosen = chosen_language()
    if chosen is not None:
        return chosen
    user_locale = getattr(current_user, "locale", None)
    if user_locale in LANGUAGES:
        return user_locale
    best = _best_language(request.headers.get("Accept-Language", ""))
    return best or current_app.config["DEFAULT_LOCALE"]


@lru_cache(maxsize=512)
def _best_language(header: str) -> str | None:
    # Browsers send a handful of distinct headers: parse each once per process.
    return parse_accept_header(header, LanguageAccept).best_match(list(LANGUAGES))


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
