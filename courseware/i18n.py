"""Interface language: the learner's choice, else the browser's, else the default."""

from __future__ import annotations

from flask import Flask, current_app, request
from flask_login import current_user

from .extensions import babel

LANGUAGES = {"fr": "Français", "en": "English"}
LANGUAGE_COOKIE = "lang"


def select_locale() -> str:
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in LANGUAGES:
        return chosen
    user_locale = getattr(current_user, "locale", None)
    if user_locale in LANGUAGES:
        return user_locale
    best = request.accept_languages.best_match(list(LANGUAGES))
    return best or current_app.config["DEFAULT_LOCALE"]


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
