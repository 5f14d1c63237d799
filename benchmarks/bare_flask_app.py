"""The baseline: a bare Flask app serving a fixed HTML page of a given size.

Served with courseware's own gunicorn options (`server.gunicorn_options`), so the gunicorn configuration
(2 threaded workers, preload, access log, timeout) is exactly the one
`courseware serve` uses: the only difference left is the app.

    python benchmarks/bare_flask_app.py --port 8001 --size 52000
"""

from __future__ import annotations

import argparse

from flask import Flask, Response


def make_app(size: int) -> Flask:
    """An app whose only page is `size` bytes of HTML, built once."""
    head = (b'<!doctype html><html lang="fr"><head><meta charset="utf-8">'
            b"<title>Bare</title></head><body><p>")
    tail = b"</p></body></html>"
    filler = b"Lorem ipsum dolor sit amet, consectetur adipiscing elit. "
    body_length = max(0, size - len(head) - len(tail))
    page = head + (filler * (body_length // len(filler) + 1))[:body_length] + tail

    app = Flask(__name__)

    @app.get("/")
    def index() -> Response:
        return Response(page, mimetype="text/html")

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--size", type=int, required=True, help="page size in bytes")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    from courseware.server import _Gunicorn, gunicorn_options

    app = make_app(args.size)
    options = gunicorn_options(app, host=args.host, port=args.port, workers=args.workers)
    # courseware's post_fork reopens database pools and starts mail delivery: this app has
    # neither. Everything else (worker class, threads, preload, timeouts) is the same.
    options["post_fork"] = lambda _server, _worker: None
    _Gunicorn(app, options).run()


if __name__ == "__main__":
    main()
