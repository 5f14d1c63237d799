"""A real `courseware serve` process on 127.0.0.1, for concurrency and browser tests."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email import message_from_bytes, policy
from pathlib import Path
from urllib.error import HTTPError
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
    process: subprocess.Popen | None = None  # gunicorn's master


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
        # What `courseware db upgrade` does before a PostgreSQL server starts, in-process:
        # a CLI process costs 1-2 s of imports, and the schema is usually current already.
        from sqlalchemy import create_engine

        from tests.helpers import ensure_schema

        engine = create_engine(database_url)
        try:
            ensure_schema(engine)
        finally:
            engine.dispose()
    command = [sys.executable, "-m", "courseware.cli", "serve", "--host", "127.0.0.1",
               "--port", str(port), "--workers", str(workers)]
    url = f"http://127.0.0.1:{port}"
    with serving_process(command, env=env, ready_url=url + "/healthz",
                         log_path=instance_dir.parent / f"server-{port}.log") as process:
        yield LiveServer(url=url, instance_dir=instance_dir, database_url=database_url,
                         process=process)


@contextmanager
def serving_process(command: list[str], *, env: dict[str, str] | None, ready_url: str,
                    log_path: Path, cwd: Path | None = None) -> Iterator[subprocess.Popen]:
    """Run a server process until the block ends, once `ready_url` answers 200."""
    log = open(log_path, "wb")  # noqa: SIM115 - closed in finally
    process = subprocess.Popen(command, env=env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_until_up(ready_url, process, log_path)
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        log.close()


def kill_hard(process: subprocess.Popen) -> None:
    """SIGKILL a server and every worker it forked, at once: a power cut for the app."""
    children = [int(pid) for pid in os.listdir("/proc")
                if pid.isdigit() and _parent_of(int(pid)) == process.pid]
    for pid in [process.pid, *children]:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    process.wait(timeout=10)


def _parent_of(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return int(handle.read().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return None


def _wait_until_up(url: str, process: subprocess.Popen, log_path: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[:4]} exited with {process.returncode}: see {log_path}")
        try:
            with urlopen(url, timeout=1) as response:  # noqa: S310 - loopback only
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s: see {log_path}")


CONFIRM_LINK = r"/signup/confirm/[\w.\-]+"


def mailed_path(instance_dir: Path, email: str, pattern: str = CONFIRM_LINK,
                timeout: float = 20) -> str:
    """The first path matching `pattern` in mail to `email`, once the server has sent it:
    without SMTP a worker writes the outbox to `instance/mail/` once the request is answered."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for path in sorted((instance_dir / "mail").glob("*.eml")):
            message = message_from_bytes(path.read_bytes(), policy=policy.default)
            if message["To"] == email:
                match = re.search(pattern, message.get_body().get_content())
                if match:
                    return match.group(0)
        time.sleep(0.1)
    raise AssertionError(f"no mail to {email} matching {pattern} in {instance_dir / 'mail'}")


@contextmanager
def running_dev_server(*, content_dir: Path, instance_dir: Path,
                       database_url: str) -> Iterator[str]:
    """`courseware serve --dev` (Flask's server and reloader) until the block ends; its URL.

    Started in its own process group: the reloader serves from a child process, and
    both must go. Ready once it answers at all (broken content answers 503)."""
    port = free_port()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "COURSEWARE_CONTENT_DIR": str(content_dir),
        "COURSEWARE_INSTANCE_DIR": str(instance_dir),
        "COURSEWARE_DATABASE_URL": database_url,
        "COURSEWARE_SECRET_KEY": "dev-server-test-key",
    }
    log_path = instance_dir.parent / f"dev-server-{port}.log"
    log = open(log_path, "wb")  # noqa: SIM115 - closed in finally
    process = subprocess.Popen(
        [sys.executable, "-m", "courseware.cli", "serve", "--dev", "--port", str(port)],
        cwd=Path(__file__).parents[1], env=env, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"serve --dev did not start: see {log_path}")
            try:
                with urlopen(url + "/healthz", timeout=1):  # noqa: S310 - loopback only
                    break
            except HTTPError as error:  # an answer all the same
                error.close()
                break
            except OSError:
                time.sleep(0.1)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        log.close()
