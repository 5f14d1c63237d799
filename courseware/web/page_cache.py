"""Whole pages rendered once per distinct state, with the CSRF token filled in per request.

The chapter page is the hottest page of the site and depends on few things:
the chapter, the interface language, whether the visitor is signed in, and
how far they are in the course. Rendering it through Jinja (translations, URL
building, escaping a 20-40 KB body) costs ~1 ms; joining cached bytes around
the session's CSRF token costs microseconds. The gzipped page is made once per
state too (compression.GzipTemplate: ~2 ms at level 9, then ~5 µs per request).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable

from flask import Response, current_app, request, session
from flask_wtf.csrf import generate_csrf

from .compression import GzipTemplate, preferred_encoding

CSRF_MARKER = "\x00csrf-token\x00"
SIGNED_TOKENS_KEY = "courseware.signed_csrf_tokens"
MAX_SIGNED_TOKENS = 20_000  # sessions whose signed token is kept (~200 bytes each)


def app_page_cache(key: str, max_pages: int = 2048) -> PageCache:
    """The app's page cache stored under `key`, made on first use.

    Every cache of the app shares one store of signed CSRF tokens: a visitor who
    arrives on the home page has their token signed once, and the chapter fast
    path (which cannot sign) finds it for their first chapter too.
    """
    pages = current_app.extensions.get(key)
    if pages is None:
        tokens = current_app.extensions.setdefault(SIGNED_TOKENS_KEY, {})
        pages = current_app.extensions.setdefault(key, PageCache(max_pages, signed_tokens=tokens))
    return pages


class PageCache:
    """Rendered pages split at the CSRF token, keyed by everything they depend on."""

    def __init__(self, max_pages: int = 2048, signed_tokens: dict[str, str] | None = None) -> None:
        self._pages: dict[Hashable, tuple[bytes, ...]] = {}
        self._gzipped: dict[tuple[Hashable, int], GzipTemplate] = {}
        self._signed: dict[str, str] = {} if signed_tokens is None else signed_tokens
        self._max_pages = max_pages

    def page(self, key: Hashable, render: Callable[[Callable[[], str]], str]) -> bytes:
        """The page for `key`; `render(csrf_token)` builds it on a miss."""
        return self._csrf_token().encode().join(self._parts(key, render))

    def response(self, key: Hashable, render: Callable[[Callable[[], str]], str]) -> Response:
        """The HTML response for `key`, gzipped once per state when the browser accepts it."""
        if preferred_encoding(request, secret_inside=True) is None:
            response = Response(self.page(key, render), mimetype="text/html")
        else:
            token = self._csrf_token().encode()
            template = self._gzipped.get((key, len(token)))  # tokens have one length in practice
            if template is None:
                template = GzipTemplate.of(self._parts(key, render), len(token))
                if len(self._gzipped) >= self._max_pages:
                    self._gzipped.clear()
                self._gzipped[(key, len(token))] = template
            response = Response(template.fill(token), mimetype="text/html")
            response.headers["Content-Encoding"] = "gzip"
        response.vary.add("Accept-Encoding")
        return response

    def cached_page(self, key: Hashable, token: bytes, *, gzipped: bool) -> bytes | None:
        """The page for `key` with `token` filled in, gzipped or not, if it was
        made already (for chapter_fast_path.py, which never renders)."""
        if gzipped:
            template = self._gzipped.get((key, len(token)))
            return None if template is None else template.fill(token)
        parts = self._pages.get(key)
        return None if parts is None else token.join(parts)

    def signed_token(self, secret: str) -> str | None:
        """The CSRF token already signed for a session's secret, if any."""
        return self._signed.get(secret)

    def _parts(self, key: Hashable, render: Callable[[Callable[[], str]], str]) -> tuple[bytes, ...]:
        parts = self._pages.get(key)
        if parts is None:
            html = render(lambda: CSRF_MARKER)
            parts = tuple(piece.encode() for piece in html.split(CSRF_MARKER))
            if len(self._pages) >= self._max_pages:
                self._pages.clear()  # rare: bounded memory beats an LRU's bookkeeping
                self._gzipped.clear()
            self._pages[key] = parts
        return parts

    def _csrf_token(self) -> str:
        """The session's signed CSRF token, signed once per process.

        Tokens never expire on their own (WTF_CSRF_TIME_LIMIT is None), so the
        first signature of a session's secret stays valid; signing again on
        every view would only cost time.
        """
        secret = session.get("csrf_token")
        token = self._signed.get(secret) if secret else None
        if token is None:
            token = generate_csrf()
            if len(self._signed) >= MAX_SIGNED_TOKENS:
                self._signed.clear()
            self._signed[session["csrf_token"]] = token
        return token
