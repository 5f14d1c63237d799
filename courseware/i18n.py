"""Interface language: the learner's choice, else the browser's, else the default."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from flask import Flask, current_app, request
from flask_login import current_user
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from .extensions import babel

LANGUAGES = {"fr": "Français", "en": "English"}
LANGUAGE_COOKIE = "lang"
# `?lang=en` on a page: that language for this request (the `hreflang` links use it).
LANGUAGE_ARGUMENT = "lang"


def chosen_language() -> str | None:
    """The language the visitor picked (the `lang` cookie), if it is one we have.

    The cookie is whatever the browser sends: only a known code may be stored.
    """
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    return chosen if chosen in LANGUAGES else None


def select_locale() -> str:
    return interface_language(asked=request.args.get(LANGUAGE_ARGUMENT),
                              cookie=request.cookies.get(LANGUAGE_COOKIE),
                              account_locale=getattr(current_user, "locale", None),
                              accept_language=request.headers.get("Accept-Language", ""),
                              default=current_app.config["DEFAULT_LOCALE"])


def interface_language(*, asked: str | None, cookie: str | None, account_locale: str | None,
                       accept_language: str, default: str) -> str:
    """The interface language from what the request says, first match wins:
    `?lang=`, the `lang` cookie, the account's language, Accept-Language."""
    return best_language(tuple(LANGUAGES), default, asked=asked, cookie=cookie,
                         account_locale=account_locale, accept_language=accept_language)


def best_language(available: Sequence[str], default: str, *, asked: str | None,
                  cookie: str | None, account_locale: str | None, accept_language: str) -> str:
    """The first of `?lang=`, cookie and account language that is `available`,
    else the browser's best match, else `default`. Plain values in, so the
    chapter page's fast path (web/chapter_fast_path.py) chooses exactly as views do."""
    for candidate in (asked, cookie, account_locale):
        if candidate in available:
            return candidate
    return _best_language(accept_language, tuple(available)) or default


@lru_cache(maxsize=512)
def _best_language(header: str, available: tuple[str, ...] = tuple(LANGUAGES)) -> str | None:
    # Browsers send a handful of distinct headers: parse each once per process.
    return parse_accept_header(header, LanguageAccept).best_match(list(available))


def content_language(available: Sequence[str], default: str) -> str:
    """The language to show a course in, among the ones it has.

    The same preference as the interface: `?lang=` on the page, else the choice
    remembered in the cookie or the account, else the browser's Accept-Language,
    else the course's original language. A course may have languages the
    interface does not (the cookie may then hold one of them).
    """
    return best_language(available, default, asked=request.args.get(LANGUAGE_ARGUMENT),
                         cookie=request.cookies.get(LANGUAGE_COOKIE),
                         account_locale=getattr(current_user, "locale", None),
                         accept_language=request.headers.get("Accept-Language", ""))


@lru_cache(maxsize=64)
def language_name(code: str) -> str:
    """A language's name in itself ("English", "Deutsch"), for language switches."""
    if code in LANGUAGES:
        return LANGUAGES[code]
    try:
        name = Locale.parse(code.replace("-", "_")).get_display_name()
    except (ValueError, UnknownLocaleError):
        return code
    return (name or code)[:1].upper() + (name or code)[1:]


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
