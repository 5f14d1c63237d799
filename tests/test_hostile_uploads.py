"""Hostile uploads to the certificate check never take the server down: against a
real `courseware serve` (gunicorn, 2 sync workers), /healthz keeps answering while
files built to keep pyHanko busy for minutes are in flight."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from tests.hostile_pdfs import many_signature_fields, padded_object_streams, whitespace_padded
from tests.live_server import LiveServer

# The signed server checks its log for tracebacks when done: a hostile file must not print one.
from tests.test_certificate_concurrency import server, token_from  # noqa: F401 - fixture

REFUSED = "This file could not be checked"


def test_health_check_answers_while_hostile_uploads_are_in_flight(server: LiveServer, tmp_path: Path):  # noqa: F811
    files = {"object-streams": padded_object_streams(), "signature-fields": many_signature_fields(),
             "padding-1": whitespace_padded(), "padding-2": whitespace_padded()}
    visitor = requests.Session()
    visitor.cookies.set("lang", "en")
    verify_url = server.url + "/certificates/verify"
    token = token_from(visitor, verify_url)
    cookies = visitor.cookies.get_dict()
    start = threading.Barrier(len(files) + 1)

    def upload(name: str) -> requests.Response:
        start.wait(timeout=30)
        return requests.post(verify_url, cookies=cookies, timeout=60, data={"csrf_token": token},
                             files={"pdf": (f"{name}.pdf", files[name], "application/pdf")})

    with ThreadPoolExecutor(max_workers=len(files)) as pool:
        pending = {name: pool.submit(upload, name) for name in files}
        start.wait(timeout=30)
        # Before the fix both workers stayed busy for 30 s and these timed out.
        health = [requests.get(server.url + "/healthz", timeout=10).status_code for _ in range(5)]
        answers = {name: future.result() for name, future in pending.items()}

    assert health == [200] * 5
    for name in ("object-streams", "signature-fields"):
        assert answers[name].status_code == 422 and REFUSED in answers[name].text, name
    for name in ("padding-1", "padding-2"):
        # Checked (no signature); turned away while the other one held the slot; or, on a
        # loaded machine, stopped at the wall-clock deadline.
        response = answers[name]
        assert (response.status_code, "carries no digital signature" in response.text) == (200, True) \
            or (response.status_code, "Too many files" in response.text) == (503, True) \
            or (response.status_code, REFUSED in response.text) == (422, True), response.text
    port = server.url.rsplit(":", 1)[1]
    not_checked = sum(response.status_code != 200 for response in answers.values())
    # The server writes its log from a buffer a few times a second: the answer can
    # arrive before the line that goes with it is in the file.
    deadline = time.monotonic() + 10
    while True:
        log = (tmp_path / f"server-{port}.log").read_text(errors="replace")
        refused = [line for line in log.splitlines() if "certificate check refused" in line]
        if len(refused) >= not_checked or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert "Traceback" not in log and "WORKER TIMEOUT" not in log, log[-3000:]
    assert len(refused) == not_checked, refused
