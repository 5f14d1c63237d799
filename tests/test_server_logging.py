"""Under `courseware serve`, request log lines go through a buffer to one writer
thread per worker (log_buffer.py): every line still arrives, in order, and the
ones still buffered are written when the server stops."""

from __future__ import annotations

import json

import requests

from tests.helpers import write_course
from tests.live_server import running_server


def test_every_request_line_reaches_the_log_in_order(tmp_path):
    write_course(tmp_path / "content" / "basics")
    with running_server(content_dir=tmp_path / "content", instance_dir=tmp_path / "instance",
                        database_url=f"sqlite:///{tmp_path / 'site.db'}", workers=1) as server:
        session = requests.Session()
        ids = [session.get(server.url + path, timeout=10).headers["X-Request-ID"]
               for path in ["/healthz", "/courses/basics/", "/no-such-page", "/"] * 5]
        port = server.url.rsplit(":", 1)[1]
    # The server has stopped: its queued lines were written on the way out.
    log = (tmp_path / f"server-{port}.log").read_text()
    # An operator reads this log: no library's warning about code courseware does not use
    # (cryptography 51 warned at every start that DSA is deprecated: dsa_warning.py).
    assert "Warning" not in log
    lines = [json.loads(line.split("courseware.requests:", 1)[1])
             for line in log.splitlines() if "courseware.requests:" in line]
    logged = [line["request_id"] for line in lines if line["request_id"] in ids]
    assert logged == ids
    assert {line["route"] for line in lines if line["request_id"] in ids} == {
        "/healthz", "/courses/<course_slug>/", "<unmatched>", "/"}
