"""Run the app under gunicorn from the `courseware serve` command."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication


class _Gunicorn(BaseApplication):
    def __init__(self, app: Flask, options: dict[str, Any]) -> None:
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return self.application


def _post_fork(_server: Any, worker: Any) -> None:
    # Connections must never be shared across processes: each worker opens its own.
    from .db import dispose_engines

    dispose_engines(worker.app.application, close=False)


def run_gunicorn(app: Flask, *, host: str, port: int, workers: int) -> None:
    """Content is loaded once in the master and shared by the forked workers."""
    _Gunicorn(app, gunicorn_options(app, host=host, port=port, workers=workers)).run()


def gunicorn_options(app: Flask, *, host: str, port: int, workers: int) -> dict[str, Any]:
    return {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": "sync",
        "preload_app": True,
        # No access log: it would hold client addresses and raw paths (reset tokens).
        # courseware logs one line per request itself (web/observability.py).
        "accesslog": None,
        "post_fork": _post_fork,
        "timeout": 30,
        # gunicorn's control socket is one fixed path per user: several servers
        # on a machine would fight over it, and courseware does not use it.
        "control_socket_disable": True,
        # gunicorn believes X-Forwarded-Proto & co from 127.0.0.1 by default, so
        # anything on the machine could claim https. Proxies are trusted only
        # through COURSEWARE_TRUSTED_PROXIES (ProxyFix, in create_app).
        **({} if app.config.get("TRUSTED_PROXIES") else {"forwarded_allow_ips": ""}),
    }


def prepare_metrics_folder(instance_dir: Path) -> None:
    """Turn on prometheus_client's multiprocess mode in an empty private folder.

    Must run before courseware.metrics is imported (prometheus_client picks its
    storage on import), so `courseware serve` calls it before building the app.
    Samples of a previous run would be added to this one's: the folder starts empty.
    """
    folder = instance_dir / "metrics"
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(mode=0o700, parents=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(folder)
