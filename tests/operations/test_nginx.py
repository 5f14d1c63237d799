"""The documented production front, run for real: Debian's nginx with the site
file `courseware deploy nginx` prints, in front of a real `courseware serve`."""

from __future__ import annotations

import gzip
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.helpers import csrf_token_from_html, write_course
from tests.live_server import LiveServer, free_port, running_server, serving_process

NGINX = "/usr/sbin/nginx"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, LiveServer]]:
    """nginx on a free port in front of one sync worker: what a slow client would block."""
    assert os.path.exists(NGINX), "Debian's nginx is needed (apt-get install nginx-light; .ci/run does)"
    root = tmp_path_factory.mktemp("nginx")
    write_course(root / "content" / "basics")
    with running_server(content_dir=root / "content", instance_dir=root / "instance",
                        database_url=f"sqlite:///{root / 'site.db'}", workers=1,
                        extra_env={"COURSEWARE_TRUSTED_PROXIES": "1",
                                   "COURSEWARE_LOGIN_RATE_LIMIT": "3 per minute"}) as app:
        port = free_port()
        site = subprocess.run(
            [sys.executable, "-m", "courseware.cli", "deploy", "nginx", "--server-name", "localhost",
             "--upstream", app.url.removeprefix("http://"), "--listen", f"127.0.0.1:{port}"],
            check=True, capture_output=True, text=True).stdout
        (root / "site.conf").write_text(site)
        for folder in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (root / folder).mkdir()
        user = "user root;\n" if os.geteuid() == 0 else ""  # workers must read the private tmp folder
        (root / "nginx.conf").write_text(
            f"{user}daemon off;\nworker_processes 1;\npid {root}/nginx.pid;\n"
            f"error_log {root}/error.log warn;\nevents {{ worker_connections 256; }}\n"
            f"http {{\n include /etc/nginx/mime.types;\n access_log off;\n"
            f" client_body_temp_path {root}/body;\n"
            + "".join(f" {kind}_temp_path {root}/{kind};\n" for kind in ("proxy", "fastcgi", "uwsgi", "scgi"))
            + f" include {root}/site.conf;\n}}\n")
        with serving_process([NGINX, "-c", str(root / "nginx.conf"), "-p", str(root)], env=None,
                             ready_url=f"http://127.0.0.1:{port}/healthz",
                             log_path=root / "nginx.out"):
            yield f"http://127.0.0.1:{port}", app


def test_pages_are_compressed(stack):
    front, _app = stack
    plain = requests.get(front + "/accessibility", headers={"Accept-Encoding": "identity"}, timeout=10)
    packed = requests.get(front + "/accessibility", headers={"Accept-Encoding": "gzip"}, stream=True,
                          timeout=10)
    body = packed.raw.read()
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"]
    # The same page (each view has its own CSRF token in the language form).
    unpacked = gzip.decompress(body).decode()
    assert unpacked.split('name="csrf_token"')[0] == plain.text.split('name="csrf_token"')[0]
    assert "</html>" in unpacked and len(body) < len(plain.content) / 2


def test_nginx_never_compresses_a_page_again_in_one_piece(stack):
    """courseware compresses pages with the CSRF token apart (BREACH) and leaves
    secret-address pages plain: nginx must not undo either."""
    front, _app = stack
    page = requests.get(front + "/password/reset/" + "a" * 40, headers={"Accept-Encoding": "gzip"},
                        stream=True, timeout=10)
    assert "Content-Encoding" not in page.headers and b'name="csrf_token"' in page.raw.read()
    chapter = requests.get(front + "/courses/basics/welcome/", headers={"Accept-Encoding": "gzip"},
                           stream=True, timeout=10)
    token = csrf_token_from_html(gzip.decompress(chapter.raw.read()).decode())
    # The app's stream, untouched: the token travels in a stored block of its own.
    again = requests.get(front + "/courses/basics/welcome/", headers={"Accept-Encoding": "gzip"},
                         stream=True, timeout=10, cookies=chapter.cookies)
    assert token.encode() in again.raw.read()


def test_style_sheets_from_nginx_are_gzipped(stack):
    front, _app = stack
    page = requests.get(front + "/", timeout=10).text
    stylesheet = page.split('rel="stylesheet" href="', 1)[1].split('"', 1)[0]
    response = requests.get(front + stylesheet, headers={"Accept-Encoding": "gzip"}, stream=True,
                            timeout=10)
    shipped = (Path(__file__).parents[2] / "courseware" / "static" / "css" / "site.css").read_bytes()
    assert response.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.raw.read()) == shipped


def test_static_files_come_from_nginx_cached_for_a_year(stack):
    front, _app = stack
    page = requests.get(front + "/", timeout=10).text
    stylesheet = page.split('rel="stylesheet" href="', 1)[1].split('"', 1)[0]
    assert "?v=" in stylesheet
    response = requests.get(front + stylesheet, timeout=10)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/css")
    assert "max-age=31536000" in response.headers["Cache-Control"]
    assert "immutable" in response.headers["Cache-Control"]
    # Straight from disk: the bytes the package ships, with nginx's own validator.
    shipped = (Path(__file__).parents[2] / "courseware" / "static" / "css" / "site.css").read_bytes()
    assert response.content == shipped and "Last-Modified" in response.headers


def test_a_client_cannot_forge_its_address_through_the_proxy(stack):
    """Rate limits key on the address nginx saw, whatever X-Forwarded-For the client sends."""
    front, _app = stack
    session = requests.Session()
    statuses = []
    for attempt in range(5):
        token = csrf_token_from_html(session.get(front + "/login", timeout=10).text)
        response = session.post(front + "/login", timeout=10, allow_redirects=False,
                                headers={"X-Forwarded-For": f"203.0.113.{attempt}"},
                                data={"csrf_token": token, "email": "nobody@example.org",
                                      "password": "not the password"})
        statuses.append(response.status_code)
    assert statuses[:3] == [400, 400, 400] and statuses[3:] == [429, 429]


def test_a_slow_upload_never_reaches_the_single_app_worker(stack):
    """nginx buffers the body: while one client dribbles a request, the site answers."""
    front, _app = stack
    host, port = front.removeprefix("http://").split(":")
    slow = socket.create_connection((host, int(port)))
    try:
        slow.sendall(b"POST /certificates/verify HTTP/1.1\r\nHost: localhost\r\n"
                     b"Content-Type: multipart/form-data; boundary=xyz\r\nContent-Length: 100000\r\n\r\n")
        slow.sendall(b'--xyz\r\nContent-Disposition: form-data; name="pdf"; filename="a.pdf"\r\n'
                     b"\r\n%PDF-1.7\n")
        # Were the body streamed to the app, its only worker would wait for it until
        # gunicorn's 30 s timeout and this request would time out.
        health = requests.get(front + "/healthz", timeout=10)
        assert health.status_code == 200
    finally:
        slow.close()
