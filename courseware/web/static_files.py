"""Static files under versioned URLs, cached for a year.

`url_for('static', filename=...)` gets `?v=<hash of the file's bytes>`, so a
browser (or nginx, or a CDN-less proxy cache) may keep a file for a year and
never re-validate it: a changed file gets a new URL. Without this, every page
view re-checked both style sheets (two conditional requests per page).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Flask, Response, request

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
