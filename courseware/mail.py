"""Outgoing e-mail: SMTP when configured, else a file in the instance folder.

Without SMTP a pilot still works: the message (with its reset link) is written
to `instance/mail/` (readable by the server's account only), and the log says
where, never what: the administrator opens the file and passes it on.
"""

from __future__ import annotations

import logging
import secrets
import smtplib
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from .private_files import make_private_folder, write_private_file

log = logging.getLogger(__name__)


def send_mail(config: dict[str, Any], to: str, subject: str, body: str) -> None:
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    if config.get("SMTP_HOST"):
        with smtplib.SMTP(config["SMTP_HOST"], int(config["SMTP_PORT"]), timeout=10) as smtp:
            if config.get("SMTP_STARTTLS"):
                smtp.starttls()
            if config.get("SMTP_USERNAME"):
                smtp.login(config["SMTP_USERNAME"], config.get("SMTP_PASSWORD") or "")
            smtp.send_message(message)
        return
    folder = Path(config["INSTANCE_DIR"]) / "mail"
    make_private_folder(folder)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    path = folder / f"{stamp}-{secrets.token_hex(4)}.eml"
    write_private_file(path, bytes(message))
    # Never the body: it holds a live reset link, and logs travel further than files.
    log.info("No SMTP server configured: a message was written to %s", path)
