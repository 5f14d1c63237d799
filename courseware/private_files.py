"""The instance folder holds secrets: keep it and its files readable by the owner only.

The database, the secret key, the signing key and mail files (live reset links)
all live there. The folder is 0700 and the files are created 0600, whatever the
process umask, so another account on the machine reads none of them.
"""

from __future__ import annotations

import os
from pathlib import Path

FOLDER_MODE = 0o700
FILE_MODE = 0o600


def make_private_folder(path: Path) -> None:
    """Create `path` (and parents) and make it 0700 if this account owns it.

    An existing folder is tightened too: installations made before this rule had
    0755 folders.
    """
    path.mkdir(parents=True, exist_ok=True, mode=FOLDER_MODE)
    _tighten(path, FOLDER_MODE)


def make_private_file(path: Path) -> None:
    """Create an empty 0600 file at `path` if there is none; tighten an existing one."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    except FileExistsError:
        _tighten(path, FILE_MODE)


def write_private_file(path: Path, data: bytes) -> None:
    """Write a new file that only this account can read."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def _tighten(path: Path, mode: int) -> None:
    status = path.stat()
    if status.st_uid == os.getuid() and status.st_mode & 0o777 & ~mode:
        path.chmod(mode)
