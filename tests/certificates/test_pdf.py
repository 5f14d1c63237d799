import re
import shutil
import subprocess
import sys
import unicodedata
from datetime import UTC
from pathlib import Path

import pytest

from courseware.certificates import (
    render_certificate_pdf,
    render_preview_png,
    signed_certificate_pdf,
    unsupported_characters,
    validate_printed_name,
)

from .conftest import make_snapshot, write

NAMES = [
    "Éloïse Çağlar-Nguyễn", "Zoë Ødegård", "Łukasz Żółć", "Αλέξανδρος", "Александра",
    "محمد عبد الله", "王小明",
]
BIDI_MARKS = re.compile("[\u200e\u200f\u202a-\u202e]")


def poppler(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.fail(f"{tool} (poppler-utils) is required for these tests: apt-get install poppler-utils")
    return path


def pdftotext(path: Path) -> list[str]:
    out = subprocess.run([poppler("pdftotext"), "-raw", str(path), "-"], capture_output=True,
                         text=True, check=True).stdout
    return [BIDI_MARKS.sub("", line).strip() for line in out.splitlines()]


@pytest.mark.parametrize("name", NAMES)
def test_the_printed_name_is_extracted_back_exactly(name, layout, identity, tmp_path):
    decomposed = unicodedata.normalize("NFD", name)  # whatever form was typed
    pdf = signed_certificate_pdf(make_snapshot(decomposed), layout, identity)
    lines = pdftotext(write(tmp_path, pdf))
    assert unicodedata.normalize("NFC", name) in lines
    assert "Certificat de réussite" in lines
    assert "Durée : 5 h 30 min · Délivré le 22 novembre 2026" in lines
    assert "7Q2K-9MXD-4HRT-0B3V" in lines


def test_english_course_uses_english_wording(layout, identity, tmp_path):
    snapshot = make_snapshot(course_language="en", duration_minutes=45)
    lines = pdftotext(write(tmp_path, render_certificate_pdf(snapshot, layout)))
    assert "Certificate of Completion" in lines
    assert "Duration: 45 min · Issued on 22 November 2026" in lines


def test_unknown_language_falls_back_to_english(layout, tmp_path):
    lines = pdftotext(write(tmp_path, render_certificate_pdf(make_snapshot(course_language="xx"), layout)))
    assert "Certificate of Completion" in lines


def test_very_long_names_and_titles_stay_on_the_page(layout, tmp_path):
    name = "Maria-Magdalena Alexandra Konstantinopoulou-Vanderbilt de la Fuente y Montenegro"
    title = "Introduction approfondie à l’apprentissage automatique, aux réseaux de neurones " \
            "et à l’éthique des systèmes d’intelligence artificielle"
    pdf = render_certificate_pdf(make_snapshot(name, course_title=title), layout)
    path = write(tmp_path, pdf)
    out = subprocess.run([poppler("pdftotext"), "-raw", str(path), "-"], capture_output=True,
                         text=True, check=True).stdout
    assert " ".join(out.split()).count(name) == 1
    assert title in " ".join(out.split())
    # nothing is drawn outside the page: pdftotext -bbox gives every word's box
    bbox = subprocess.run([poppler("pdftotext"), "-bbox", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout
    xs = [float(v) for v in re.findall(r'x[Mm]ax="([\d.]+)"', bbox)]
    assert xs and max(xs) < 842 - 28


def test_every_font_is_embedded_and_subset(layout, identity, tmp_path):
    pdf = signed_certificate_pdf(make_snapshot("محمد عبد الله"), layout, identity)
    path = write(tmp_path, pdf)
    rows = subprocess.run([poppler("pdffonts"), str(path)], capture_output=True, text=True,
                          check=True).stdout.splitlines()[2:]
    assert len(rows) >= 3
    for row in rows:
        parts = row.split()
        emb, sub, uni = parts[-5], parts[-4], parts[-3]
        assert (emb, sub, uni) == ("yes", "yes", "yes"), row


def test_metadata_names_the_certificate(layout, tmp_path):
    path = write(tmp_path, render_certificate_pdf(make_snapshot(), layout))
    info = subprocess.run([poppler("pdfinfo"), str(path)], capture_output=True, text=True,
                          check=True).stdout
    fields = {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in info.splitlines())}
    assert fields["Title"] == "Certificat de réussite — Éloïse Çağlar-Nguyễn"
    assert fields["Author"] == "Ministère de l’Éducation nationale"
    assert fields["Keywords"] == "certificate-id:7Q2K-9MXD-4HRT-0B3V"
    assert fields["Page size"].startswith("841.89 x 595.276 pts (A4)")


def test_identical_input_gives_identical_bytes(layout, identity):
    snapshot = make_snapshot("王小明")
    assert signed_certificate_pdf(snapshot, layout, identity) == \
        signed_certificate_pdf(snapshot, layout, identity)


SCRIPT = """
import sys, hashlib
if sys.argv[3] == "python-fallback":
    sys.modules["_rl_accel"] = None  # as on an install without reportlab's accel extra
from pathlib import Path
from reportlab.lib.rl_accel import fp_str
from courseware.certificates import DEFAULT_BRANDING_DIR, ensure_signing_identity, load_layout
from courseware.certificates import signed_certificate_pdf
from tests.certificates.conftest import make_snapshot
identity = ensure_signing_identity(Path(sys.argv[1]))
pdf = signed_certificate_pdf(make_snapshot(sys.argv[2]), load_layout(DEFAULT_BRANDING_DIR), identity)
print(fp_str.__module__, hashlib.sha256(pdf).hexdigest())
"""


def test_identical_bytes_across_processes_with_and_without_reportlabs_accelerator(tmp_path):
    """Any server regenerates a certificate byte for byte, whether reportlab formats its
    numbers in C (rl_accel, a dependency) or in Python (an install without it)."""
    root = Path(__file__).resolve().parents[2]
    runs = [
        subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path), "محمد عبد الله", mode], cwd=root,
                       capture_output=True, text=True, check=True).stdout.split()
        for mode in ("installed", "python-fallback")
    ]
    assert [module for module, _digest in runs] == ["_rl_accel", "reportlab.lib.rl_accel"]
    assert len({digest for _module, digest in runs}) == 1


def test_names_no_font_covers_are_refused():
    assert unsupported_characters("Zoë 😀") == {"😀"}
    assert unsupported_characters("王小明") == set()
    assert validate_printed_name("Αλέξανδρος") == []
    assert validate_printed_name("Mary 😀")[0].endswith("😀")
    assert validate_printed_name("   ") == ["The name is empty."]
    assert validate_printed_name("a" * 121) == ["The name is longer than 120 characters."]
    assert validate_printed_name("Bob\x07") == ["The name contains control characters."]


def test_preview_card_is_a_deterministic_1200x630_png(layout):
    import io

    from PIL import Image

    png = render_preview_png(make_snapshot("محمد عبد الله"), layout)
    assert png == render_preview_png(make_snapshot("محمد عبد الله"), layout)
    image = Image.open(io.BytesIO(png))
    assert (image.format, image.size) == ("PNG", (1200, 630))


@pytest.mark.parametrize(("language", "graded", "expected"), [
    ("fr", True, "pour avoir suivi avec succès le cours"),
    ("fr", False, "pour avoir suivi le cours"),
    ("en", True, "for successfully completing the course"),
    ("en", False, "for completing the course"),
])
def test_successfully_only_when_the_course_was_graded_by_quizzes(language, graded, expected,
                                                                   layout, tmp_path):
    snapshot = make_snapshot(course_language=language, graded=graded)
    lines = pdftotext(write(tmp_path, render_certificate_pdf(snapshot, layout)))
    assert expected in lines


def pdfinfo_dates(path: Path) -> dict[str, str]:
    info = subprocess.run([poppler("pdfinfo"), "-isodates", str(path)], capture_output=True,
                          text=True, check=True).stdout
    fields = {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in info.splitlines())}
    return {key: fields[key] for key in ("CreationDate", "ModDate")}


def test_the_pdf_is_dated_by_its_issue_date_and_stays_reproducible(layout, identity, tmp_path):
    """It said 1 January 2000 (reportlab's invariant mode): now the day it was issued."""
    snapshot = make_snapshot()
    stamp = snapshot.issued_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    unsigned = write(tmp_path, render_certificate_pdf(snapshot, layout))
    assert pdfinfo_dates(unsigned) == {"CreationDate": stamp + "Z", "ModDate": stamp + "Z"}
    signed = signed_certificate_pdf(snapshot, layout, identity)
    assert signed == signed_certificate_pdf(snapshot, layout, identity)  # same bytes, twice
    dates = pdfinfo_dates(write(tmp_path, signed, "signed.pdf"))
    assert dates["CreationDate"] == stamp + "Z"
    assert dates["ModDate"].startswith(stamp[:10])  # signed at issue time too


def test_preview_at_half_width_for_phones(layout):
    import io

    from PIL import Image

    full = render_preview_png(make_snapshot(), layout)
    half = render_preview_png(make_snapshot(), layout, 600)
    assert half == render_preview_png(make_snapshot(), layout, 600)
    assert Image.open(io.BytesIO(half)).size == (600, 315)
    assert len(half) < len(full) < 25_000  # 64 colours: a third of the full-colour card
    with pytest.raises(ValueError, match="preview width"):
        render_preview_png(make_snapshot(), layout, 5000)
