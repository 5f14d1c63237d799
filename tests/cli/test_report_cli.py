"""`courseware report`: the same figures as the dashboards, as files."""

from __future__ import annotations

import csv
import io
import subprocess

import pytest
from sqlalchemy import create_engine

from courseware.migrate import upgrade_database
from tests.cli.test_cli import run
from tests.helpers import empty_tables
from tests.reports.fixture import seed


@pytest.fixture
def seeded(environment):  # noqa: F811
    engine = create_engine(environment["COURSEWARE_DATABASE_URL"])
    upgrade_database(engine)
    empty_tables(engine)
    with engine.begin() as connection:
        seed(connection)
    engine.dispose()
    return environment


def rows_of(path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))


def test_organisation_csv_is_suppressed_unless_exact(seeded, tmp_path):
    out = tmp_path / "gendarmerie.csv"
    result = run(seeded, "report", "--org", "gendarmerie", "--from", "2026-03-01", "--to",
                 "2026-03-31", "--format", "csv", "--output", str(out), "--locale", "en")
    assert result.exit_code == 0, result.output
    rows = rows_of(out)
    assert rows[2] == ["Gendarmerie — réservistes", "7", "<5", "<5", "<5", "<5", ""]
    # 5 officers certified + "<5" reservists = 6 would give the reservist away: both 5 and 6 hide.
    assert rows[1][:6] == ["Gendarmerie — officiers", "30", "12", "10", "≥5", "≥5"]
    assert rows[4][:6] == ["Total", "37", "17", "15", "7", "≥5"]
    run(seeded, "report", "--org", "gendarmerie", "--from", "2026-03-01", "--to", "2026-03-31",
        "--format", "csv", "--output", str(out), "--exact")
    assert rows_of(out)[2][:6] == ["Gendarmerie — réservistes", "7", "3", "3", "1", "1"]


def test_platform_pdf(seeded, tmp_path):
    out = tmp_path / "platform.pdf"
    result = run(seeded, "report", "--all", "--from", "2026-03-01", "--to", "2026-03-31",
                 "--format", "pdf", "--output", str(out), "--locale", "fr")
    assert result.exit_code == 0, result.output
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, check=True,
                          text=True).stdout
    assert "Toute la plateforme" in text and "Gendarmerie nationale" in text


@pytest.mark.parametrize(("args", "message"), [
    (["--org", "nobody"], "no organisation with the slug 'nobody'"),
    ([], "give either --org SLUG or --all"),
    (["--org", "gendarmerie", "--all"], "give either --org SLUG or --all"),
    (["--all", "--from", "2026-04-01", "--to", "2026-03-01"], "is after --to"),
    (["--all", "--from", "1 April"], "'1 April' does not match the format"),
    (["--all", "--course", "missing"], "no course 'missing'"),
])
def test_mistakes_get_a_clear_message(seeded, tmp_path, args, message):
    result = run(seeded, "report", *args, "--format", "csv", "--output", str(tmp_path / "x.csv"))
    assert result.exit_code in (1, 2) and message in result.output
