"""Operators see one structured line per request and Prometheus metrics, and the
log never holds a token, an e-mail address or (unless asked) an IP address."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import pytest
import requests

from courseware import create_app
from courseware.db import dispose_engines
from tests.helpers import Auth, write_course
from tests.live_server import running_server


@pytest.fixture
def make_app():
    """Apps built in a test, their connection pools closed at the end."""
    made = []

    def build(config: dict):
        made.append(create_app(config))
        return made[-1]

    yield build
    for app in made:
        dispose_engines(app)


def request_lines(caplog) -> list[dict]:
    return [json.loads(record.getMessage()) for record in caplog.records
            if record.name == "courseware.requests"]


def test_each_request_logs_one_line_with_its_id(client, caplog):
    caplog.set_level(logging.INFO, logger="courseware.requests")
    response = client.get("/courses/basics/")
    [line] = request_lines(caplog)
    assert line["request_id"] == response.headers["X-Request-ID"]
    assert (line["method"], line["route"], line["status"]) == ("GET", "/courses/<course_slug>/", 200)
    assert line["ms"] >= 0 and "client" not in line


def test_the_log_holds_no_token_no_email_no_address(client, auth, caplog):
    caplog.set_level(logging.INFO, logger="courseware.requests")
    token = "eyJ1Ijo0MiwidiI6MX0.secret-looking-token"
    client.get(f"/password/reset/{token}")
    client.get("/courses/basics/?utm_source=mail&email=ana@example.org")
    auth.signup(email="ana@example.org")
    text = "\n".join(record.getMessage() for record in caplog.records
                     if record.name == "courseware.requests")
    assert "/password/reset/<token>" in text
    assert token not in text and "ana@example.org" not in text and "utm_source" not in text
    assert "127.0.0.1" not in text


def test_client_addresses_are_logged_only_when_configured(app_config, caplog, make_app):
    caplog.set_level(logging.INFO, logger="courseware.requests")
    app = make_app({**app_config, "LOG_CLIENT_ADDRESSES": True})
    app.test_client().get("/", environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert request_lines(caplog)[-1]["client"] == "192.0.2.7"


def test_metrics_need_the_configured_token(app_config, make_app):
    closed = make_app(app_config).test_client()
    assert closed.get("/metrics").status_code == 404  # no token set: no endpoint
    client = make_app({**app_config, "METRICS_TOKEN": "s3cret-metrics"}).test_client()
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    client.get("/courses/basics/")
    response = client.get("/metrics", headers={"Authorization": "Bearer s3cret-metrics"})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    body = response.get_data(as_text=True)
    assert re.search(r'courseware_request_duration_seconds_count\{method="GET",'
                     r'route="/courses/<course_slug>/",status="200"\} [1-9]', body)
    assert "courseware_signups_total" in body


def test_one_scrape_counts_every_worker_of_a_server(tmp_path: Path):
    # The metrics files do not depend on the database: SQLite is enough.
    database_url = f"sqlite:///{tmp_path / 'site.db'}"
    write_course(tmp_path / "content" / "basics")
    with running_server(content_dir=tmp_path / "content", instance_dir=tmp_path / "instance",
                        database_url=database_url, workers=2,
                        extra_env={"COURSEWARE_METRICS_TOKEN": "scrape-me"}) as server:
        session = requests.Session()  # keep-alive off per request below spreads work over workers
        for _ in range(30):
            assert session.get(server.url + "/courses/basics/", timeout=10,
                               headers={"Connection": "close"}).status_code == 200
        body = requests.get(server.url + "/metrics", timeout=10,
                            headers={"Authorization": "Bearer scrape-me"}).text
    count = re.search(r'courseware_request_duration_seconds_count\{method="GET",'
                      r'route="/courses/<course_slug>/",status="200"\} ([0-9.]+)', body)
    assert count and float(count.group(1)) == 30
    assert (tmp_path / "instance" / "metrics").is_dir()


def test_business_events_are_counted(app_config, make_app):
    from courseware import metrics

    app = make_app({**app_config, "METRICS_TOKEN": "s3cret-metrics"})
    before = metrics.SIGNUPS._value.get()
    Auth(app.test_client()).signup(email="metrics@example.org")
    assert metrics.SIGNUPS._value.get() == before + 1
