"""The instance folder holds the database, keys and mail with live reset links:
nobody but the server's account may read them, and no log line carries a token.

Security review, issue 9, finding 8.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

from courseware import create_app
from courseware.db import dispose_engines
from tests.helpers import Auth, mails_to, prepared_app
from tests.web.conftest import english_client


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_instance_folder_and_its_files_are_private(app_config, tmp_path):
    instance = tmp_path / "fresh" / "instance"
    old_umask = os.umask(0o022)  # the usual default: files 0644, folders 0755
    try:
        app = prepared_app({**app_config, "INSTANCE_DIR": str(instance), "DATABASE_URL": None,
                             "SECRET_KEY": None, "RATELIMIT_STORAGE_URI": None})
        auth = Auth(english_client(app))
        auth.signup()  # writes to the database (and its WAL)
        dispose_engines(app)
    finally:
        os.umask(old_umask)
    assert mode(instance) == 0o700
    # ratelimits.db: the default rate-limit counters, keyed by client address.
    for name in ("courseware.db", "secret_key", "ratelimits.db"):
        assert mode(instance / name) == 0o600, name
    for extra in [*instance.glob("courseware.db-*"), *instance.glob("ratelimits.db-*")]:  # -wal, -shm
        assert mode(extra) & 0o077 == 0, extra.name


def test_an_existing_open_folder_and_database_are_tightened(app_config, tmp_path):
    instance = tmp_path / "old" / "instance"
    instance.mkdir(parents=True)
    instance.chmod(0o755)
    (instance / "courseware.db").touch()
    (instance / "courseware.db").chmod(0o644)
    app = create_app({**app_config, "INSTANCE_DIR": str(instance), "DATABASE_URL": None})
    dispose_engines(app)
    assert mode(instance) == 0o700
    assert mode(instance / "courseware.db") == 0o600


def test_mail_files_are_private_and_the_log_never_holds_the_link(app, caplog):
    auth = Auth(english_client(app))
    auth.signup()
    auth.logout()
    with caplog.at_level(logging.DEBUG):
        auth.post("/password/forgot", {"email": "ana@example.org"}, token_from="/password/forgot")
        mails_to(app, "ana@example.org")  # the outbox delivered, as the server's thread does
    folder = Path(app.config["INSTANCE_DIR"]) / "mail"
    [mail] = [path for path in folder.glob("*.eml") if b"/signup/confirm/" not in path.read_bytes()]
    assert mode(folder) == 0o700
    assert mode(mail) == 0o600
    assert "/password/reset/" in mail.read_text()
    logged = caplog.text
    assert str(mail) in logged  # the administrator learns where it is
    assert "/password/reset/" not in logged and "ana@example.org" not in logged
