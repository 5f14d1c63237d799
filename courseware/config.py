"""Every setting in one place: its environment variable, default and meaning.

The README's configuration table is checked against SETTINGS by a test, so
this list is the single source of truth.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from .private_files import make_private_file, make_private_folder


class ConfigError(ValueError):
    """A setting that cannot work: start-up stops with this message."""


@dataclass(frozen=True)
class Setting:
    key: str  # Flask config key
    env: str  # environment variable
    default: str | int | bool | None
    doc: str


SETTINGS: tuple[Setting, ...] = (
    Setting("INSTANCE_DIR", "COURSEWARE_INSTANCE_DIR", "./instance",
            "Folder for the SQLite database, the generated secret key, signing keys and "
            "outgoing mail when no SMTP server is set."),
    Setting("DATABASE_URL", "COURSEWARE_DATABASE_URL", None,
            "SQLAlchemy URL. Default: SQLite file `courseware.db` in the instance folder. "
            "PostgreSQL: `postgresql://user:pass@host/db`."),
    Setting("SECRET_KEY", "COURSEWARE_SECRET_KEY", None,
            "Signs sessions, CSRF tokens and reset links. Default: generated once into "
            "`instance/secret_key`. Never commit it."),
    Setting("CONTENT_DIR", "COURSEWARE_CONTENT_DIR", "./content",
            "Folder holding one sub-folder per course."),
    Setting("PLATFORM_NAME", "COURSEWARE_PLATFORM_NAME", "Courseware",
            "Name of the site, shown in the header, page titles and footer (e.g. the "
            "ministry or school that runs it)."),
    Setting("PLATFORM_LOGO", "COURSEWARE_PLATFORM_LOGO", None,
            "An .svg or .png file (at most 512 KB) shown before the name in the header. "
            "Default: the courseware mark."),
    Setting("BASE_URL", "COURSEWARE_BASE_URL", None,
            "Public address, e.g. `https://cours.example.fr`, used in e-mails, certificates "
            "and share links (never the request's Host header). Default: `courseware serve` "
            "uses the address it listens on (`http://127.0.0.1:8000`); `wsgi.py` refuses to "
            "start without it."),
    Setting("ALLOWED_HOSTS", "COURSEWARE_ALLOWED_HOSTS", None,
            "Other host names the site answers to, comma-separated (`.example.fr` allows every "
            "sub-domain). Requests for any host not listed, nor BASE_URL's, nor a loopback "
            "name, get a 400 page."),
    Setting("SECURE_COOKIES", "COURSEWARE_SECURE_COOKIES", None,
            "Send cookies only over HTTPS. Default: on when BASE_URL starts with https."),
    Setting("DEFAULT_LOCALE", "COURSEWARE_DEFAULT_LOCALE", "fr",
            "Interface language when the browser asks for none we have (`fr` or `en`)."),
    Setting("RATELIMIT_STORAGE_URI", "COURSEWARE_RATELIMIT_STORAGE_URI", None,
            "Where rate-limit counters live. Default: the file `ratelimits.db` in the instance "
            "folder, shared by the workers of one machine. With several servers use Redis: "
            "`redis://127.0.0.1:6379/0`."),
    Setting("LOGIN_RATE_LIMIT", "COURSEWARE_LOGIN_RATE_LIMIT", "10 per minute;50 per hour",
            "Attempts allowed per client address on log-in, sign-up and password reset."),
    Setting("ACCOUNT_LOGIN_RATE_LIMIT", "COURSEWARE_ACCOUNT_LOGIN_RATE_LIMIT", "10 per 15 minutes",
            "Failed log-ins allowed per e-mail address, whatever the client address; then "
            "log-in to that account waits (a password reset still works)."),
    Setting("TRUSTED_PROXIES", "COURSEWARE_TRUSTED_PROXIES", 0,
            "Number of reverse proxies in front of the app whose X-Forwarded-* headers "
            "are trusted (for client addresses in rate limits and https detection)."),
    Setting("CERTIFICATES_DIR", "COURSEWARE_CERTIFICATES_DIR", None,
            "Certificate branding folder (layout.yaml, wording, fonts, logo). Default: the "
            "branding shipped inside the package (`courseware/certificates/branding/`); see "
            "`certificates/README.md` to make your own."),
    Setting("SIGNING_KEY", "COURSEWARE_SIGNING_KEY", None,
            "PEM private key (RSA or ECDSA) that signs certificate PDFs. Default: generated "
            "once into `instance/signing-key.pem`."),
    Setting("SIGNING_CERT", "COURSEWARE_SIGNING_CERT", None,
            "PEM X.509 certificate matching SIGNING_KEY. Set both or neither."),
    Setting("SIGNER_NAME", "COURSEWARE_SIGNER_NAME", "Courseware certificates",
            "Common name of the self-signed signing certificate generated on first run."),
    Setting("CERTIFICATE_RATE_LIMIT", "COURSEWARE_CERTIFICATE_RATE_LIMIT", "60 per minute",
            "Certificate pages and uploads allowed per client address (stops enumeration)."),
    Setting("CLAIM_RATE_LIMIT", "COURSEWARE_CLAIM_RATE_LIMIT", "5 per hour",
            "Certificates one account can have issued or re-issued (name corrections)."),
    Setting("CLAIM_ADDRESS_RATE_LIMIT", "COURSEWARE_CLAIM_ADDRESS_RATE_LIMIT", "60 per hour",
            "Certificates issued or re-issued per client address (a classroom shares one)."),
    Setting("QUIZ_RATE_LIMIT", "COURSEWARE_QUIZ_RATE_LIMIT", "30 per minute",
            "Quiz submissions allowed per client address (each one is stored)."),
    Setting("CONTACT_EMAIL", "COURSEWARE_CONTACT_EMAIL", None,
            "Address shown to learners for help and accessibility requests. "
            "Default: MAIL_FROM."),
    Setting("SMTP_HOST", "COURSEWARE_SMTP_HOST", None,
            "SMTP server for outgoing mail, sent from the `outbox` table by each server "
            "process (retried with backoff while the server is down). Unset: mail is "
            "written to `instance/mail/` (owner-only files; the log says where, never the link)."),
    Setting("SMTP_PORT", "COURSEWARE_SMTP_PORT", 587, "SMTP port."),
    Setting("SMTP_USERNAME", "COURSEWARE_SMTP_USERNAME", None, "SMTP login."),
    Setting("SMTP_PASSWORD", "COURSEWARE_SMTP_PASSWORD", None, "SMTP password."),
    Setting("SMTP_STARTTLS", "COURSEWARE_SMTP_STARTTLS", True,
            "Use STARTTLS (`1`/`0`)."),
    Setting("MAIL_FROM", "COURSEWARE_MAIL_FROM", "courseware@localhost",
            "Sender address of outgoing mail."),
    Setting("RESET_TOKEN_MAX_AGE", "COURSEWARE_RESET_TOKEN_MAX_AGE", 3600,
            "Seconds a password-reset link stays valid."),
    Setting("REPORT_PERIOD", "COURSEWARE_REPORT_PERIOD", "half-quarter",
            "Periods of the reports `courseware reports send` mails to organisations: "
            "`half-quarter` (1 Jan–14 Feb, 15 Feb–31 Mar, ...: twice a quarter), `month`, "
            "`quarter` or `six-weeks` (42 days from Monday 1 January 2024)."),
    Setting("INVITATION_MAX_AGE", "COURSEWARE_INVITATION_MAX_AGE", 60 * 24 * 3600,
            "Seconds a staff invitation link stays valid (default: 60 days)."),
    Setting("INVITATION_BATCH_SIZE", "COURSEWARE_INVITATION_BATCH_SIZE", 200,
            "Invitations sent per SMTP connection by the background sender and "
            "`courseware orgs invite`."),
    Setting("PASSWORD_MIN_LENGTH", "COURSEWARE_PASSWORD_MIN_LENGTH", 10,
            "Shortest password accepted at sign-up and change."),
    Setting("METRICS_TOKEN", "COURSEWARE_METRICS_TOKEN", None,
            "Bearer token Prometheus sends to read `/metrics`. Unset: `/metrics` does not exist."),
    Setting("LOG_CLIENT_ADDRESSES", "COURSEWARE_LOG_CLIENT_ADDRESSES", False,
            "Put the client's IP address in the request log (`1`). Off by default: the log holds "
            "no personal data."),
    Setting("ATTRIBUTION_DAYS", "COURSEWARE_ATTRIBUTION_DAYS", 90,
            "Days the browser remembers which organisation's link a visitor came through "
            "(first-party cookie, until sign-up). At most 390: the CNIL allows 13 months."),
    Setting("LOGIN_CACHE", "COURSEWARE_LOGIN_CACHE", True,
            "On PostgreSQL, each server process keeps what chapter pages read about a signed-in "
            "learner (log-in, progress) and drops it when PostgreSQL notifies a change "
            "(LISTEN/NOTIFY, from every server). `0`: ask the database on every page, e.g. "
            "behind a pooler in transaction mode (PgBouncer), where LISTEN does not work."),
    Setting("SESSION_IDLE_TIMEOUT", "COURSEWARE_SESSION_IDLE_TIMEOUT", 7200,
            "Seconds without any request after which a log-in ends (checked to within "
            "5 minutes)."),
    Setting("SESSION_MAX_AGE", "COURSEWARE_SESSION_MAX_AGE", 43200,
            "Seconds after log-in after which a session ends, however active."),
    Setting("REMEMBER_ME_MAX_AGE", "COURSEWARE_REMEMBER_ME_MAX_AGE", 2592000,
            "Seconds a \"Remember me\" log-in lasts on its device (no idle limit). Log-out, "
            "\"Log out everywhere\" and a password change end it sooner."),
)

# Under 13 months whatever the month lengths, as the CNIL's exemption requires.
MAX_ATTRIBUTION_DAYS = 390


def _coerce(raw: str, default: object) -> object:
    if isinstance(default, bool):
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if isinstance(default, int):
        return int(raw)
    return raw


def settings_from_env(environ: dict[str, str] | None = None) -> dict[str, object]:
    """Defaults overlaid with whatever the environment sets."""
    environ = os.environ if environ is None else environ
    values: dict[str, object] = {}
    for setting in SETTINGS:
        raw = environ.get(setting.env)
        values[setting.key] = setting.default if raw in (None, "") else _coerce(raw, setting.default)
    return values


def resolve_paths(config: dict[str, object]) -> None:
    """Turn folder settings into absolute paths and fill derived defaults."""
    instance = Path(str(config["INSTANCE_DIR"])).resolve()
    make_private_folder(instance)
    config["INSTANCE_DIR"] = instance
    config["CONTENT_DIR"] = Path(str(config["CONTENT_DIR"])).resolve()
    if not config.get("DATABASE_URL"):
        # Created 0600 before SQLite opens it (its -wal and -shm files copy the mode).
        make_private_file(instance / "courseware.db")
        config["DATABASE_URL"] = f"sqlite:///{instance / 'courseware.db'}"
    config["DATABASE_URL"] = normalise_database_url(str(config["DATABASE_URL"]))
    if not config.get("RATELIMIT_STORAGE_URI"):
        from .ratelimit_storage import storage_uri

        # The counters are keyed by client address: private like the database.
        make_private_file(instance / "ratelimits.db")
        config["RATELIMIT_STORAGE_URI"] = storage_uri(instance / "ratelimits.db")
    if not config.get("SECRET_KEY"):
        config["SECRET_KEY"] = load_or_create_secret_key(instance)
    if not 1 <= int(config["ATTRIBUTION_DAYS"]) <= MAX_ATTRIBUTION_DAYS:  # type: ignore[call-overload]
        raise ValueError(f"COURSEWARE_ATTRIBUTION_DAYS must be from 1 to {MAX_ATTRIBUTION_DAYS} "
                         "(the CNIL's consent exemption allows a cookie of at most 13 months)")
    if config.get("SECURE_COOKIES") is None:
        config["SECURE_COOKIES"] = str(config.get("BASE_URL") or "").startswith("https://")
    config["TRUSTED_HOSTS"] = trusted_hosts(config.get("BASE_URL"), config.get("ALLOWED_HOSTS"))


# Always answered: nobody outside the machine can make a browser send these, and
# local health checks (`curl http://127.0.0.1:8000/healthz`) keep working.
# (Werkzeug cannot match IPv6 literals against the list, so none is offered.)
LOOPBACK_HOSTS = ("localhost", "127.0.0.1")


def trusted_hosts(base_url: object, allowed_hosts: object) -> list[str]:
    """The host names the site answers to (Flask's TRUSTED_HOSTS): BASE_URL's,
    ALLOWED_HOSTS and loopback. Any other Host header gets a 400, so a link built
    from the request can never point at a host an attacker chose."""
    hosts = list(LOOPBACK_HOSTS)
    if base_url:
        name = urlsplit(str(base_url)).hostname
        if not name or ":" in name or len(str(base_url)) > 200:
            raise ConfigError(f"COURSEWARE_BASE_URL must be an absolute http(s) address with a "
                             f"host name or IPv4 address, at most 200 characters: {base_url!r}")
        hosts.append(name)
    if allowed_hosts:
        hosts += [name.strip().lower() for name in str(allowed_hosts).split(",") if name.strip()]
    return hosts


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs given without a driver."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def load_or_create_secret_key(instance: Path) -> str:
    """A random key generated on first start and kept in the instance folder."""
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    # Write a private temporary file, then link it into place: if two workers
    # start at once, the loser reads the winner's complete key.
    tmp = instance / f".secret_key.{os.getpid()}.{secrets.token_hex(4)}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_urlsafe(48))
    try:
        os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        tmp.unlink()
    return path.read_text().strip()
