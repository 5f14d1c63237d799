"""Outgoing e-mail: SMTP when configured, else a file in the instance folder.

Without SMTP a pilot still works: the message (with its reset link) is written
to `instance/mail/` (readable by the server's account only), and the log says
where, never what: the administrator opens the file and passes it on.
"""

from __future__ import annotations

import email.policy
import logging
import secrets
import smtplib
from collections.abc import Sequence
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any, NamedTuple

from .private_files import make_private_folder, write_private_file

log = logging.getLogger(__name__)
_GENERATION_POLICY = email.policy.default.clone(max_line_length=998)


class Attachment(NamedTuple):
    filename: str
    content_type: str  # e.g. "application/pdf"
    data: bytes


def send_mail(config: dict[str, Any], to: str, subject: str, body: str,
              attachments: Sequence[Attachment] = (), message_id: str | None = None) -> None:
    """Send (or file) one message. A fixed `message_id` marks a resend as the same message."""
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    if message_id:
        message["Message-ID"] = message_id
    message.set_content(body)
    for attachment in attachments:
        maintype, subtype = attachment.content_type.split("/", 1)
        message.add_attachment(attachment.data, maintype=maintype, subtype=subtype,
                               filename=attachment.filename)
    # Python folds a long header with non-ASCII words at 78 characters with a doubled
    # space ("au 14  février"); headers up to RFC 5322's 998 need no folding. Set after
    # the body is encoded, which keeps its quoted-printable lines as they were.
    message.policy = _GENERATION_POLICY
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
