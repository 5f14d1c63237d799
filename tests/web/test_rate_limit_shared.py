"""Rate limits hold across server processes when their counters live in Redis."""

from __future__ import annotations

import re

import redis
import requests

from tests.live_server import running_server

REDIS_URL = "redis://127.0.0.1:6379/0"


def _failed_login(base_url: str) -> int:
    session = requests.Session()
    page = session.get(f"{base_url}/login", timeout=10).text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = session.post(f"{base_url}/login", allow_redirects=False, timeout=10,
                            data={"csrf_token": token, "email": "nobody@example.org",
                                  "password": "not the password"})
    return response.status_code


def test_two_servers_share_one_login_budget(tmp_path, course_dir):
    store = redis.Redis.from_url(REDIS_URL)
    for key in store.scan_iter("LIMITS:LIMITER*"):  # counters left by an earlier run
        store.delete(key)
    settings = {"COURSEWARE_RATELIMIT_STORAGE_URI": REDIS_URL,
                "COURSEWARE_LOGIN_RATE_LIMIT": "3 per minute"}
    (tmp_path / "instance").mkdir(exist_ok=True)
    database = f"sqlite:///{tmp_path / 'instance' / 'shared.db'}"
    with running_server(content_dir=course_dir, instance_dir=tmp_path / "instance",
                        database_url=database, extra_env=settings) as one, \
         running_server(content_dir=course_dir, instance_dir=tmp_path / "instance",
                        database_url=database, extra_env=settings) as two:
        statuses = [_failed_login(url) for url in (one.url, two.url, one.url, two.url)]
    # Three wrong attempts are answered with the form again; the fourth is refused
    # although it reached the other server (and another worker).
    assert statuses == [400, 400, 400, 429]
