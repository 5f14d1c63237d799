"""Style sheets and icons: versioned URLs a browser keeps for a year without asking again."""

from __future__ import annotations

import re

from courseware.web.static_files import StaticVersions


def static_urls(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', html)


def test_pages_link_static_files_by_content_version(client):
    urls = static_urls(client.get("/").get_data(as_text=True))
    assert urls and all(re.search(r"\?v=[0-9a-f]{12}$", url) for url in urls)


def test_versioned_files_are_cached_for_a_year_for_everyone(client, auth):
    auth.signup()  # a signed-in learner's request carries a session cookie
    for url in static_urls(client.get("/").get_data(as_text=True)):
        response = client.get(url)
        response.close()  # the test client streams files: close them
        assert response.status_code == 200
        assert response.cache_control.max_age == 365 * 24 * 3600
        assert response.cache_control.public and response.cache_control.immutable
        assert not response.cache_control.no_cache
        assert "Cookie" not in response.vary and "Set-Cookie" not in response.headers


def test_an_unversioned_or_stale_url_is_revalidated(client):
    for url in ("/static/css/site.css", "/static/css/site.css?v=000000000000"):
        response = client.get(url)
        response.close()
        assert response.status_code == 200
        assert response.cache_control.max_age != 365 * 24 * 3600


def test_a_changed_file_gets_a_new_url(tmp_path):
    (tmp_path / "site.css").write_text("body { color: black }")
    before = StaticVersions(tmp_path).of("site.css")
    (tmp_path / "site.css").write_text("body { color: navy }")
    assert StaticVersions(tmp_path).of("site.css") != before
    assert StaticVersions(tmp_path).of("../etc/passwd") == ""
