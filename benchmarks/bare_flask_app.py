"""The baseline: a bare Flask app serving a fixed HTML page of a given size.

Served with courseware's own gunicorn options (`server.gunicorn_options`), so the gunicorn configuration
(2 threaded workers, preload, access log, timeout) is exactly the one
`courseware serve` uses: the only difference left is the app.

    python benchmarks/bare_flask_app.py --port 8001 --size 52000
    python benchmarks/bare_flask_app.py --port 8001 --page page.html --gzipped page.html.gz

With `--page`, it serves exactly those bytes; with `--gzipped` too, it sends
that file (`Content-Encoding: gzip`) to clients whose Accept-Encoding names
gzip: the same bytes the chapter page sends, at no compression cost.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from flask import Flask, Response, request


def make_app(size: int, page_bytes: bytes | None = None, gzipped: bytes | None = None) -> Flask:
    """An app whose only page is `size` bytes of HTML (or `page_bytes`), built once."""
    head = (b'<!doctype html><html lang="fr"><head><meta charset="utf-8">'
            b"<title>Bare</title></head><body><p>")
    tail = b"</p></body></html>"
    filler = b"Lorem ipsum dolor sit amet, consectetur adipiscing elit. "
    body_length = max(0, size - len(head) - len(tail))
    page = head + (filler * (body_length // len(filler) + 1))[:body_length] + tail
    if page_bytes is not None:
        page = page_bytes

    app = Flask(__name__)

    @app.get("/")
    def index() -> Response:
        if gzipped is not None and "gzip" in request.headers.get("Accept-Encoding", ""):
            response = Response(gzipped, mimetype="text/html")
            response.headers["Content-Encoding"] = "gzip"
            response.headers["Vary"] = "Accept-Encoding"
            return response
        return Response(page, mimetype="text/html")

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--size", type=int, default=0, help="page size in bytes")
    parser.add_argument("--page", type=Path, help="serve this file's bytes instead")
    parser.add_argument("--gzipped", type=Path, help="and this gzip body to clients that accept it")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    from courseware.server import run_gunicorn

    page = args.page.read_bytes() if args.page else None
    gzipped = args.gzipped.read_bytes() if args.gzipped else None
    run_gunicorn(make_app(args.size, page, gzipped), host=args.host, port=args.port, workers=args.workers)


if __name__ == "__main__":
    main()
