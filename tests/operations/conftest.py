"""A PostgreSQL server of the test's own, which it may stop and start at will
(the machine's server is shared by the other tests running at the same time)."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.live_server import free_port


@dataclass
class PrivatePostgres:
    url: str
    data: Path
    port: int
    root: Path
    tools: Path

    def _pg_ctl(self, *args: str) -> None:
        subprocess.run([*_as_postgres(), str(self.tools / "pg_ctl"), "-D", str(self.data), *args],
                       check=True, capture_output=True, timeout=60)

    def start(self) -> None:
        self._pg_ctl("-o", f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1",
                     "-l", str(self.root / "server.log"), "-w", "start")

    def stop(self) -> None:
        self._pg_ctl("-m", "fast", "-w", "stop")


def _as_postgres() -> list[str]:
    # initdb and the server refuse to run as root.
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


@pytest.fixture(scope="module")
def private_postgres() -> Iterator[PrivatePostgres]:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    assert found, "PostgreSQL's server binaries are needed (Debian: postgresql)"
    tools = Path(found[-1]).parent
    root = Path(tempfile.mkdtemp(prefix="courseware-pg-"))
    if os.geteuid() == 0:
        account = pwd.getpwnam("postgres")
        os.chown(root, account.pw_uid, account.pw_gid)
    data = root / "data"
    subprocess.run([*_as_postgres(), str(tools / "initdb"), "-D", str(data), "-U", "postgres",
                    "--auth=trust", "-E", "UTF8", "--no-sync"], check=True, capture_output=True,
                   timeout=120)
    port = free_port()
    server = PrivatePostgres(f"postgresql://postgres@127.0.0.1:{port}/postgres", data, port, root, tools)
    server.start()
    try:
        yield server
    finally:
        try:
            server.stop()
        except subprocess.CalledProcessError:
            pass  # already stopped by the test
        shutil.rmtree(root, ignore_errors=True)
