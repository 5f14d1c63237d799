"""Every route of the admin, organisation and instructor areas, for every role, in one table.

A new route under /admin, /organisations or /instructor without a row in MATRIX fails
`test_every_admin_and_organisation_route_is_in_the_matrix`: decide who may use
it, then add the row.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session

from courseware.db import get_engine
from courseware.models import Certificate, Organisation, OrganisationManager, TrackingLink, User
from tests.helpers import Auth, csrf_token

PASSWORD = "un mot de passe solide"
ROLES = ("anonymous", "learner", "instructor", "manager_a", "manager_b", "admin")
ADMIN = frozenset({"admin"})
MANAGERS_OF_A = frozenset({"manager_a", "admin"})
MANAGERS = frozenset({"manager_a", "manager_b", "admin"})
INSTRUCTORS = frozenset({"instructor", "admin"})
# A tracking link of organisation "a", and the logo it has (made by _make_users).
LINK_CODE = "k7m2qx"
LOGO = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 4"><rect width="4" height="4"/></svg>'
CERTIFICATE = "ABCD-EFGH-JKMN-PQRS"

# (method, rule) -> (a URL for that rule, the roles allowed). Organisation "a" is the
# one in the URL; "manager_b" manages another organisation and must be refused.
MATRIX: dict[tuple[str, str], tuple[str, frozenset[str]]] = {
    ("GET", "/admin/"): ("/admin/", ADMIN),
    ("GET", "/admin/reports"): ("/admin/reports", ADMIN),
    ("GET", "/admin/reports.csv"): ("/admin/reports.csv", ADMIN),
    ("GET", "/admin/reports.pdf"): ("/admin/reports.pdf", ADMIN),
    ("GET", "/organisations/"): ("/organisations/", MANAGERS),
    ("GET", "/organisations/<slug>/"): ("/organisations/a/", MANAGERS_OF_A),
    ("GET", "/organisations/<slug>/report.csv"): ("/organisations/a/report.csv", MANAGERS_OF_A),
    ("GET", "/organisations/<slug>/report.pdf"): ("/organisations/a/report.pdf", MANAGERS_OF_A),
    ("GET", "/admin/organisations/"): ("/admin/organisations/", ADMIN),
    ("GET", "/admin/organisations/new"): ("/admin/organisations/new", ADMIN),
    ("POST", "/admin/organisations/new"): ("/admin/organisations/new", ADMIN),
    ("GET", "/admin/organisations/<slug>/"): ("/admin/organisations/a/", ADMIN),
    ("POST", "/admin/organisations/<slug>/links"): ("/admin/organisations/a/links", ADMIN),
    ("GET", "/admin/organisations/<slug>/logo"): ("/admin/organisations/a/logo", ADMIN),
    ("POST", "/admin/organisations/<slug>/managers"): ("/admin/organisations/a/managers", ADMIN),
    ("POST", "/admin/organisations/<slug>/managers/remove"):
        ("/admin/organisations/a/managers/remove", ADMIN),
    ("GET", "/admin/organisations/<slug>/links/<code>/qr.svg"):
        (f"/admin/organisations/a/links/{LINK_CODE}/qr.svg", ADMIN),
    ("GET", "/admin/organisations/<slug>/links/<code>/poster.pdf"):
        (f"/admin/organisations/a/links/{LINK_CODE}/poster.pdf", ADMIN),
    # Users, certificates and the audit log (H7). User 1 is the learner; CERTIFICATE is theirs.
    ("GET", "/admin/users"): ("/admin/users?q=learner", ADMIN),
    ("GET", "/admin/users/<int:user_id>"): ("/admin/users/1", ADMIN),
    ("POST", "/admin/users/<int:user_id>/role"): ("/admin/users/1/role", ADMIN),
    ("GET", "/admin/users/<int:user_id>/delete"): ("/admin/users/1/delete", ADMIN),
    ("POST", "/admin/users/<int:user_id>/delete"): ("/admin/users/1/delete", ADMIN),
    ("GET", "/admin/certificates"): ("/admin/certificates?q=learner", ADMIN),
    ("GET", "/admin/certificates/<public_id>"): (f"/admin/certificates/{CERTIFICATE}", ADMIN),
    ("POST", "/admin/certificates/<public_id>/revoke"): (
        f"/admin/certificates/{CERTIFICATE}/revoke", ADMIN),
    ("GET", "/admin/audit"): ("/admin/audit", ADMIN),
    # Staff invitations of organisation "a".
    ("GET", "/organisations/<slug>/invitations"): ("/organisations/a/invitations", MANAGERS_OF_A),
    ("POST", "/organisations/<slug>/invitations"): ("/organisations/a/invitations", MANAGERS_OF_A),
    ("POST", "/organisations/<slug>/invitations/confirm"): (
        "/organisations/a/invitations/confirm", MANAGERS_OF_A),
    # The instructor dashboard: content analytics, no organisation's figures.
    ("GET", "/instructor/"): ("/instructor/", INSTRUCTORS),
    ("GET", "/instructor/<course_slug>/"): ("/instructor/basics/?language=fr", INSTRUCTORS),
    ("GET", "/instructor/<course_slug>/analytics.csv"): ("/instructor/basics/analytics.csv",
                                                          INSTRUCTORS),
    # Public on purpose: it tells crawlers to keep out of the rows above.
    ("GET", "/robots.txt"): ("/robots.txt", frozenset(ROLES)),
}

AREAS = ("/admin", "/organisations", "/instructor", "/robots.txt")


def test_every_admin_and_organisation_route_is_in_the_matrix(app):
    routes = {
        (method, rule.rule)
        for rule in app.url_map.iter_rules() if rule.rule.startswith(AREAS)
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert routes, "the areas have routes"
    assert routes - set(MATRIX) == set(), "routes without a row in MATRIX"
    assert set(MATRIX) - routes == set(), "rows for routes that no longer exist"


def _make_users(app) -> None:
    now = datetime.now(UTC)
    hasher = app.extensions["courseware.hasher"]
    with Session(get_engine(app)) as session:
        orgs = {slug: Organisation(slug=slug, name=f"Organisation {slug.upper()}", created_at=now)
                for slug in ("a", "b")}
        session.add_all(orgs.values())
        users = {}
        for role in ROLES[1:]:
            stored_role = role if role in ("instructor", "admin") else "learner"
            users[role] = User(email=f"{role}@example.org", name=role, role=stored_role,
                               password_hash=hasher.hash(PASSWORD), created_at=now)
        session.add_all(users.values())
        session.flush()
        orgs["a"].logo, orgs["a"].logo_type = LOGO, "image/svg+xml"
        session.add(TrackingLink(organisation_id=orgs["a"].id, code=LINK_CODE, label="Staff",
                                 created_at=now))
        session.add(Certificate(
            public_id=CERTIFICATE, user_id=users["learner"].id, course_slug="basics",
            course_title="Les bases", course_language="fr", content_version="1",
            duration_minutes=10, issuer="Test", printed_name="Learner", issued_at=now,
            signer_fingerprint="0" * 64))
        session.add_all([
            OrganisationManager(organisation_id=orgs["a"].id, user_id=users["manager_a"].id,
                                created_at=now),
            OrganisationManager(organisation_id=orgs["b"].id, user_id=users["manager_b"].id,
                                created_at=now),
        ])
        session.commit()


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "rule"), sorted(MATRIX))
def test_each_role_gets_only_what_it_may(app, client, role, method, rule):
    _make_users(app)
    if role != "anonymous":
        assert Auth(client).login(email=f"{role}@example.org", password=PASSWORD).status_code == 302
    url, allowed = MATRIX[(method, rule)]
    data = {"csrf_token": csrf_token(client.get("/login"))} if method != "GET" else None
    response = client.open(url, method=method, data=data)
    if role in allowed:
        assert response.status_code in (200, 302, 400), response.status_code
        if response.status_code == 302:
            assert "/login" not in response.headers["Location"]
    elif role == "anonymous":
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    else:
        assert response.status_code in (403, 404), response.status_code
