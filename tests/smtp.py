"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller


@dataclass
class Inbox:
    raw: list[bytes] = field(default_factory=list)
    # One entry per SMTP connection that delivered mail (the client's address).
    connections: set[tuple[str, int]] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd's hook
        with self.lock:
            self.raw.append(envelope.content)
            self.connections.add(session.peer)
        return "250 OK"

    @property
    def messages(self) -> list[EmailMessage]:
        """Parsed on demand: parsing in the server would slow every delivery."""
        return [message_from_bytes(raw, policy=policy.default) for raw in self.raw]  # type: ignore[misc]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()
