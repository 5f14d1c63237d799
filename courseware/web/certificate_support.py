"""What the certificate pages need from the app: the signing identity, the
branding, and the PDF/PNG files built from a record (cached: same record,
same bytes)."""

from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path

from flask import Flask, current_app

from ..certificates import (
    DEFAULT_BRANDING_DIR,
    CertificateSnapshot,
    FontSet,
    Layout,
    SigningIdentity,
    ensure_signing_identity,
    fonts_for_layout,
    load_layout,
    render_preview_png,
    signed_certificate_pdf,
)
from ..models import Certificate

_LOCK = threading.Lock()
_KEY = "courseware.certificates"


class CertificateFiles:
    """Per-app signing identity and branding, loaded on first use."""

    def __init__(self, app: Flask) -> None:
        self.config = app.config
        self._identity: SigningIdentity | None = None
        self._layout: Layout | None = None
        self.pdf = lru_cache(maxsize=256)(self._pdf)
        self.preview = lru_cache(maxsize=256)(self._preview)

    @property
    def identity(self) -> SigningIdentity:
        if self._identity is None:
            with _LOCK:
                if self._identity is None:
                    self._identity = ensure_signing_identity(
                        Path(self.config["INSTANCE_DIR"]),
                        _optional_path(self.config.get("SIGNING_KEY")),
                        _optional_path(self.config.get("SIGNING_CERT")),
                        issuer_name=self.config["SIGNER_NAME"],
                    )
        return self._identity

    @property
    def layout(self) -> Layout:
        if self._layout is None:
            folder = self.config.get("CERTIFICATES_DIR") or DEFAULT_BRANDING_DIR
            self._layout = load_layout(Path(folder))
        return self._layout

    @property
    def fonts(self) -> FontSet:
        """The configured branding's fonts: the names they cannot print are refused."""
        return fonts_for_layout(self.layout)

    def _pdf(self, snapshot: CertificateSnapshot) -> bytes:
        return signed_certificate_pdf(snapshot, self.layout, self.identity)

    def _preview(self, snapshot: CertificateSnapshot, width: int = 1200) -> bytes:
        return render_preview_png(snapshot, self.layout, width)


def _optional_path(value: object) -> Path | None:
    return Path(str(value)) if value else None


def init_app(app: Flask) -> CertificateFiles:
    files = CertificateFiles(app)
    app.extensions[_KEY] = files
    return files


def certificate_files() -> CertificateFiles:
    return current_app.extensions[_KEY]


def snapshot_of(certificate: Certificate) -> CertificateSnapshot:
    return CertificateSnapshot.from_record(certificate, certificate.verification_url or "")
