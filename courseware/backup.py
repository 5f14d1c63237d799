"""Backups of a courseware instance, and their restore. No Flask here.

A backup is one private tar.gz archive holding what a restore needs to give back
the same learners, progress and certificates that still verify:

- the database: SQLite through its online backup API (a consistent copy even
  while the server writes, WAL included), PostgreSQL through `pg_dump --format=custom`;
- the instance's secrets: the generated session secret and the certificate
  signing key and X.509 certificate (without them, restored certificates would
  no longer verify and every session would end);
- manifest.json: when, from which database kind and schema revision, and row counts,
  so that a restore can be checked.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.engine import Engine, make_url

from .models import Certificate, ChapterProgress, User

# Instance files that belong in a backup (when present).
SECRET_FILES = ("secret_key", "signing-key.pem", "signing-cert.pem")
SQLITE_MEMBER = "courseware.db"
POSTGRES_MEMBER = "database.pgdump"


class BackupError(Exception):
    """The backup or restore could not be made; the message says why and what to do."""


@dataclass(frozen=True)
class Manifest:
    created_at: str
    backend: str
    schema_revision: str | None
    counts: dict[str, int]

    def to_json(self) -> bytes:
        return json.dumps(self.__dict__, indent=2, sort_keys=True).encode()


def row_counts(engine: Engine) -> dict[str, int]:
    """What a restore must give back: learners, progress rows, certificates."""
    with engine.connect() as connection:
        return {
            "users": connection.scalar(select(func.count()).select_from(User)) or 0,
            "chapter_progress": connection.scalar(select(func.count()).select_from(ChapterProgress)) or 0,
            "certificates": connection.scalar(select(func.count()).select_from(Certificate)) or 0,
        }


def _schema_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        heads = MigrationContext.configure(connection).get_current_heads()
    return ",".join(sorted(heads)) or None


def _sqlite_path(engine: Engine) -> Path:
    database = make_url(str(engine.url)).database
    if not database or database == ":memory:":
        raise BackupError("this SQLite database lives in memory: there is nothing to back up")
    return Path(database)


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed: install the PostgreSQL client (Debian: "
                          "postgresql-client) of the server's version")
    return path


def _libpq_url(engine: Engine) -> str:
    # pg_dump speaks libpq URLs, without SQLAlchemy's "+psycopg" driver suffix.
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def create_backup(engine: Engine, instance_dir: Path, destination: Path,
                  now: datetime | None = None) -> Manifest:
    """Write a backup archive to `destination` (mode 0600) and return its manifest."""
    manifest = Manifest(
        created_at=(now or datetime.now(UTC)).isoformat(timespec="seconds"),
        backend=engine.dialect.name, schema_revision=_schema_revision(engine),
        counts=row_counts(engine))
    # A new folder for archives is the owner's only, like the instance folder it is in.
    destination.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with tempfile.TemporaryDirectory(prefix="courseware-backup-") as scratch:
        work = Path(scratch)
        if engine.dialect.name == "sqlite":
            database_file = work / SQLITE_MEMBER
            source = sqlite3.connect(_sqlite_path(engine))
            target = sqlite3.connect(database_file)
            try:
                with target:
                    source.backup(target)
            finally:
                target.close()
                source.close()
            members = {SQLITE_MEMBER: database_file}
        elif engine.dialect.name == "postgresql":
            dump = work / POSTGRES_MEMBER
            result = subprocess.run(
                [_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(dump),
                 _libpq_url(engine)], capture_output=True, text=True)
            if result.returncode != 0:
                raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
            members = {POSTGRES_MEMBER: dump}
        else:
            raise BackupError(f"backups of {engine.dialect.name} databases are not supported")
        for name in SECRET_FILES:
            if (instance_dir / name).exists():
                members[name] = instance_dir / name
        partial = destination.with_name(destination.name + ".partial")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle, tarfile.open(fileobj=handle, mode="w:gz") as archive:
            _add_bytes(archive, "manifest.json", manifest.to_json())
            for name, path in members.items():
                archive.add(path, arcname=name)
        partial.replace(destination)  # never leave a half-written archive under the final name
    return manifest


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o600
    archive.addfile(info, io.BytesIO(data))


def read_manifest(archive_path: Path) -> Manifest:
    try:
        with tarfile.open(archive_path, "r:gz") as archive:
            member = archive.extractfile("manifest.json")
            if member is None:
                raise KeyError("manifest.json")
            data = json.loads(member.read())
    except (OSError, tarfile.TarError, KeyError, ValueError) as error:
        raise BackupError(f"{archive_path}: not a courseware backup ({error})") from None
    return Manifest(**data)


def restore_backup(engine: Engine, instance_dir: Path, archive_path: Path,
                   force: bool = False) -> Manifest:
    """Put a backup back: database and instance secrets. Stop the servers first.

    Refuses to overwrite a database that holds learners unless `force` is set.
    """
    manifest = read_manifest(archive_path)
    if manifest.backend != engine.dialect.name:
        raise BackupError(f"this backup is of a {manifest.backend} database; the configured one "
                          f"is {engine.dialect.name}")
    if not force and _holds_learners(engine):
        raise BackupError("the configured database already holds learners: pass --force to "
                          "replace it with the backup")
    instance_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="courseware-restore-") as scratch, \
            tarfile.open(archive_path, "r:gz") as archive:
        work = Path(scratch)
        archive.extractall(work, filter="data")
        if manifest.backend == "sqlite":
            engine.dispose()
            target = _sqlite_path(engine)
            for suffix in ("-wal", "-shm"):  # stale WAL frames must not replay over the copy
                Path(f"{target}{suffix}").unlink(missing_ok=True)
            staged = target.with_name(target.name + ".restoring")
            shutil.copyfile(work / SQLITE_MEMBER, staged)
            os.chmod(staged, 0o600)
            staged.replace(target)
        else:
            result = subprocess.run(
                [_pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner",
                 "--dbname", _libpq_url(engine), str(work / POSTGRES_MEMBER)],
                capture_output=True, text=True)
            if result.returncode != 0:
                raise BackupError(f"pg_restore failed: {result.stderr.strip()}")
        for name in SECRET_FILES:
            if (work / name).exists():
                shutil.copyfile(work / name, instance_dir / name)
                os.chmod(instance_dir / name, 0o600)
    return manifest


def _holds_learners(engine: Engine) -> bool:
    try:
        return row_counts(engine)["users"] > 0
    except Exception:  # noqa: BLE001 - no schema yet: nothing to lose
        return False
