"""The chapter page of a returning reader, served from the page cache below Flask.

Once a chapter page has been rendered for a state (page_cache.py), a view of
it is a session-cookie look-up, one query (the learner, their log-in session
and progress: accounts.load_login; for a finished course, a second for the
certificate its end box names) and a join of cached bytes around the CSRF
token. On PostgreSQL the query's answer is kept per process until a
notification says it changed (login_cache.py): a returning reader then costs
no database work at all (0.30-0.38x a bare Flask app before, 0.7-1.0x after).

Flask's request context, Flask-Login's proxies, the hooks and the Response
object cost more than all of that: under gunicorn on 2 cores
(benchmarks/chapter_page.py) the chapter page took 1.34 ms of CPU a request
against 0.50 ms for a bare Flask app sending the same bytes (0.39x its
throughput). This WSGI middleware answers those views itself.

It only answers what it can answer exactly as the view would, and hands every
other request to Flask untouched: anything but a GET without a query string,
a session cookie not verified in the last minute (fast_paths.py), flash
messages or a "remember me" cookie to set, a log-in that ended, a learner's
chapter not yet opened (the first view writes its progress row), a draft, a page not rendered yet, `serve
--dev`, and any database error (Flask then shows its 503 page). The page key is the one the
view uses (`chapter_page_key`), and tests/web/test_chapter_fast_path.py checks
that both give the same status, headers and body in every state. A visitor's
first view of a chapter only notes it in their session cookie: that cookie is
signed here as Flask would sign it (1.3-2.0 ms of CPU through Flask, measured
under benchmarks/launch_day.py, against 0.5 ms for a page read again).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable, Iterable
from functools import lru_cache
from typing import Any

from flask import Flask
from werkzeug.exceptions import SecurityError
from werkzeug.http import dump_cookie
from werkzeug.sansio.http import parse_cookie
from werkzeug.sansio.utils import get_current_url, get_host

from ..accounts import Identity, load_login, login_is_current
from ..certificates import current_certificate_id
from ..content import Chapter, Course, Library
from ..db import READER_KEY
from ..i18n import LANGUAGE_COOKIE, best_language, interface_language
from ..login_cache import CachedLogin
from ..progress import ChapterState, CourseProgress, progress_from_rows
from ..sessions import SessionLifetimes, now_seconds
from .compression import encoding_for
from .fast_paths import CachedCookieSessionInterface
from .login_cache import login_cache
from .outages import UNAVAILABLE
from .page_cache import PageCache
from .visitor_reading import OPENED_KEY, opened_with

log = logging.getLogger(__name__)

ROUTE = "/courses/<course_slug>/<chapter_slug>/"
PAGES_KEY = "courseware.chapter_pages"
PREFIX = "/courses/"
# Session keys whose presence means the view would change the session or the page.
SLOW_SESSION_KEYS = ("_flashes", "_remember")


def chapter_page_key(course: Course, chapter: Chapter, *, locale: str, role: str | None,
                     progress: CourseProgress, certificate_id: str | None, base_url: str) -> Hashable:
    """Everything the cached chapter page shows: the course version, the
    interface language, who reads (visitor, learner, instructor or admin: the
    menu differs), which chapters are done (the time left adds up theirs),
    this chapter's state, the certificate, and the site's address (the
    `hreflang` links are absolute)."""
    done = tuple(slug for slug in course.chapter_slugs if progress.state(slug) is ChapterState.DONE)
    return (course.slug, course.language, chapter.slug, locale, role, done,
            progress.state(chapter.slug), certificate_id, base_url)


class CachedChapterPages:
    """WSGI middleware in front of Flask's own `wsgi_app` (inside ProxyFix)."""

    def __init__(self, app: Flask, wsgi_app: Callable[..., Iterable[bytes]]) -> None:
        self.flask = app
        self.wsgi_app = wsgi_app
        self.enabled = not app.config.get("DEV_CONTENT_RELOAD")
        self.served = 0  # views answered here (the tests read it)
        config = app.config
        self.session_cookie = config["SESSION_COOKIE_NAME"]
        self.remember_cookie = config.get("REMEMBER_COOKIE_NAME", "remember_token")
        self.remember_refreshes = bool(config.get("REMEMBER_COOKIE_REFRESH_EACH_REQUEST"))
        self.base_url = str(config.get("BASE_URL") or "").rstrip("/")
        hosts = config.get("TRUSTED_HOSTS")
        self.trusted_hosts = tuple(hosts) if hosts is not None else None
        self.default_locale = config["DEFAULT_LOCALE"]
        self.lifetimes = SessionLifetimes.from_config(config)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if (self.enabled and environ.get("REQUEST_METHOD") == "GET"
                and not environ.get("QUERY_STRING") and environ.get("PATH_INFO", "").startswith(PREFIX)):
            try:
                answer = self._answer(environ)
            except UNAVAILABLE:
                answer = None  # the view meets the same error and shows the outage page
            except Exception:  # a bug here must never cost the reader the page
                log.exception("chapter fast path failed; the view answers instead")
                answer = None
            if answer is not None:
                headers, body = answer
                self.served += 1
                environ["courseware.route"] = ROUTE
                start_response("200 OK", headers)
                return [body]
        return self.wsgi_app(environ, start_response)

    def _answer(self, environ: dict[str, Any]) -> tuple[list[tuple[str, str]], bytes] | None:
        slugs = environ["PATH_INFO"][len(PREFIX):].split("/")
        if len(slugs) != 3 or slugs[2] or not slugs[0] or not slugs[1]:
            return None
        cookies = _cookies(environ.get("HTTP_COOKIE", ""))
        session = self._verified_session(cookies.get(self.session_cookie))
        if session is None or "csrf_token" not in session \
                or any(key in session for key in SLOW_SESSION_KEYS):
            return None
        if self.remember_cookie in cookies and ("_user_id" not in session or self.remember_refreshes):
            return None  # Flask-Login logs in from the "remember me" cookie, or refreshes it
        pages: PageCache | None = self.flask.extensions.get(PAGES_KEY)
        token = pages.signed_token(session["csrf_token"]) if pages is not None else None
        if token is None:
            return None
        # The view answers 400 to a Host the site does not answer to: so does this.
        site = _host_url(environ.get("wsgi.url_scheme", "http"), environ.get("HTTP_HOST"),
                         environ.get("SERVER_NAME"), environ.get("SERVER_PORT"), self.trusted_hosts)
        if site is None:
            return None
        base_url = self.base_url or site

        library: Library = self.flask.extensions["courseware.library"]
        course = library.course(slugs[0])
        if course is None or not course.is_published:
            return None
        login = self._login(cookies[self.session_cookie], session)
        if login is False:
            return None
        user = login.identity if login is not None else None
        cookie_language = cookies.get(LANGUAGE_COOKIE)
        accept_language = environ.get("HTTP_ACCEPT_LANGUAGE", "")
        account_locale = user.locale if user is not None else None
        course = course.in_language(best_language(
            course.languages, course.language, asked=None, cookie=cookie_language,
            account_locale=account_locale, accept_language=accept_language))
        chapter = course.chapter(slugs[1])
        if chapter is None or chapter.draft:
            return None
        progress = progress_from_rows(user.progress if user is not None else (), course)
        set_cookie = None
        if user is None:
            # A visitor's session notes the chapters they open (visitor_reading.py): on a
            # first view, the view's one change, written here as Flask would write it.
            opened = opened_with(str(session.get(OPENED_KEY, "")), course.slug, chapter.slug)
            if opened is not None:
                set_cookie = self._session_cookie({**session, OPENED_KEY: opened})
                if set_cookie is None:
                    return None
        elif progress.state(chapter.slug) is ChapterState.NOT_STARTED:
            return None
        certificate_id = None
        if login is not None and progress.is_complete:
            certificate_id = self._certificate_id(cookies[self.session_cookie], login, course.slug)
        locale = interface_language(asked=None, cookie=cookie_language, account_locale=account_locale,
                                    accept_language=accept_language, default=self.default_locale)
        key = chapter_page_key(course, chapter, locale=locale, role=user.role if user else None,
                               progress=progress, certificate_id=certificate_id, base_url=base_url)
        gzipped = encoding_for(environ.get("HTTP_ACCEPT_ENCODING", ""), secret_inside=True) == "gzip"
        body = pages.cached_page(key, token.encode(), gzipped=gzipped)
        if body is None:
            return None
        headers = [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))]
        if gzipped:
            headers.append(("Content-Encoding", "gzip"))
        headers.append(("Vary", "Accept-Encoding, Cookie"))
        if user is not None:
            headers.append(("Cache-Control", "no-store"))
        if set_cookie is not None:
            headers.append(("Set-Cookie", set_cookie))
        return headers, body

    def _session_cookie(self, session: dict[str, Any]) -> str | None:
        """The Set-Cookie header Flask's session interface would send for `session`
        (SecureCookieSessionInterface.save_session); None for a permanent session,
        whose expiry date the view computes."""
        app, interface = self.flask, self.flask.session_interface
        if session.get("_permanent") or not isinstance(interface, CachedCookieSessionInterface):
            return None
        serializer = interface.get_signing_serializer(app)
        if serializer is None:
            return None
        value = serializer.dumps(session)
        # The next page comes back with this cookie: known here, so it takes the fast path too.
        interface.remember_verified(value, session)
        return dump_cookie(interface.get_cookie_name(app), value,
                           domain=interface.get_cookie_domain(app), path=interface.get_cookie_path(app),
                           secure=interface.get_cookie_secure(app),
                           httponly=interface.get_cookie_httponly(app),
                           samesite=interface.get_cookie_samesite(app),
                           partitioned=interface.get_cookie_partitioned(app),
                           max_size=app.config["MAX_COOKIE_SIZE"])

    def _verified_session(self, cookie: str | None) -> dict[str, Any] | None:
        interface = self.flask.session_interface
        if not cookie or not isinstance(interface, CachedCookieSessionInterface):
            return None
        return interface.recently_verified(cookie)

    def _login(self, cookie: str, session: dict[str, Any]) -> CachedLogin[Identity] | None | bool:
        """The signed-in learner's log-in, None for a visitor, False when the view
        must decide (a log-in that ended: Flask-Login then treats them as a
        visitor and the session changes). From this process's login cache when
        it has it (PostgreSQL: web/login_cache.py), else from the database."""
        session_id = session.get("_user_id")
        if session_id is None:
            return None
        cache = login_cache(self.flask)
        now = now_seconds()
        ticket = 0
        if cache is not None:
            cached = cache.get(cookie)
            if cached is not None and login_is_current(cached, self.lifetimes, now):
                return cached
            ticket = cache.ticket()
        engine = self.flask.extensions[READER_KEY]
        with engine.connect() as connection:
            login = load_login(connection, str(session_id), self.lifetimes, now)
        if login is None:
            return False
        if cache is not None:
            cache.store(cookie, ticket, login)
        return login

    def _certificate_id(self, cookie: str, login: CachedLogin[Identity], course_slug: str) -> str | None:
        """A finished course's end box names the certificate: one more small query
        (kept with the cached log-in, which a new certificate drops)."""
        if course_slug in login.certificates:
            return login.certificates[course_slug]
        cache = login_cache(self.flask)
        ticket = cache.ticket() if cache is not None else 0
        with self.flask.extensions[READER_KEY].connect() as connection:
            certificate_id = current_certificate_id(connection, login.user_id, course_slug)
        if cache is not None:
            cache.store_certificate(cookie, ticket, course_slug, certificate_id)
        return certificate_id


# A browser sends the same Cookie and Host headers on every page of a visit:
# parsing each distinct one once per process saves ~20 µs a view.
@lru_cache(maxsize=4096)
def _cookies(header: str) -> dict[str, str]:
    return dict(parse_cookie(header))


@lru_cache(maxsize=256)
def _host_url(scheme: str, host: str | None, server_name: str | None, server_port: str | None,
              trusted_hosts: tuple[str, ...] | None) -> str | None:
    """`request.host_url` without its slash, as the view sees it (werkzeug.wsgi.get_host);
    None for a Host header the site does not answer to (TRUSTED_HOSTS)."""
    server = None
    if server_name is not None:
        server = (server_name, int(server_port) if server_port and server_port.isdigit() else None)
    try:
        name = get_host(scheme, host, server, trusted_hosts)
    except SecurityError:
        return None
    return get_current_url(scheme, name).rstrip("/")
