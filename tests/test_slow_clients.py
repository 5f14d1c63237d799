"""A handful of slow clients must not take the embedded server down."""

from __future__ import annotations

import http.client
import re
import socket
import threading
import time
from contextlib import ExitStack
from urllib.parse import urlencode

import requests

from courseware.server import THREADS
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


SERVER_THREADS = 2 * THREADS  # the 2 workers tests/live_server.py starts
LOAD_CONNECTIONS = 48  # three per server thread: every thread has a request waiting behind it
LOAD_SECONDS = 25.0


def _log_in_forever(base_url: str, index: int, stop: threading.Event, answered: list[int],
                    waiting: list[bool]) -> None:
    """Keep one kept-alive connection busy with failed log-ins (an Argon2 check each)."""
    host, port = base_url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=60)
    try:
        connection.request("GET", "/login")
        page = connection.getresponse()
        html = page.read().decode()
        cookie = page.getheader("Set-Cookie", "").split(";")[0]
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
        attempt = 0
        while not stop.is_set():
            attempt += 1
            body = urlencode({"email": f"load{index}-{attempt}@example.test", "password": "not-the-one",
                              "csrf_token": token, "next": ""})
            waiting[index] = True
            connection.request("POST", "/login", body=body, headers={
                "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
            response = connection.getresponse()
            response.read()
            waiting[index] = False
            assert response.status == 400, response.status
            answered[index] += 1
    except OSError:
        return  # the server stopped at the end of the test
    finally:
        connection.close()


def test_a_new_visitor_is_served_while_kept_alive_clients_keep_every_thread_busy(tmp_path, course_dir):
    """A busy server still takes new connections in turn with its kept-alive clients.

    Each worker used to accept a connection only while it had a free thread, but
    the requests of connections already accepted go straight to the thread pool:
    under load no thread was ever free when the worker looked, and a new visitor
    waited in the kernel's backlog as long as the load lasted (9.6 s behind wrk's
    64 connections in benchmarks/chapter_page.py, until wrk stopped).
    """
    instance = tmp_path / "instance"
    instance.mkdir()
    database = f"sqlite:///{instance / 'courseware.db'}"
    limits = {"COURSEWARE_LOGIN_RATE_LIMIT": "100000 per minute",
              "COURSEWARE_ACCOUNT_LOGIN_RATE_LIMIT": "100000 per minute"}
    with running_server(content_dir=course_dir, instance_dir=instance, database_url=database,
                        extra_env=limits) as server:
        stop = threading.Event()
        answered = [0] * LOAD_CONNECTIONS
        waiting = [False] * LOAD_CONNECTIONS
        load = [threading.Thread(target=_log_in_forever, args=(server.url, index, stop, answered, waiting),
                                 daemon=True) for index in range(LOAD_CONNECTIONS)]
        for thread in load:
            thread.start()
        stopper = threading.Timer(LOAD_SECONDS, stop.set)
        stopper.start()
        try:
            time.sleep(3)  # the load's connections are open and the threads are busy
            assert sum(answered) > 0, "the load never got an answer"
            host, port = server.url.removeprefix("http://").split(":")
            visitor = http.client.HTTPConnection(host, int(port), timeout=LOAD_SECONDS + 15)
            # Sampled as the visitor arrives: the healthz answer itself may be quicker
            # than any log-in, so counting log-ins answered meanwhile proves nothing.
            queued = sum(waiting)
            visitor.request("GET", "/healthz")
            status = visitor.getresponse().status
            load_still_running = not stop.is_set()
            visitor.close()
        finally:
            stop.set()
            stopper.cancel()
            for thread in load:
                thread.join(timeout=30)
        assert status == 200
        assert queued > SERVER_THREADS, f"only {queued} log-ins were waiting: the server was not busy"
        assert load_still_running, "the new visitor was only served once the load had stopped"
