"""Rate limits hold across server processes when their counters live in Redis."""

from __future__ import annotations

import re

import redis
import requests

from tests.live_server import running_server

# A Redis database per backend: the two variants run at the same time, from the same
# address, and would otherwise spend each other's budget.
REDIS_URLS = {"sqlite": "redis://127.0.0.1:6379/5", "postgresql": "redis://127.0.0.1:6379/6"}


def _failed_login(base_url: str) -> int:
    session = requests.Session()
    page = session.get(f"{base_url}/login", timeout=10).text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = session.post(f"{base_url}/login", allow_redirects=False, timeout=10,
                            data={"csrf_token": token, "email": "nobody@example.org",
                                  "password": "not the password"})
    return response.status_code


def test_two_servers_share_one_login_budget(tmp_path, course_dir, engine):
    redis_url = REDIS_URLS[engine.dialect.name]
    redis.Redis.from_url(redis_url).flushdb()  # counters left by an earlier run
    settings = {"COURSEWARE_RATELIMIT_STORAGE_URI": redis_url,
                "COURSEWARE_LOGIN_RATE_LIMIT": "3 per minute"}
    (tmp_path / "instance").mkdir(exist_ok=True)
    database = engine.url.render_as_string(hide_password=False)  # one database for both
    with running_server(content_dir=course_dir, instance_dir=tmp_path / "instance",
                        database_url=database, extra_env=settings) as one, \
         running_server(content_dir=course_dir, instance_dir=tmp_path / "instance",
                        database_url=database, extra_env=settings) as two:
        statuses = [_failed_login(url) for url in (one.url, two.url, one.url, two.url)]
    # Three wrong attempts are answered with the form again; the fourth is refused
    # although it reached the other server (and another worker).
    assert statuses == [400, 400, 400, 429]
