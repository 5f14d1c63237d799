"""Benchmark: issue + render + sign certificates, against a bare reportlab page.

Run: .venv/bin/python benchmarks/certificates.py [count]
"""

from __future__ import annotations

import io
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from reportlab.lib.pagesizes import A4, landscape  # noqa: E402
from reportlab.pdfgen.canvas import Canvas  # noqa: E402
from sqlalchemy import create_engine  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from courseware.certificates import (  # noqa: E402
    DEFAULT_BRANDING_DIR,
    CertificateSnapshot,
    ensure_signing_identity,
    issue_certificate,
    load_layout,
    render_certificate_pdf,
    sign_pdf,
)
from courseware.models import Base, User  # noqa: E402

NAMES = ["Éloïse Çağlar-Nguyễn", "Zoë Ødegård", "Łukasz Żółć", "Αλέξανδρος", "Александра",
         "محمد عبد الله", "王小明"]


class Chapter:
    def __init__(self, slug: str):
        self.slug = slug


class Course:
    slug, title, language = "bases-ia", "Les bases de l’intelligence artificielle", "fr"
    issuer, total_minutes, content_version = "Ministère de l’Éducation nationale", 330, "v1"
    chapters = (Chapter("intro"), Chapter("donnees"))


def bare_pdf(s: CertificateSnapshot) -> bytes:
    buffer = io.BytesIO()
    c = Canvas(buffer, pagesize=landscape(A4), invariant=1, pageCompression=1)
    c.setFont("Helvetica", 12)
    for i, line in enumerate(["Certificat de reussite", s.printed_name, s.course_title,
                              s.issuer, s.public_id, s.verify_url]):
        c.drawCentredString(421, 450 - 30 * i, line.encode("latin-1", "replace").decode("latin-1"))
    c.showPage()
    c.save()
    return buffer.getvalue()


def stats(label: str, values: list[float]) -> tuple[float, float]:
    values = sorted(values)
    median = statistics.median(values) * 1000
    p95 = values[int(0.95 * (len(values) - 1))] * 1000
    print(f"{label:<22} median {median:7.2f} ms   p95 {p95:7.2f} ms")
    return median, p95


def main(count: int = 210) -> None:
    layout = load_layout(DEFAULT_BRANDING_DIR)
    identity = ensure_signing_identity(Path(tempfile.mkdtemp()))
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    now = datetime(2026, 11, 22, 10, 30, tzinfo=UTC)
    issue_t, render_t, sign_t, total_t, bare_t = [], [], [], [], []
    with Session(engine) as session:
        for user_id in range(1, count + 1):
            session.add(User(id=user_id, email=f"u{user_id}@x.fr", name="x", password_hash="x",
                             created_at=now))
        session.commit()
        # warm-up: font registration and parsing happen once per process
        render_certificate_pdf(CertificateSnapshot("0000-0000-0000-0000", NAMES[5] + NAMES[6],
                               "x", "fr", now, 1, "x", "https://x"), layout)
        for user_id in range(1, count + 1):
            t0 = time.perf_counter()
            cert = issue_certificate(session, user_id=user_id, course=Course(),
                                     completed_slugs=frozenset({"intro", "donnees"}),
                                     printed_name=NAMES[user_id % len(NAMES)],
                                     identity=identity, now=now,
                                     verification_url_for=lambda id_: f"https://x/certificates/{id_}")
            session.commit()
            t1 = time.perf_counter()
            snapshot = CertificateSnapshot.from_record(
                cert, f"https://cours.example.fr/verifier/{cert.public_id}")
            unsigned = render_certificate_pdf(snapshot, layout)
            t2 = time.perf_counter()
            sign_pdf(unsigned, identity, snapshot.issued_at)
            t3 = time.perf_counter()
            bare_pdf(snapshot)
            t4 = time.perf_counter()
            issue_t.append(t1 - t0)
            render_t.append(t2 - t1)
            sign_t.append(t3 - t2)
            total_t.append(t3 - t0)
            bare_t.append(t4 - t3)
    print(f"{count} certificates, names in {len(NAMES)} scripts")
    stats("issue (DB insert)", issue_t)
    render, _ = stats("render", render_t)
    sign, _ = stats("sign", sign_t)
    total, _ = stats("total issue+render+sign", total_t)
    bare, _ = stats("baseline bare reportlab", bare_t)
    print(f"render / baseline  x{render / bare:.1f}")
    print(f"signed / baseline  x{(render + sign) / bare:.1f}")
    print(f"total  / baseline  x{total / bare:.1f}")
    print(f"target: signed certificate < 30 ms median -> {'OK' if render + sign < 30 else 'MISSED'}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 210)
