"""CSV, PDF and SVG render the same figures: parsed back, extracted with pdftotext."""

from __future__ import annotations

import csv
import io
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine

from courseware.reports import organisation_report, platform_report, suppress_small_counts
from courseware.reports.charts import chapters_chart, funnel_chart, weeks_chart
from courseware.reports.csv_export import report_csv
from courseware.reports.pdf import report_pdf
from courseware.reports.wording import wording
from tests.reports.fixture import BASICS, END, START, seed

SVG = "{http://www.w3.org/2000/svg}"


@dataclass(frozen=True)
class Org:
    name: str
    logo: bytes | None = None


@pytest.fixture
def reports(engine: Engine):
    with engine.begin() as connection:
        ids = seed(connection)
        return (organisation_report(connection, ids.a, START, END, BASICS),
                platform_report(connection, START, END, BASICS))


def parse_csv(body: bytes) -> list[list[str]]:
    assert body.startswith(b"\xef\xbb\xbf"), "Excel needs the BOM to read UTF-8"
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def pdf_text(tmp_path: Path, body: bytes) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(body)
    result = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", str(path), "-"],
                            capture_output=True, check=True, timeout=30)
    return result.stdout.decode("utf-8")


def test_csv_has_one_row_per_link_a_total_and_the_chapters_in_french(reports):
    rows = parse_csv(report_csv(reports[0], "fr"))
    assert rows[0] == ["Lien", "Clics", "Inscriptions", "Ont commencé", "Ont terminé",
                       "Certifiés", "Taux d’achèvement (%)"]
    assert rows[1:5] == [
        ["Gendarmerie — officiers", "30", "12", "10", "6", "5", "60.0"],
        ["Gendarmerie — réservistes", "7", "3", "3", "1", "1", "33.3"],
        ["Sans lien (invitations)", "0", "2", "2", "0", "0", "0.0"],
        ["Total", "37", "17", "15", "7", "6", "46.7"],
    ]
    assert rows[5] == []
    assert rows[6:] == [["Chapitre", "Ont ouvert", "Ont achevé"], ["1. Bienvenue", "15", "12"],
                        ["2. Les données", "10", "8"], ["3. Et ensuite", "7", "7"]]


def test_csv_suppressed_and_in_english(reports):
    rows = parse_csv(report_csv(suppress_small_counts(reports[0]), "en"))
    assert rows[0][:3] == ["Link", "Clicks", "Sign-ups"]
    assert rows[2] == ["Gendarmerie — réservistes", "7", "<5", "<5", "<5", "<5", ""]
    assert rows[3] == ["Without a link (invitations)", "0", "<5", "<5", "0", "0", ""]


def test_platform_csv_lists_the_organisations_ranked(reports):
    rows = parse_csv(report_csv(reports[1], "en"))
    assert rows[0][0] == "Organisation"
    assert [row[:6] for row in rows[1:5]] == [
        ["Gendarmerie nationale", "37", "17", "15", "7", "6"], ["La Poste", "5", "5", "5", "5", "5"],
        ["Cnam", "0", "0", "0", "0", "0"], ["Total", "42", "26", "24", "14", "13"]]


def test_pdf_shows_name_period_funnel_links_and_chapters(reports, tmp_path):
    text = pdf_text(tmp_path, report_pdf(reports[0], Org("Gendarmerie nationale"), "fr"))
    assert "Gendarmerie nationale" in text
    assert "Du 1 mars 2026 au 31 mars 2026" in text
    assert "Gendarmerie — réservistes" in text and "Les données" in text
    lines = [" ".join(line.split()) for line in text.splitlines()]
    assert "Gendarmerie — officiers 30 12 10 6 5 60 %" in lines
    assert "Total 37 17 15 7 6 47 %" in lines
    assert "1. Bienvenue 15 12" in lines


def test_pdf_suppressed_shows_less_than_five(reports, tmp_path):
    text = pdf_text(tmp_path, report_pdf(suppress_small_counts(reports[0]), None, "en"))
    lines = [" ".join(line.split()) for line in text.splitlines()]
    assert "Gendarmerie — réservistes 7 <5 <5 <5 <5 —" in lines
    assert "Counts from 1 to 4" in text
    exact = pdf_text(tmp_path, report_pdf(reports[0], None, "en"))
    assert "<5" not in exact


def test_pdf_draws_the_organisation_logo(reports, tmp_path):
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (120, 40), "#1d4ed8").save(buffer, "PNG")
    with_logo = report_pdf(reports[0], Org("Gendarmerie nationale", buffer.getvalue()), "fr")
    without = report_pdf(reports[0], Org("Gendarmerie nationale"), "fr")
    assert b"/Subtype /Image" in with_logo and b"/Subtype /Image" not in without
    # An unreadable logo is left out rather than failing the report.
    assert report_pdf(reports[0], Org("Gendarmerie nationale", b"<svg/>"), "fr").startswith(b"%PDF")


def test_platform_pdf_has_weeks_and_ranking(reports, tmp_path):
    text = pdf_text(tmp_path, report_pdf(reports[1], None, "en"))
    assert "Whole platform" in text and "Sign-ups per week" in text and "2026-W10" in text
    lines = [" ".join(line.split()) for line in text.splitlines()]
    assert "1. Gendarmerie nationale 37 17 15 7 6 47%" in lines


def test_svg_charts_are_well_formed_titled_and_labelled(reports):
    words = wording("fr")
    for svg in (funnel_chart(reports[0], words), chapters_chart(reports[0], words),
                weeks_chart(reports[1], words)):
        root = ET.fromstring(svg)  # noqa: S314 - our own output
        assert root.tag == f"{SVG}svg" and root.get("role") == "img"
        assert root.find(f"{SVG}title").text
        assert "<script" not in svg
    funnel = ET.fromstring(funnel_chart(reports[0], words))  # noqa: S314 - our own output
    texts = [t.text for t in funnel.iter(f"{SVG}text")]
    assert texts == ["Clics", "37", "Inscriptions", "17", "Ont commencé", "15", "Ont terminé", "7",
                     "Certifiés", "6"]
    suppressed = funnel_chart(suppress_small_counts(platform_report_of_few()), words)
    assert "&lt;5" in suppressed


def platform_report_of_few():
    from datetime import date

    from courseware.reports import FunnelRow, PlatformReport

    row = FunnelRow(kind="total", label="", clicks=3, signups=2, started=1, finished=0, certified=0)
    return PlatformReport(start=date(2026, 3, 1), end=date(2026, 3, 31), course_slug="basics",
                          course_title="Les bases", total=row, chapters=(), signups_per_week=(),
                          organisations=())


def test_csv_labels_never_become_formulas(reports):
    from dataclasses import replace

    report = reports[0]
    evil = replace(report, links=(replace(report.links[0], label="=HYPERLINK(\"http://x\")"),
                                  replace(report.links[1], label="@SUM(A1)")))
    rows = parse_csv(report_csv(evil, "en"))
    assert rows[1][0] == "'=HYPERLINK(\"http://x\")" and rows[2][0] == "'@SUM(A1)"
