"""A real `courseware serve` process on 127.0.0.1, for concurrency and browser tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.request import urlopen


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass(frozen=True)
class LiveServer:
    url: str
    instance_dir: Path
    database_url: str


@contextmanager
def running_server(*, content_dir: Path, instance_dir: Path, database_url: str,
                   workers: int = 2, extra_env: dict[str, str] | None = None) -> Iterator[LiveServer]:
    """Start gunicorn through the real CLI; stop it when the block ends."""
    port = free_port()
    env = {
        **os.environ,
        "COURSEWARE_CONTENT_DIR": str(content_dir),
        "COURSEWARE_INSTANCE_DIR": str(instance_dir),
        "COURSEWARE_DATABASE_URL": database_url,
        "COURSEWARE_SECRET_KEY": "live-server-test-key",
        "COURSEWARE_LOGIN_RATE_LIMIT": "1000 per minute",
        "COURSEWARE_CERTIFICATE_RATE_LIMIT": "1000 per minute",
        **(extra_env or {}),
    }
    if not database_url.startswith("sqlite"):
        subprocess.run([sys.executable, "-m", "courseware.cli", "db", "upgrade"], env=env,
                       check=True, capture_output=True)
    log = open(instance_dir.parent / f"server-{port}.log", "wb")  # noqa: SIM115
    process = subprocess.Popen(
        [sys.executable, "-m", "courseware.cli", "serve", "--host", "127.0.0.1",
         "--port", str(port), "--workers", str(workers)],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, process)
        yield LiveServer(url=url, instance_dir=instance_dir, database_url=database_url)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def _wait_until_up(url: str, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"courseware serve exited with {process.returncode}")
        try:
            with urlopen(url + "/healthz", timeout=1) as response:  # noqa: S310 - loopback only
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("courseware serve did not answer within 30 s")
