"""Static files under versioned URLs, cached for a year.

`url_for('static', filename=...)` gets `?v=<hash of the file's bytes>`, so a
browser (or nginx, or a CDN-less proxy cache) may keep a file for a year and
never re-validate it: a changed file gets a new URL. Without this, every page
view re-checked both style sheets (two conditional requests per page).

Style sheets, SVG and JavaScript go out compressed (compression.CompressedFiles:
brotli or gzip, made once per process). A static response never carries a
cookie nor `Vary: Cookie` (fast_paths.CachedCookieSessionInterface), so the
one copy a browser or proxy keeps serves every visitor.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Flask, Response, request
from werkzeug.security import safe_join

from .compression import CompressedFiles

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


def init_app(app: Flask) -> None:
    versions = StaticVersions(Path(app.static_folder or ""))
    compressed = CompressedFiles()
    send_plain = app.view_functions["static"]

    def static(filename: str) -> Response:
        path = safe_join(str(versions.folder), filename)
        response = compressed.response(Path(path), request) if path else None
        if response is None:
            return send_plain(filename=filename)
        response.cache_control.no_cache = True  # unless versioned (below)
        return response

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
