"""The key and X.509 certificate that sign every certificate PDF.

By default a self-signed RSA 3072 identity is generated once into the instance
folder; an organisation can configure its own key and certificate instead.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.x509.oid import NameOID
from pyhanko.sign import signers
from pyhanko.sign.general import get_pyca_cryptography_hash
from pyhanko_certvalidator.registry import SimpleCertificateStore

KEY_FILENAME = "signing-key.pem"
CERT_FILENAME = "signing-cert.pem"
DEFAULT_ISSUER_NAME = "Courseware certificates"
# pdfsig (poppler) does not verify Ed25519 signatures; RSA 3072 is ~128-bit security.
RSA_KEY_SIZE = 3072
VALIDITY = timedelta(days=3653)


class SigningIdentityError(Exception):
    """The configured signing key or certificate is missing, unreadable or mismatched."""


class CachedKeySigner(signers.SimpleSigner):
    """A SimpleSigner that keeps the parsed private key.

    pyHanko re-parses the key for every signature, which for RSA includes a
    ~100 ms consistency check; parsing once makes a signature cost ~5 ms.
    """

    def __init__(self, private_key: PrivateKeyTypes, certificate_der: bytes):
        cert = asn1_x509.Certificate.load(certificate_der)
        key_der = private_key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        super().__init__(
            signing_cert=cert,
            signing_key=asn1_keys.PrivateKeyInfo.load(key_der),
            # pyHanko adds the signing certificate itself; listing it here too would
            # embed it twice.
            cert_registry=SimpleCertificateStore(),
        )
        self._private_key = private_key

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)
        if isinstance(self._private_key, rsa.RSAPrivateKey) and (
            mechanism["algorithm"].native in ("rsassa_pkcs1v15", "sha256_rsa")
        ):
            return self._private_key.sign(
                data, padding.PKCS1v15(), get_pyca_cryptography_hash(digest_algorithm)
            )
        return super().sign_raw(data, digest_algorithm)


@dataclass(frozen=True)
class SigningIdentity:
    """A loaded signing key: the pyHanko signer (reused for every PDF) and its certificate."""

    signer: CachedKeySigner
    certificate: x509.Certificate
    fingerprint: str  # SHA-256 of the certificate DER, lower-case hex

    @property
    def certificate_der(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.DER)

    @property
    def key_size_bytes(self) -> int:
        key = self.certificate.public_key()
        return (key.key_size + 7) // 8 if hasattr(key, "key_size") else 512


def certificate_fingerprint(cert_der: bytes) -> str:
    """Return the SHA-256 fingerprint (hex) of a DER-encoded X.509 certificate."""
    return hashlib.sha256(cert_der).hexdigest()


def generate_self_signed(
    key_path: Path, cert_path: Path, issuer_name: str = DEFAULT_ISSUER_NAME,
    now: datetime | None = None,
) -> None:
    """Write a new RSA key (mode 0600) and a self-signed signing certificate for it."""
    now = now or datetime.now(UTC)
    key = rsa.generate_private_key(public_exponent=65537, key_size=RSA_KEY_SIZE)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer_name)])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + VALIDITY)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True, content_commitment=True, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=False,
                crl_sign=False, encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    key_path.parent.mkdir(parents=True, exist_ok=True)
    # Create with 0600 from the start: the key is never world-readable, even briefly.
    fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(key_pem)
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))


def load_signing_identity(key_path: Path, cert_path: Path) -> SigningIdentity:
    """Load a PEM key and certificate, checking that they belong together."""
    for label, path in (("signing key", key_path), ("signing certificate", cert_path)):
        if not Path(path).is_file():
            raise SigningIdentityError(f"The {label} file {path} does not exist.")
    try:
        certificate = x509.load_pem_x509_certificate(Path(cert_path).read_bytes())
    except ValueError as exc:
        raise SigningIdentityError(f"{cert_path} is not a PEM X.509 certificate: {exc}") from exc
    try:
        key = serialization.load_pem_private_key(Path(key_path).read_bytes(), password=None)
    except (ValueError, TypeError) as exc:
        raise SigningIdentityError(
            f"{key_path} is not an unencrypted PEM private key: {exc}"
        ) from exc
    public = serialization.PublicFormat.SubjectPublicKeyInfo
    if key.public_key().public_bytes(serialization.Encoding.DER, public) != (
        certificate.public_key().public_bytes(serialization.Encoding.DER, public)
    ):
        raise SigningIdentityError(
            f"The signing key {key_path} does not match the certificate {cert_path}."
        )
    der = certificate.public_bytes(serialization.Encoding.DER)
    signer = CachedKeySigner(key, der)
    return SigningIdentity(signer=signer, certificate=certificate,
                           fingerprint=certificate_fingerprint(der))


def ensure_signing_identity(
    instance_dir: Path,
    key_path: Path | None = None,
    cert_path: Path | None = None,
    issuer_name: str = DEFAULT_ISSUER_NAME,
) -> SigningIdentity:
    """Return the signing identity, generating a self-signed one on first use.

    With ``key_path`` and ``cert_path`` (an organisation's own key) both are loaded
    as they are and never generated. Without them the pair lives in ``instance_dir``
    as ``signing-key.pem`` (mode 0600) and ``signing-cert.pem``.
    """
    if (key_path is None) != (cert_path is None):
        raise SigningIdentityError(
            "Configure both the signing key and the signing certificate, or neither."
        )
    if key_path is not None and cert_path is not None:
        return load_signing_identity(Path(key_path), Path(cert_path))
    instance_dir = Path(instance_dir)
    key_file, cert_file = instance_dir / KEY_FILENAME, instance_dir / CERT_FILENAME
    instance_dir.mkdir(parents=True, exist_ok=True)
    # Workers starting together must not read a half-written pair: the first one
    # generates under an exclusive lock, the others wait and then load it.
    with open(instance_dir / ".signing-key.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not key_file.exists() and not cert_file.exists():
            generate_self_signed(key_file, cert_file, issuer_name)
    return load_signing_identity(key_file, cert_file)
