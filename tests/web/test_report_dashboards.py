"""The report dashboards and downloads, as a manager and as an admin, on the
hand-computed fixture: managers get "<5" everywhere, admins exact figures, and
individual rows only of learners who agreed."""

from __future__ import annotations

import csv
import io
import re
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import insert
from sqlalchemy.orm import Session

from courseware.db import get_engine
from courseware.models import ChapterProgress, OrganisationManager, User
from tests.helpers import Auth
from tests.reports.fixture import Ids, seed

PASSWORD = "un mot de passe solide"
MARCH = "start=2026-03-01&end=2026-03-31"
NOW = datetime(2026, 3, 5, 9, 0, tzinfo=UTC)


def add_user(app, email: str, name: str, role: str = "learner", **values) -> int:
    hasher = app.extensions["courseware.hasher"]
    with get_engine(app).begin() as connection:
        return connection.execute(insert(User.__table__).values(
            email=email, name=name, role=role, password_hash=hasher.hash(PASSWORD),
            created_at=NOW, session_version=1, **values).returning(User.__table__.c.id)
        ).scalar_one()


@pytest.fixture
def ids(app) -> Ids:
    with get_engine(app).begin() as connection:
        ids = seed(connection)
    manager = add_user(app, "manager@example.org", "Manon Gestion")
    add_user(app, "admin@example.org", "Adèle Admin", role="admin")
    with Session(get_engine(app)) as session:
        session.add(OrganisationManager(organisation_id=ids.a, user_id=manager, created_at=NOW))
        session.commit()
    sharing = add_user(app, "zoe@example.org", "Zoé Partage", organisation_id=ids.a,
                       link_id=ids.l1, share_progress=True)
    add_user(app, "secret@example.org", "Sam Discret", organisation_id=ids.a, link_id=ids.l1,
             share_progress=False)
    add_user(app, "other@example.org", "Olga Ailleurs", organisation_id=ids.b, link_id=ids.l3,
             share_progress=True)
    with get_engine(app).begin() as connection:
        connection.execute(insert(ChapterProgress.__table__), [
            dict(user_id=sharing, course_slug="basics", chapter_slug=slug, started_at=NOW,
                 completed_at=NOW) for slug in ("welcome", "data")])
    return ids


def login(client, email: str) -> None:
    assert Auth(client).login(email=email, password=PASSWORD).status_code == 302


def cells(html: str, heading: str) -> list[str]:
    """The cells of the table row whose header cell is `heading`."""
    match = re.search(rf'<tr><th scope="row">{re.escape(heading)}</th>(.*?)</tr>', html, re.S)
    assert match, f"no row {heading!r}"
    return [re.sub(r"\s+", " ", cell).strip() for cell in re.findall(r"<td>(.*?)</td>",
                                                                      match.group(1), re.S)]


def pdf_text(tmp_path: Path, body: bytes) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(body)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          check=True, text=True).stdout


def test_manager_dashboard_hides_small_counts(client, ids):
    login(client, "manager@example.org")
    response = client.get(f"/organisations/gendarmerie/?{MARCH}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Gendarmerie nationale" in html and "From March 1, 2026 to March 31, 2026" in html
    # 6 and 5 would let anyone subtract the reservists from the totals; the rate would too.
    assert cells(html, "Gendarmerie — officiers") == ["30", "12", "10", "≥5", "≥5", "—"]
    assert cells(html, "Gendarmerie — réservistes") == ["7", "&lt;5", "&lt;5", "&lt;5", "&lt;5", "—"]
    assert cells(html, "Without a link (invitations)") == ["0", "&lt;5", "&lt;5", "0", "0", "—"]
    assert cells(html, "1. Bienvenue") == ["15", "12"]
    assert "Counts from 1 to 4" in html
    # Each chart is an SVG with a title, followed by its table; no script anywhere.
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg"') == 2
    assert "<title>From click to certificate</title>" in html and "<script" not in html
    assert "La Poste" not in html and "Facteurs" not in html


def test_admin_sees_exact_figures(client, ids):
    login(client, "admin@example.org")
    html = client.get(f"/organisations/gendarmerie/?{MARCH}").get_data(as_text=True)
    assert cells(html, "Gendarmerie — réservistes") == ["7", "3", "3", "1", "1", "33%"]
    assert "&lt;5" not in html and "Counts from 1 to 4" not in html


def test_only_learners_who_agreed_are_listed(client, ids):
    login(client, "manager@example.org")
    html = client.get(f"/organisations/gendarmerie/?{MARCH}").get_data(as_text=True)
    assert "Zoé Partage" in html and "zoe@example.org" in html
    assert cells(html, "Zoé Partage") == ["zoe@example.org", "Gendarmerie — officiers", "2 / 3", "No"]
    assert "Sam Discret" not in html and "secret@example.org" not in html
    assert "Olga Ailleurs" not in html


def test_learners_are_paginated(app, client, ids):
    for number in range(55):
        add_user(app, f"learner{number:02d}@example.org", f"Learner {number:02d}",
                 organisation_id=ids.a, share_progress=True)
    login(client, "manager@example.org")
    first = client.get("/organisations/gendarmerie/").get_data(as_text=True)
    assert "Page 1 of 2" in first and "Learner 00" in first and "Zoé Partage" not in first
    second = client.get("/organisations/gendarmerie/?page=2").get_data(as_text=True)
    assert "Page 2 of 2" in second and "Zoé Partage" in second and "Learner 00" not in second
    assert "Sam Discret" not in second


def test_default_period_is_the_current_quarter(client, ids):
    login(client, "manager@example.org")
    html = client.get("/organisations/gendarmerie/").get_data(as_text=True)
    today = datetime.now(UTC).date()
    first_month = 3 * ((today.month - 1) // 3) + 1
    assert f'value="{today.year}-{first_month:02d}-01"' in html
    assert f'value="{today.isoformat()}"' in html


def test_csv_download_for_manager_and_admin(client, ids):
    login(client, "manager@example.org")
    response = client.get(f"/organisations/gendarmerie/report.csv?{MARCH}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0][:2] == ["Link", "Clicks"]
    assert rows[2] == ["Gendarmerie — réservistes", "7", "<5", "<5", "<5", "<5", ""]
    Auth(client).logout()
    login(client, "admin@example.org")
    rows = list(csv.reader(io.StringIO(client.get(
        f"/organisations/gendarmerie/report.csv?{MARCH}").data.decode("utf-8-sig"))))
    assert rows[2][:6] == ["Gendarmerie — réservistes", "7", "3", "3", "1", "1"]


def test_csv_column_names_follow_the_language(client, ids):
    login(client, "manager@example.org")
    client.set_cookie("lang", "fr")
    body = client.get(f"/organisations/gendarmerie/report.csv?{MARCH}").data.decode("utf-8-sig")
    assert body.startswith("Lien,Clics,Inscriptions,Ont commencé")


def test_pdf_download_for_manager_and_admin(client, ids, tmp_path):
    login(client, "manager@example.org")
    response = client.get(f"/organisations/gendarmerie/report.pdf?{MARCH}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(tmp_path, response.data)
    assert "Gendarmerie nationale" in text and "<5" in text
    Auth(client).logout()
    login(client, "admin@example.org")
    text = pdf_text(tmp_path, client.get(f"/organisations/gendarmerie/report.pdf?{MARCH}").data)
    assert "<5" not in text
    assert "Gendarmerie — réservistes 7 3 3 1 1 33%" in [" ".join(line.split())
                                                      for line in text.splitlines()]


@pytest.mark.parametrize("query", ["start=2026-04-01&end=2026-03-01", "start=yesterday",
                                   "start=1900-01-01", "course=nothing-like-this"])
def test_a_bad_period_gets_a_clear_400(client, ids, query):
    login(client, "manager@example.org")
    response = client.get(f"/organisations/gendarmerie/?{query}")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'class="error"' in html and "Traceback" not in html
    assert client.get(f"/organisations/gendarmerie/report.csv?{query}").status_code == 400


def test_unknown_organisation_is_404(client, ids):
    login(client, "admin@example.org")
    assert client.get("/organisations/nobody/").status_code == 404


def test_manager_lists_only_their_organisations(client, ids):
    login(client, "manager@example.org")
    html = client.get("/organisations/").get_data(as_text=True)
    assert "Gendarmerie nationale" in html and "La Poste" not in html and "Cnam" not in html
    assert client.get("/organisations/poste/").status_code == 403
    assert client.get("/admin/reports").status_code == 403


def test_platform_report_for_admins(client, ids, tmp_path):
    login(client, "admin@example.org")
    response = client.get(f"/admin/reports?{MARCH}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg"') == 3
    assert cells(html, "Clicks") == ["42"] and cells(html, "Certified") == ["13"]
    assert cells(html, "2026-W12 (March 16, 2026)") == ["9"]
    ranking = re.findall(r'<th scope="row"><a href="[^"]*">(\d+\. [^<]+)</a></th>', html)
    assert ranking == ["1. Gendarmerie nationale", "2. La Poste", "3. Cnam"]
    rows = list(csv.reader(io.StringIO(
        client.get(f"/admin/reports.csv?{MARCH}").data.decode("utf-8-sig"))))
    assert ["Total", "42", "26", "24", "14", "13", "58.3"] in rows
    assert "Whole platform" in pdf_text(tmp_path, client.get(f"/admin/reports.pdf?{MARCH}").data)
