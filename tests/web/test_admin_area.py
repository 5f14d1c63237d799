"""The admin area as an admin uses it: users, certificates, the audit log.

Each admin action leaves an entry in the audit log; the log is for admins only.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from courseware.db import get_engine
from courseware.models import AuditEntry, Certificate, FunnelCount, User
from courseware.reports.counters import count_event
from tests.helpers import Auth
from tests.web.conftest import english_client
from tests.web.test_certificates import learner_with_certificate

ADMIN = "root@example.org"
PASSWORD = "un mot de passe solide"


def make_admin(app: Flask, email: str = ADMIN) -> FlaskClient:
    """An admin account, logged in in a browser of its own."""
    client = english_client(app)
    auth = Auth(client)
    assert auth.signup(email=email, name="Root Admin").status_code == 302
    with get_engine(app).begin() as connection:
        connection.execute(update(User.__table__).where(User.email == email).values(role="admin"))
    return client


def audit_rows(app: Flask) -> list:
    with get_engine(app).connect() as connection:
        return list(connection.execute(
            select(AuditEntry.action, AuditEntry.actor_email, AuditEntry.target, AuditEntry.detail)
            .order_by(AuditEntry.id)))


def user_id(app: Flask, email: str) -> int:
    with get_engine(app).connect() as connection:
        return connection.scalar(select(User.id).where(User.email == email))


def post(client: FlaskClient, url: str, data: dict, token_from: str):
    return Auth(client).post(url, data, token_from=token_from)


def test_search_finds_users_by_email_or_name_and_treats_wildcards_literally(app, auth):
    auth.signup(email="ana@example.org", name="Ana Dupont")
    Auth(english_client(app)).signup(email="bob_100%@example.org", name="Bob Martin")
    admin = make_admin(app)
    def names(query: str) -> list[str]:
        html = admin.get("/admin/users", query_string={"q": query}).get_data(as_text=True)
        return [name for name in ("Ana Dupont", "Bob Martin", "Root Admin") if name in html]

    assert names("") == ["Ana Dupont", "Bob Martin", "Root Admin"]
    assert names("dupont") == ["Ana Dupont"]
    assert names("ANA@EXAMPLE.ORG") == ["Ana Dupont"]
    assert names("martin") == ["Bob Martin"]
    assert names("_100%") == ["Bob Martin"]
    assert names("%") == ["Bob Martin"]  # a literal %, not "everything"
    assert names("nobody") == []


def test_a_users_page_shows_progress_certificates_and_consent(app, auth):
    public_id = learner_with_certificate(auth)
    admin = make_admin(app)
    html = admin.get(f"/admin/users/{user_id(app, 'ana@example.org')}").get_data(as_text=True)
    assert "ana@example.org" in html and "3 of 3" in html and public_id in html
    assert "Shares individual progress" in html


def test_granting_a_role_is_audited_and_the_last_admin_stays_admin(app, auth):
    auth.signup()
    admin = make_admin(app)
    ana = user_id(app, "ana@example.org")
    page = f"/admin/users/{ana}"
    assert post(admin, f"{page}/role", {"role": "instructor"}, page).status_code == 302
    assert audit_rows(app) == [("role.grant", ADMIN, "ana@example.org", "learner → instructor")]

    root = user_id(app, ADMIN)
    refused = post(admin, f"/admin/users/{root}/role", {"role": "learner"}, page)
    assert refused.status_code == 400 and "only admin account" in refused.get_data(as_text=True)
    # With a second admin, the first may step down.
    assert post(admin, f"{page}/role", {"role": "admin"}, page).status_code == 302
    assert post(admin, f"/admin/users/{root}/role", {"role": "learner"}, page).status_code == 302
    assert admin.get("/admin/").status_code == 403
    assert [row.action for row in audit_rows(app)] == ["role.grant"] * 3


def test_deleting_an_account_keeps_aggregated_counts_and_is_audited(app, auth):
    public_id = learner_with_certificate(auth)
    ana = user_id(app, "ana@example.org")
    with get_engine(app).begin() as connection:
        count_event(connection, step="signup", day=date(2026, 3, 1))

    def counts() -> int:
        with get_engine(app).connect() as connection:
            return connection.scalar(select(func.sum(FunnelCount.count)))

    admin = make_admin(app)  # (its sign-up is counted too)
    before = counts()
    form = f"/admin/users/{ana}/delete"
    unconfirmed = post(admin, form, {"certificates": "keep"}, form)
    assert unconfirmed.status_code == 400 and user_id(app, "ana@example.org") == ana
    response = post(admin, form, {"certificates": "keep", "confirm": "y"}, form)
    assert response.status_code == 302 and user_id(app, "ana@example.org") is None
    assert counts() == before
    with Session(get_engine(app)) as session:
        certificate = session.scalar(select(Certificate).where(Certificate.public_id == public_id))
        assert certificate.user_id is None and certificate.status == "valid"
    assert audit_rows(app) == [("user.delete", ADMIN, "ana@example.org", "certificates kept")]
    # The deleted learner's sessions are gone too.
    assert auth.client.get("/account/").status_code == 302


def test_an_admin_cannot_delete_their_own_account_here(app):
    admin = make_admin(app)
    root = user_id(app, ADMIN)
    response = admin.get(f"/admin/users/{root}/delete")
    assert response.status_code == 302 and user_id(app, ADMIN) == root


def test_certificates_are_found_by_id_in_any_form_or_by_name_and_revoked_with_a_reason(app, auth):
    public_id = learner_with_certificate(auth, name="Ana Dupont")
    admin = make_admin(app)
    sloppy = public_id.lower().replace("-", "")
    for query in (sloppy, "dupont", public_id):
        html = admin.get("/admin/certificates", query_string={"q": query}).get_data(as_text=True)
        assert public_id in html, query
    assert public_id not in admin.get("/admin/certificates?q=nobody").get_data(as_text=True)

    page = f"/admin/certificates/{public_id}"
    assert admin.get(f"/admin/certificates/{sloppy}").headers["Location"].endswith(page)
    assert admin.get("/admin/certificates/0000-0000-0000-0000").status_code == 404
    empty = post(admin, f"{page}/revoke", {"reason": ""}, page)
    assert empty.status_code == 400
    assert post(admin, f"{page}/revoke", {"reason": "Fraude constatée"}, page).status_code == 302
    public = english_client(app).get(f"/certificates/{public_id}").get_data(as_text=True)
    assert "revoked" in public and "Fraude constatée" in public
    assert audit_rows(app) == [("certificate.revoke", ADMIN, public_id, "Fraude constatée")]


def test_a_certificate_page_shows_what_replaced_what_both_ways(app, auth):
    public_id = learner_with_certificate(auth)
    newer = "ABCD-EFGH-JKMN-PQRS"
    with Session(get_engine(app)) as session:
        old = session.scalar(select(Certificate).where(Certificate.public_id == public_id))
        session.add(Certificate(
            public_id=newer, user_id=old.user_id, course_slug=old.course_slug,
            course_title=old.course_title, course_language="fr", content_version="x",
            duration_minutes=1, issuer="x", printed_name="Ana D.",
            issued_at=datetime.now(UTC), signer_fingerprint="0" * 64))
        old.status, old.replaced_by, old.current_key = "replaced", newer, None
        session.commit()
    admin = make_admin(app)
    old_page = admin.get(f"/admin/certificates/{public_id}").get_data(as_text=True)
    assert f'href="/admin/certificates/{newer}"' in old_page
    new_page = admin.get(f"/admin/certificates/{newer}").get_data(as_text=True)
    assert f'href="/admin/certificates/{public_id}"' in new_page


def test_the_audit_log_lists_newest_first_filters_and_is_for_admins_only(app, auth):
    auth.signup()
    admin = make_admin(app)
    ana = user_id(app, "ana@example.org")
    page = f"/admin/users/{ana}"
    post(admin, f"{page}/role", {"role": "instructor"}, page)
    post(admin, f"{page}/role", {"role": "learner"}, page)
    html = admin.get("/admin/audit").get_data(as_text=True)
    assert html.index("instructor → learner") < html.index("learner → instructor")
    assert "learner → instructor" in admin.get("/admin/audit?action=role.grant").get_data(as_text=True)
    assert "learner → instructor" not in admin.get("/admin/audit?action=user.delete").get_data(
        as_text=True)
    assert auth.client.get("/admin/audit").status_code == 403
    assert english_client(app).get("/admin/audit").status_code == 302
