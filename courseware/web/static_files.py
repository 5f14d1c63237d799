"""Static files under versioned URLs, cached for a year.

`url_for('static', filename=...)` gets `?v=<hash of the file's bytes>`, so a
browser (or nginx, or a CDN-less proxy cache) may keep a file for a year and
never re-validate it: a changed file gets a new URL. Without this, every page
view re-checked both style sheets (two conditional requests per page).
"""

from __future__ import annotations

import hashlib
import mimetypes
import zlib
from pathlib import Path

import brotli
from flask import Flask, Response, request

from .compression import COMPRESSIBLE_TYPES, MIN_SIZE, preferred_encoding

YEAR = 365 * 24 * 3600


class StaticVersions:
    """The content hash of each static file, computed once per process."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._hashes: dict[str, str] = {}

    def of(self, filename: str) -> str:
        known = self._hashes.get(filename)
        if known is None:
            path = (self.folder / filename).resolve()
            if not path.is_relative_to(self.folder.resolve()) or not path.is_file():
                return ""
            known = self._hashes[filename] = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        return known


class CompressedStatic:
    """Compressed copies of the static text files, made on first request."""

    def __init__(self, versions: StaticVersions) -> None:
        self.versions = versions
        self._copies: dict[tuple[str, str], bytes | None] = {}

    def of(self, filename: str, encoding: str) -> bytes | None:
        """The file compressed with `encoding`, or None: not there, not text, or too small."""
        key = (filename, encoding)
        if key not in self._copies:
            self._copies[key] = self._compress(filename, encoding)
        return self._copies[key]

    def _compress(self, filename: str, encoding: str) -> bytes | None:
        if not self.versions.of(filename) or mimetypes.guess_type(filename)[0] not in COMPRESSIBLE_TYPES:
            return None
        data = (self.versions.folder / filename).read_bytes()
        if len(data) < MIN_SIZE:
            return None
        if encoding == "br":
            return brotli.compress(data, quality=11)
        compressor = zlib.compressobj(9, zlib.DEFLATED, 31)  # gzip wrapper, mtime 0
        return compressor.compress(data) + compressor.flush()


def init_app(app: Flask) -> None:
    versions = StaticVersions(Path(app.static_folder or ""))
    compressed = CompressedStatic(versions)
    send_plain = app.view_functions["static"]

    def static(filename: str) -> Response:
        encoding = None if request.range else preferred_encoding(request)
        data = compressed.of(filename, encoding) if encoding else None
        if data is None:
            return send_plain(filename=filename)
        response = Response(data, mimetype=mimetypes.guess_type(filename)[0])
        response.headers["Content-Encoding"] = encoding
        response.set_etag(f"{versions.of(filename)}-{encoding}")
        response.cache_control.no_cache = True  # unless versioned (below)
        return response.make_conditional(request)

    app.view_functions["static"] = static

    @app.url_defaults
    def _add_version(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "v" not in values and "filename" in values:
            version = versions.of(values["filename"])
            if version:
                values["v"] = version

    @app.after_request
    def _cache_versioned(response: Response) -> Response:
        if request.endpoint != "static" or response.status_code != 200:
            return response
        filename = (request.view_args or {}).get("filename", "")
        if request.args.get("v") and request.args.get("v") == versions.of(filename):
            response.cache_control.no_cache = None
            response.cache_control.public = True
            response.cache_control.max_age = YEAR
            response.cache_control.immutable = True
        return response
