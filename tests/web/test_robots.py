"""robots.txt lets crawlers read the course and keeps them out of private pages."""

from __future__ import annotations

import re
import urllib.robotparser


def parsed(client) -> urllib.robotparser.RobotFileParser:
    response = client.get("/robots.txt")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    assert response.cache_control.public and response.cache_control.max_age
    parser = urllib.robotparser.RobotFileParser()
    parser.parse(response.get_data(as_text=True).splitlines())
    return parser


def test_the_course_and_the_public_pages_may_be_crawled(client):
    robots = parsed(client)
    for path in ("/", "/courses/basics/", "/courses/basics/welcome/", "/accessibility", "/privacy",
                 "/certificates/verify", "/signup", "/login",
                 # the page says noindex itself; the preview feeds link cards
                 "/certificates/ABCD-EFGH-JKMN-PQRS", "/certificates/ABCD-EFGH-JKMN-PQRS.png"):
        assert robots.can_fetch("Googlebot", path), path


def test_private_and_secret_pages_are_disallowed(client):
    robots = parsed(client)
    for path in ("/account/", "/account/export.json", "/admin/", "/admin/users", "/instructor/basics/",
                 "/organisations/",
                 "/organisations/a/report.csv", "/password/reset/sometoken", "/password/forgot",
                 "/signup/confirm/sometoken", "/invitations/sometoken", "/go/k7m2qx", "/metrics"):
        assert not robots.can_fetch("Googlebot", path), path


def test_wildcard_rules_cover_certificate_downloads_and_claims(client):
    # Python's parser ignores `*` and `$` (Google, Bing and Qwant read them): check the rules.
    text = client.get("/robots.txt").get_data(as_text=True)
    rules = re.findall(r"^Disallow: (\S+)$", text, re.MULTILINE)
    assert "/certificates/*.pdf$" in rules and "/courses/*/certificate" in rules
    pattern = next(r for r in rules if r.endswith(".pdf$"))
    as_regex = re.escape(pattern[:-1]).replace(r"\*", ".*") + "$"
    assert re.match(as_regex, "/certificates/ABCD-EFGH-JKMN-PQRS.pdf")
    assert not re.match(as_regex, "/certificates/ABCD-EFGH-JKMN-PQRS.png")
