"""A backup made while the site runs gives back the same learners, progress and
certificates (that still verify), on SQLite and PostgreSQL."""

from __future__ import annotations

import shutil
import stat
import tarfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import delete, select

from courseware.backup import BackupError, create_backup, read_manifest, restore_backup, row_counts
from courseware.certificates import ensure_signing_identity, verify_certificate_pdf
from courseware.cli import main
from courseware.db import dispose_engines, get_engine
from courseware.models import Certificate, ChapterProgress, User
from tests.helpers import Auth
from tests.web.test_certificates import CHAPTERS, learner_with_certificate


def _snapshot(engine) -> dict:
    with engine.connect() as connection:
        return {
            "users": sorted(connection.execute(select(User.email, User.name, User.role)).all()),
            "progress": sorted(connection.execute(select(
                ChapterProgress.user_id, ChapterProgress.chapter_slug,
                ChapterProgress.completed_at.is_not(None))).all()),
            "certificates": sorted(connection.execute(select(
                Certificate.public_id, Certificate.printed_name, Certificate.status)).all()),
        }


@pytest.fixture
def instance_with_keys(app, signing) -> Path:
    """The instance folder laid out as a default install has it: secret and signing key inside."""
    instance = Path(app.config["INSTANCE_DIR"])
    for name in ("signing-key.pem", "signing-cert.pem"):
        shutil.copyfile(signing[1] / name, instance / name)
    (instance / "secret_key").write_text("a secret that sessions depend on")
    return instance


def test_restore_gives_back_learners_progress_and_verifiable_certificates(
        app, client, auth, instance_with_keys, tmp_path):
    public_id = learner_with_certificate(auth)
    bob = Auth(app.test_client())
    bob.signup(email="bob@example.org", name="Bob Martin")
    bob.complete(CHAPTERS[0])
    pdf_before = client.get(f"/certificates/{public_id}.pdf").data
    engine = get_engine(app)
    before = _snapshot(engine)

    archive = tmp_path / "backups" / "site.tar.gz"
    manifest = create_backup(engine, instance_with_keys, archive)
    assert manifest.counts == {"users": 2, "chapter_progress": 4, "certificates": 1}
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600  # it holds the signing key
    assert stat.S_IMODE(archive.parent.stat().st_mode) == 0o700  # a folder it made
    with tarfile.open(archive) as contents:
        names = set(contents.getnames())
    assert {"manifest.json", "secret_key", "signing-key.pem", "signing-cert.pem"} <= names

    # Disaster: the learners are gone and so are the keys.
    with engine.begin() as connection:
        connection.execute(delete(Certificate))
        connection.execute(delete(User))
    for name in ("secret_key", "signing-key.pem", "signing-cert.pem"):
        (instance_with_keys / name).unlink()
    assert row_counts(engine)["users"] == 0

    dispose_engines(app)
    restored = restore_backup(engine, instance_with_keys, archive)
    assert restored.counts == manifest.counts
    assert _snapshot(engine) == before
    assert (instance_with_keys / "secret_key").read_text() == "a secret that sessions depend on"
    identity = ensure_signing_identity(instance_with_keys)
    assert verify_certificate_pdf(pdf_before, identity).authentic
    # The site renders the very same signed bytes from the restored record.
    assert client.get(f"/certificates/{public_id}.pdf").data == pdf_before


def test_restore_refuses_to_overwrite_learners_without_force(app, auth, instance_with_keys, tmp_path):
    auth.signup()
    engine = get_engine(app)
    archive = tmp_path / "site.tar.gz"
    create_backup(engine, instance_with_keys, archive)
    with pytest.raises(BackupError, match="--force"):
        restore_backup(engine, instance_with_keys, archive)
    dispose_engines(app)
    assert restore_backup(engine, instance_with_keys, archive, force=True).counts["users"] == 1


def test_a_file_that_is_not_a_backup_is_a_clear_error(tmp_path):
    bogus = tmp_path / "notes.tar.gz"
    bogus.write_bytes(b"not an archive")
    with pytest.raises(BackupError, match="not a courseware backup"):
        read_manifest(bogus)


def test_the_cli_backs_up_and_restores(app, auth, tmp_path):
    auth.signup()
    environment = {
        "COURSEWARE_INSTANCE_DIR": str(app.config["INSTANCE_DIR"]),
        "COURSEWARE_CONTENT_DIR": str(app.config["CONTENT_DIR"]),
        "COURSEWARE_DATABASE_URL": app.config["DATABASE_URL"],
        "COURSEWARE_SECRET_KEY": "cli-test-key",
    }
    archive = tmp_path / "cli-backup.tar.gz"
    runner = CliRunner()
    made = runner.invoke(main, ["backup", "--output", str(archive)], env=environment)
    assert made.exit_code == 0, made.output
    assert "1 learners" in made.output and archive.exists()

    refused = runner.invoke(main, ["restore", str(archive)], env=environment)
    assert refused.exit_code == 1 and "--force" in refused.output

    dispose_engines(app)
    restored = runner.invoke(main, ["restore", str(archive), "--force"], env=environment)
    assert restored.exit_code == 0, restored.output
    assert "1 learners" in restored.output

    missing = runner.invoke(main, ["restore", str(tmp_path / "nowhere.tar.gz")], env=environment)
    assert missing.exit_code == 2 and "does not exist" in missing.output
