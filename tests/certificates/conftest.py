from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest

from courseware.certificates import (
    DEFAULT_BRANDING_DIR,
    CertificateSnapshot,
    ensure_signing_identity,
    load_layout,
)

ISSUED_AT = datetime(2026, 11, 22, 10, 30, tzinfo=UTC)


@pytest.fixture(scope="session")
def identity(tmp_path_factory):
    return ensure_signing_identity(tmp_path_factory.mktemp("instance"))


@pytest.fixture(scope="session")
def layout():
    return load_layout(DEFAULT_BRANDING_DIR)


def make_snapshot(name: str = "Éloïse Çağlar-Nguyễn", **overrides) -> CertificateSnapshot:
    values = dict(
        public_id="7Q2K-9MXD-4HRT-0B3V", printed_name=name,
        course_title="Les bases de l’intelligence artificielle", course_language="fr",
        issued_at=ISSUED_AT, duration_minutes=330, issuer="Ministère de l’Éducation nationale",
        verify_url="https://cours.example.fr/verifier/7Q2K-9MXD-4HRT-0B3V",
    )
    values.update(overrides)
    return CertificateSnapshot(**values)


@dataclass(frozen=True)
class Chapter:
    slug: str


@dataclass(frozen=True)
class Course:
    slug: str = "bases-ia"
    title: str = "Les bases de l’intelligence artificielle"
    language: str = "fr"
    issuer: str = "Ministère de l’Éducation nationale"
    total_minutes: int = 330
    content_version: str = "v1"
    chapters: tuple[Chapter, ...] = field(
        default_factory=lambda: (Chapter("intro"), Chapter("donnees"), Chapter("ethique"))
    )


@pytest.fixture
def course() -> Course:
    return Course()


def write(tmp: Path, data: bytes, name: str = "c.pdf") -> Path:
    path = tmp / name
    path.write_bytes(data)
    return path
