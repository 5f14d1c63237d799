"""The documented limits hold with the default configuration: 2 workers, no Redis."""

from __future__ import annotations

import re

import requests

from tests.live_server import mailed_path, running_server

PASSWORD = "un mot de passe solide"


def _post(base_url: str, path: str, data: dict, client_address: str | None = None) -> requests.Response:
    """One attempt on a new connection, so either worker may answer."""
    headers = {"Connection": "close", "Accept-Language": "en"}
    if client_address:
        headers["X-Forwarded-For"] = client_address
    with requests.Session() as session:
        page = session.get(f"{base_url}{path}", headers=headers, timeout=10).text
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        return session.post(f"{base_url}{path}", data={"csrf_token": token, **data},
                            headers=headers, allow_redirects=False, timeout=10)


def _server(tmp_path, course_dir, database_url, **env: str):
    instance = tmp_path / "instance"
    instance.mkdir(exist_ok=True)
    # No COURSEWARE_RATELIMIT_STORAGE_URI: the default storage is under test.
    return running_server(content_dir=course_dir, instance_dir=instance,
                          database_url=database_url, workers=2,
                          extra_env={"COURSEWARE_LOGIN_RATE_LIMIT": "10 per minute;50 per hour",
                                     **env})


def test_the_eleventh_attempt_in_a_minute_is_refused_whichever_worker_answers(
        engine, database_url, tmp_path, course_dir):
    with _server(tmp_path, course_dir, database_url) as server:
        statuses = [_post(server.url, "/login", {"email": f"nobody{i}@example.org",
                                                  "password": "not the password"}).status_code
                    for i in range(16)]
    # Ten wrong attempts get the form again; every later one is refused, although
    # each came on a new connection that either of the two workers could take.
    assert statuses == [400] * 10 + [429] * 6


def test_failed_log_ins_per_account_are_limited_whatever_the_client_address(
        engine, database_url, tmp_path, course_dir):
    with _server(tmp_path, course_dir, database_url, COURSEWARE_TRUSTED_PROXIES="1",
                 COURSEWARE_LOGIN_RATE_LIMIT="1000 per minute") as server:
        signup = _post(server.url, "/signup", {"email": "ana@example.org", "name": "Ana",
                                               "password": PASSWORD}, "198.51.100.1")
        assert signup.status_code == 302
        requests.get(server.url + mailed_path(server.instance_dir, "ana@example.org"), timeout=10)
        wrong = [_post(server.url, "/login", {"email": "ana@example.org", "password": f"guess {i}"},
                       f"203.0.113.{i}").status_code for i in range(10)]
        assert wrong == [400] * 10
        # From a fresh address, even the right password has to wait now...
        refused = _post(server.url, "/login", {"email": "ANA@example.org", "password": PASSWORD},
                        "192.0.2.200")
        assert refused.status_code == 429
        assert "Too many failed log-ins for this account. Try again in 15 minutes" in refused.text
        # ...while other accounts log in as usual.
        _post(server.url, "/signup", {"email": "bob@example.org", "name": "Bob",
                                      "password": PASSWORD}, "198.51.100.2")
        requests.get(server.url + mailed_path(server.instance_dir, "bob@example.org"), timeout=10)
        bob = _post(server.url, "/login", {"email": "bob@example.org", "password": PASSWORD},
                    "203.0.113.1")
        assert bob.status_code == 302
