"""A handful of slow clients must not take the embedded server down."""

from __future__ import annotations

import socket
import threading
import time
from contextlib import ExitStack

import requests

from tests.live_server import running_server

SLOW_HEADER_SOCKETS = 4
SLOW_BODY_SOCKETS = 4


def _dribble(sock: socket.socket, data: bytes, stop: threading.Event) -> None:
    """Send `data` a byte every 0.2 s, the way a slowloris client does."""
    for byte in data:
        if stop.wait(0.2):
            return
        try:
            sock.sendall(bytes([byte]))
        except OSError:
            return  # the server hung up on us: that is allowed


def test_healthz_answers_while_slow_clients_hold_connections(tmp_path, course_dir):
    instance = tmp_path / "instance"
    instance.mkdir()
    database = f"sqlite:///{instance / 'courseware.db'}"
    with running_server(content_dir=course_dir, instance_dir=instance, database_url=database) as server, \
         ExitStack() as stack:
        host, port = server.url.removeprefix("http://").split(":")
        stop = threading.Event()
        stack.callback(stop.set)
        headers = b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Slow: " + b"a" * 400 + b"\r\n\r\n"
        body_head = (b"POST /login HTTP/1.1\r\nHost: localhost\r\nContent-Type: "
                     b"application/x-www-form-urlencoded\r\nContent-Length: 4000\r\n\r\n")
        threads = []
        for index in range(SLOW_HEADER_SOCKETS + SLOW_BODY_SOCKETS):
            sock = stack.enter_context(socket.create_connection((host, int(port))))
            if index < SLOW_HEADER_SOCKETS:
                data = headers
            else:
                sock.sendall(body_head)
                data = b"email=" + b"a" * 3990
            thread = threading.Thread(target=_dribble, args=(sock, data, stop), daemon=True)
            thread.start()
            threads.append(thread)
        time.sleep(1)  # every slow socket has reached the server and started dribbling
        for _ in range(5):
            # Generous: a blocked server would make this wait ~30 s (the worker timeout).
            response = requests.get(server.url + "/healthz", timeout=15)
            assert response.status_code == 200
            time.sleep(0.5)
        assert any(thread.is_alive() for thread in threads), "the slow clients were still at it"
