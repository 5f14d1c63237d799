"""Tracking links and attribution, as a visitor and a learner meet them:
`/go/<code>`, UTM-tagged visits, the sign-up form, the account page, the export."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import MetaData, Table, event, inspect, select, text
from sqlalchemy.orm import Session

from courseware import create_app
from courseware.db import get_engine
from courseware.models import FunnelCount, User
from courseware.organisations.directory import create_organisation, create_tracking_link
from courseware.web.attribution import COOKIE_NAME
from tests.helpers import Auth, confirmation_link, csrf_token

NOW = datetime.now(UTC)


@pytest.fixture
def links(app):
    """Two organisations; "gendarmerie" has a plain link and a UTM-tagged one."""
    with Session(get_engine(app)) as session:
        gendarmerie = create_organisation(session, slug="gendarmerie", name="Gendarmerie nationale",
                                          now=NOW)
        poste = create_organisation(session, slug="la-poste", name="La Poste", now=NOW)
        officers = create_tracking_link(session, gendarmerie, label="Officiers", now=NOW,
                                        course_slug="basics")
        reserve = create_tracking_link(session, gendarmerie, label="Réservistes", now=NOW,
                                       utm_source="intranet", utm_campaign="reserve")
        postmen = create_tracking_link(session, poste, label="Facteurs", now=NOW)
        session.commit()
        return {"officers": (officers.id, officers.code, gendarmerie.id),
                "reserve": (reserve.id, reserve.code, gendarmerie.id),
                "postmen": (postmen.id, postmen.code, poste.id)}


def counters(app) -> list[tuple]:
    with get_engine(app).connect() as connection:
        return [tuple(row) for row in connection.execute(
            select(FunnelCount.step, FunnelCount.organisation_id, FunnelCount.link_id,
                   FunnelCount.course_slug, FunnelCount.chapter_slug, FunnelCount.day,
                   FunnelCount.count).order_by(FunnelCount.step, FunnelCount.link_id))]


def remembered(app, client) -> dict | None:
    cookie = client.get_cookie(COOKIE_NAME)
    if cookie is None:
        return None
    return URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="attribution").loads(cookie.value)


def signup(client, **extra) -> object:
    """Sign up through the form, then open the mailed confirmation link (which logs in)."""
    data = {"csrf_token": csrf_token(client.get("/signup")), "email": "ana@example.org",
            "name": "Ana Dupont", "password": "un mot de passe solide", **extra}
    response = client.post("/signup", data=data)
    link = confirmation_link(client.application, data["email"]) if response.status_code == 302 else None
    if link:
        client.get(link)
    return response


def account(app, email: str = "ana@example.org") -> User:
    with Session(get_engine(app)) as session:
        return session.scalar(select(User).where(User.email == email))


def test_a_click_is_counted_and_lands_on_the_course(app, client, links):
    link_id, code, organisation_id = links["officers"]
    response = client.get(f"/go/{code}", headers={"User-Agent": "Firefox-test-agent"},
                          environ_base={"REMOTE_ADDR": "203.0.113.7"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/courses/basics/"
    assert response.headers["Cache-Control"] == "no-store"
    client.get(f"/go/{code.upper()}")  # read off a poster in capitals: the same link
    today = datetime.now(UTC).date()
    assert counters(app) == [("click", organisation_id, link_id, "", "", today, 2)]


def test_clicks_store_nothing_about_the_visitor(app, client, links):
    _link_id, code, _organisation_id = links["officers"]
    client.get(f"/go/{code}", headers={"User-Agent": "Firefox-test-agent"},
               environ_base={"REMOTE_ADDR": "203.0.113.7"})
    engine = get_engine(app)
    with engine.connect() as connection:
        dump = []
        for table in inspect(engine).get_table_names():
            rows = connection.execute(Table(table, MetaData(), autoload_with=connection).select()).all()
            if table not in ("funnel_counts", "funnel_counts_monthly", "organisations", "tracking_links",
                             "alembic_version"):
                assert rows == [], f"{table} got rows from a click"
            dump.append(repr(rows))
    assert "203.0.113" not in "".join(dump) and "Firefox-test-agent" not in "".join(dump)
    # The browser keeps which organisation and link, nothing that identifies anyone.
    assert set(remembered(app, client)) == {"o", "l", "s"}


def test_a_link_without_a_course_lands_on_the_first_course(client, links):
    response = client.get(f"/go/{links['postmen'][1]}")
    assert response.headers["Location"] == "/courses/basics/"


def test_an_unknown_code_is_a_friendly_404(app, client, links):
    for code in ("zzzzzz", "not-a-code", "a" * 40):
        response = client.get(f"/go/{code}")
        assert response.status_code == 404
        page = response.get_data(as_text=True)
        assert "This link is not in use" in page and 'href="/"' in page
    assert counters(app) == []
    assert client.get_cookie(COOKIE_NAME) is None


def test_the_attribution_cookie_is_first_party_lax_httponly_and_short_lived(app, client, links):
    response = client.get(f"/go/{links['officers'][1]}")
    header = [h for h in response.headers.getlist("Set-Cookie") if h.startswith(COOKIE_NAME)][0]
    assert "HttpOnly" in header and "SameSite=Lax" in header
    assert f"Max-Age={90 * 24 * 3600}" in header
    assert "Secure" not in header and "Domain" not in header
    app.config["SECURE_COOKIES"] = True
    app.config["ATTRIBUTION_DAYS"] = 30
    other = app.test_client()
    response = other.get(f"/go/{links['officers'][1]}")
    header = [h for h in response.headers.getlist("Set-Cookie") if h.startswith(COOKIE_NAME)][0]
    assert "Secure" in header and f"Max-Age={30 * 24 * 3600}" in header


def test_a_lifetime_over_13_months_is_refused(app_config):
    with pytest.raises(ValueError, match="13 months"):
        create_app({**app_config, "ATTRIBUTION_DAYS": 400})


def test_first_touch_wins_and_is_stored_at_sign_up(app, client, links):
    officers_id, officers_code, gendarmerie_id = links["officers"]
    client.get(f"/go/{officers_code}")
    client.get(f"/go/{links['postmen'][1]}")  # a later click still counts, but does not re-attribute
    client.get("/courses/basics/?utm_source=intranet&utm_campaign=reserve")
    assert remembered(app, client) == {"o": gendarmerie_id, "l": officers_id, "s": "link"}

    page = client.get("/signup").get_data(as_text=True)
    assert "You are joining through Gendarmerie nationale." in page
    assert "Don’t link my account to Gendarmerie nationale" in page
    assert "Let Gendarmerie nationale’s managers see my individual progress" in page
    assert "checked" not in page  # consent is never pre-ticked

    response = signup(client)
    assert response.status_code == 302
    user = account(app)
    assert (user.organisation_id, user.link_id, user.attribution, user.share_progress) == (
        gendarmerie_id, officers_id, "link", False)
    assert client.get_cookie(COOKIE_NAME) is None  # the account holds it now
    today = datetime.now(UTC).date()
    assert ("signup", gendarmerie_id, officers_id, "", "", today, 1) in counters(app)
    clicks = {row[2]: row[6] for row in counters(app) if row[0] == "click"}
    assert clicks == {officers_id: 1, links["postmen"][0]: 1, links["reserve"][0]: 1}


def test_a_utm_tagged_visit_counts_a_click_and_attributes(app, client, links):
    reserve_id, _code, gendarmerie_id = links["reserve"]
    response = client.get("/courses/basics/welcome/?utm_source=intranet&utm_campaign=reserve"
                          "&utm_medium=email&x=1")
    # The tags are dropped, so a reload or a copied address does not count again.
    assert response.status_code == 302
    assert response.headers["Location"] == "/courses/basics/welcome/?x=1"
    today = datetime.now(UTC).date()
    assert counters(app) == [("click", gendarmerie_id, reserve_id, "", "", today, 1)]
    assert remembered(app, client) == {"o": gendarmerie_id, "l": reserve_id, "s": "utm"}
    client.get(f"/go/{links['postmen'][1]}")
    signup(client)
    user = account(app)
    assert (user.organisation_id, user.link_id, user.attribution) == (gendarmerie_id, reserve_id, "utm")


def test_unknown_or_partial_utm_tags_leave_the_visit_alone(app, client, links):
    for query in ("utm_source=intranet&utm_campaign=other", "utm_source=intranet",
                  "utm_campaign=reserve", "utm_source=&utm_campaign=reserve"):
        response = client.get(f"/courses/basics/?{query}")
        assert response.status_code == 200, query
    assert counters(app) == []
    assert client.get_cookie(COOKIE_NAME) is None


def test_the_chapter_page_does_not_look_for_links_without_utm_tags(app, client, links):
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args):  # type: ignore[no-untyped-def]
        statements.append(statement)

    engines = [app.extensions["courseware.engine"], app.extensions["courseware.reader"]]
    for engine in engines:
        event.listen(engine, "before_cursor_execute", seen)
    try:
        assert client.get("/courses/basics/welcome/").status_code == 200
        assert client.get("/courses/basics/welcome/?utm_source=x").status_code == 200
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", seen)
    assert not [s for s in statements if "tracking_links" in s]


def test_removing_the_organisation_at_sign_up(app, client, links):
    client.get(f"/go/{links['officers'][1]}")
    signup(client, leave_organisation="y", share_progress="y")
    user = account(app)
    assert (user.organisation_id, user.link_id, user.attribution, user.share_progress) == (
        None, None, None, False)
    today = datetime.now(UTC).date()
    assert ("signup", 0, 0, "", "", today, 1) in counters(app)
    assert client.get_cookie(COOKIE_NAME) is None


def test_consent_given_at_sign_up_then_changed_then_the_organisation_left(app, client, links):
    client.get(f"/go/{links['officers'][1]}")
    signup(client, share_progress="y")
    assert account(app).share_progress is True

    page = client.get("/account/").get_data(as_text=True)
    assert "Your account is linked to Gendarmerie nationale." in page
    token = csrf_token(client.get("/account/"))
    response = client.post("/account/organisation/consent", data={"csrf_token": token})
    assert response.status_code == 302
    assert account(app).share_progress is False
    assert "now see only totals" in client.get("/account/").get_data(as_text=True)
    client.post("/account/organisation/consent", data={"csrf_token": token, "share_progress": "y"})
    assert account(app).share_progress is True
    # Without the CSRF token nothing changes.
    assert client.post("/account/organisation/consent", data={}).status_code == 400
    assert client.post("/account/organisation/leave", data={}).status_code == 400
    assert account(app).organisation_id is not None

    client.post("/account/organisation/leave", data={"csrf_token": token})
    user = account(app)
    assert (user.organisation_id, user.link_id, user.share_progress) == (None, None, False)
    assert "Your organisation" not in client.get("/account/").get_data(as_text=True)
    # The sign-up stays counted for the organisation: figures already sent do not change.
    assert counters(app)[-1][:3] == ("signup", links["officers"][2], links["officers"][0])


def test_a_signed_in_learner_clicking_a_link_is_counted_not_attributed(app, client, auth, links):
    auth.signup()
    client.get(f"/go/{links['officers'][1]}")
    assert client.get_cookie(COOKIE_NAME) is None
    assert account(app).organisation_id is None
    assert [row[0] for row in counters(app)] == ["click", "signup"]


def test_a_forged_cookie_is_ignored(app, client, links):
    client.set_cookie(COOKIE_NAME, '{"o": 1, "l": 1, "s": "link"}')
    assert "You are joining through" not in client.get("/signup").get_data(as_text=True)
    signup(client)
    assert account(app).organisation_id is None


def test_an_attribution_to_a_deleted_organisation_is_dropped(app, client, links):
    client.get(f"/go/{links['postmen'][1]}")
    with get_engine(app).begin() as connection:
        connection.execute(text("DELETE FROM tracking_links WHERE organisation_id = :o"),
                           {"o": links["postmen"][2]})
        connection.execute(text("DELETE FROM organisations WHERE id = :o"),
                           {"o": links["postmen"][2]})
    assert "You are joining through" not in client.get("/signup").get_data(as_text=True)
    assert signup(client).status_code == 302
    assert account(app).organisation_id is None


def test_the_export_includes_the_organisation_and_the_consent(app, client, links):
    client.get(f"/go/{links['officers'][1]}")
    signup(client, share_progress="y")
    data = json.loads(client.get("/account/export.json").get_data(as_text=True))
    assert data["organisation"] == {
        "slug": "gendarmerie", "name": "Gendarmerie nationale", "joined_through": "link",
        "link": "Officiers", "managers_see_my_progress": True,
    }


def test_the_export_of_a_learner_without_organisation(client, auth):
    auth.signup()
    data = json.loads(client.get("/account/export.json").get_data(as_text=True))
    assert data["organisation"] is None


def test_the_privacy_page_states_the_configured_cookie_and_contact(app, client):
    app.config["ATTRIBUTION_DAYS"] = 45
    app.config["CONTACT_EMAIL"] = "dpo@example.org"
    page = client.get("/privacy").get_data(as_text=True)
    assert COOKIE_NAME in page and "45 days" in page
    assert "no IP address, no identifier" in page and "CNIL" in page
    assert "your answers to the quizzes" in page  # stored, exported, counted: so stated
    assert 'href="mailto:dpo@example.org"' in page
    assert 'href="/privacy"' in client.get("/").get_data(as_text=True)
    client.set_cookie("lang", "fr")
    french = client.get("/privacy").get_data(as_text=True)
    assert "45 jours" in french and "adresse IP" in french


def test_a_new_learner_on_their_own_is_counted_for_no_organisation(app, auth):
    Auth(auth.client).signup()
    today = datetime.now(UTC).date()
    assert counters(app) == [("signup", 0, 0, "", "", today, 1)]


def test_a_utm_visit_never_redirects_off_the_site(app, client, links):
    for path in ("//evil.example/", "/no-such-page/"):
        response = client.get("/", query_string="utm_source=intranet&utm_campaign=reserve",
                              environ_overrides={"PATH_INFO": path})
        assert response.status_code == 404, path
    assert counters(app) == []


def test_the_sign_up_form_of_a_partners_visitor_opens_while_another_writer_holds_the_database(
        app, client, links):
    """Looking up the organisation a visitor came through only reads, so the form does not
    queue behind the site's writes (on SQLite it waited for the write lock, then failed
    with a 503 past the busy timeout)."""
    client.get(f"/go/{links['officers'][1]}")
    with get_engine(app).connect() as writer:
        writer = writer.execution_options(sqlite_immediate=True)
        with writer.begin() as transaction:
            writer.execute(User.__table__.update().values(name=User.name))  # holds the write lock
            response = client.get("/signup")
            assert response.status_code == 200
            assert "Gendarmerie nationale" in response.get_data(as_text=True)
            transaction.rollback()


class WatchedHasher:
    """The app's password hasher, noting whether a write transaction was open at each hash."""

    def __init__(self, hasher) -> None:
        self.hasher, self.in_transaction = hasher, []

    def __getattr__(self, name: str):
        return getattr(self.hasher, name)

    def hash(self, password: str) -> str:
        from flask import g

        writer = g.get("db_session")
        self.in_transaction.append(writer is not None and writer.in_transaction())
        return self.hasher.hash(password)


def test_no_write_transaction_is_open_while_a_partners_visitor_password_is_hashed(
        app, client, links, monkeypatch):
    """Argon2 takes tens of ms of CPU: inside the writer session every other writer of
    the site (quiz answers, completions) waited for it (benchmarks/launch_day.py)."""
    watched = WatchedHasher(app.extensions["courseware.hasher"])
    monkeypatch.setitem(app.extensions, "courseware.hasher", watched)
    client.get(f"/go/{links['officers'][1]}")
    assert signup(client).status_code == 302
    assert watched.in_transaction == [False]
    assert account(app).organisation_id == links["officers"][2]
