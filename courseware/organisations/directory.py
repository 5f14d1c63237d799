"""Organisations, their tracking links and managers, and users' roles. No Flask here.

The functions add and flush but never commit: the caller commits, so an admin
action and its audit entry (organisations/audit.py) land in one transaction.
Uniqueness is left to the database (unique slug, code and UTM pair): a SAVEPOINT
around each insert turns a collision into a clear exception without losing the
caller's transaction.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..models import User
from .access import ROLES
from .models import Organisation, OrganisationManager, TrackingLink

# Crockford's base32 in lower case: no i, l, o or u, so a code read off a poster
# cannot be mistyped as a look-alike. 32**6 is about a billion codes: a collision
# among a few thousand links is rare, and retried.
CODE_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
CODE_LENGTH = 6
_CODE_ATTEMPTS = 8
# What a person may type for a look-alike, as Crockford decoding reads it.
_LOOK_ALIKES = str.maketrans({"i": "1", "l": "1", "o": "0"})
_CODE_PATTERN = re.compile(f"^[{CODE_ALPHABET}]{{4,16}}$")

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SLUG_MAX_LENGTH = 60


class OrganisationExists(Exception):
    """Another organisation already has this slug."""


class InvalidSlug(ValueError):
    """A slug must be lower-case letters, digits and single hyphens."""


class UtmPairTaken(Exception):
    """Another tracking link already uses this utm_source/utm_campaign pair."""


class UnknownRole(ValueError):
    """Roles are learner, instructor and admin (managers are per organisation)."""


def is_valid_slug(slug: str) -> bool:
    return bool(SLUG_PATTERN.match(slug)) and len(slug) <= SLUG_MAX_LENGTH


def new_code() -> str:
    """A random tracking-link code, e.g. `k7m2qx`."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(code: str) -> str | None:
    """The code as stored, from what someone typed (`K7M2QX`, `k7m2qx `, `iO...`),
    or None when it cannot be a code (so lookups skip the database)."""
    code = code.strip().lower().translate(_LOOK_ALIKES)
    return code if _CODE_PATTERN.match(code) else None


def create_organisation(session: Session, *, slug: str, name: str, now: datetime,
                        linkedin_id: str | None = None, contact_name: str | None = None,
                        contact_email: str | None = None) -> Organisation:
    """Add a partner organisation; raises InvalidSlug or OrganisationExists."""
    slug = slug.strip()
    if not is_valid_slug(slug):
        raise InvalidSlug(slug)
    organisation = Organisation(
        slug=slug, name=name.strip(), linkedin_id=(linkedin_id or "").strip() or None,
        contact_name=(contact_name or "").strip() or None,
        contact_email=(contact_email or "").strip().lower() or None, created_at=now)
    try:
        with session.begin_nested():
            session.add(organisation)
    except IntegrityError:
        raise OrganisationExists(slug) from None
    return organisation


def create_tracking_link(session: Session, organisation: Organisation, *, label: str,
                         now: datetime, utm_source: str | None = None,
                         utm_campaign: str | None = None,
                         course_slug: str | None = None) -> TrackingLink:
    """Add a tracking link with a fresh short code; raises UtmPairTaken.

    A UTM pair is both values or neither: a lone utm_source would attribute every
    campaign of that source to one organisation. Raises ValueError for a lone one.
    """
    utm_source = (utm_source or "").strip() or None
    utm_campaign = (utm_campaign or "").strip() or None
    if (utm_source is None) != (utm_campaign is None):
        raise ValueError("utm_source and utm_campaign go together")
    if utm_source is not None and link_by_utm(session, utm_source, utm_campaign or "") is not None:
        raise UtmPairTaken(f"{utm_source}/{utm_campaign}")
    for _attempt in range(_CODE_ATTEMPTS):
        link = TrackingLink(organisation_id=organisation.id, code=new_code(), label=label.strip(),
                            utm_source=utm_source, utm_campaign=utm_campaign,
                            course_slug=course_slug or None, created_at=now)
        try:
            with session.begin_nested():
                session.add(link)
            return link
        except IntegrityError:
            # A concurrent link took the UTM pair, or (rarely) the code exists: retry
            # with a new code, and tell the caller if it was the pair.
            if utm_source is not None and link_by_utm(session, utm_source,
                                                      utm_campaign or "") is not None:
                raise UtmPairTaken(f"{utm_source}/{utm_campaign}") from None
    raise RuntimeError("could not find a free tracking-link code")  # pragma: no cover


def add_manager(session: Session, organisation: Organisation, user: User, now: datetime) -> bool:
    """Let `user` see the organisation's figures; False if they already could."""
    if session.get(OrganisationManager, (organisation.id, user.id)) is not None:
        return False
    try:
        with session.begin_nested():
            session.add(OrganisationManager(organisation_id=organisation.id, user_id=user.id,
                                            created_at=now))
    except IntegrityError:
        return False  # added concurrently: the same outcome
    return True


def remove_manager(session: Session, organisation: Organisation, user: User) -> bool:
    """The user no longer sees the organisation's figures; False if they never did."""
    row = session.get(OrganisationManager, (organisation.id, user.id))
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True


def grant_role(session: Session, user: User, role: str) -> None:
    """Make `user` a learner, instructor or admin; raises UnknownRole.

    The role is read with the session identity on each request, so the change
    applies from the user's next page.
    """
    if role not in ROLES:
        raise UnknownRole(role)
    user.role = role
    session.flush()


def organisation_by_slug(session: Session, slug: str) -> Organisation | None:
    return session.scalar(select(Organisation).where(Organisation.slug == slug.strip()))


def user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == email.strip().lower()))


_links = TrackingLink.__table__


def link_by_code(executor: Connection | Session, code: str) -> TrackingLink | None:
    """The link behind `/go/<code>`, whatever the case or look-alikes typed.

    With a Session this returns the ORM object; with a Connection, the row
    (same attribute names), which is what the `/go/` hot path uses.
    """
    normalised = normalise_code(code)
    if normalised is None:
        return None
    if isinstance(executor, Session):
        return executor.scalar(select(TrackingLink).where(TrackingLink.code == normalised))
    return executor.execute(select(_links).where(_links.c.code == normalised)).first()


def link_by_utm(executor: Connection | Session, source: str, campaign: str) -> TrackingLink | None:
    """The link a visitor's `utm_source`/`utm_campaign` pair names, if any."""
    source, campaign = source.strip(), campaign.strip()
    if not source or not campaign:
        return None
    if isinstance(executor, Session):
        return executor.scalar(select(TrackingLink).where(
            TrackingLink.utm_source == source, TrackingLink.utm_campaign == campaign))
    return executor.execute(select(_links).where(
        _links.c.utm_source == source, _links.c.utm_campaign == campaign)).first()


def tracking_url(base_url: str, code: str) -> str:
    """The printed address of a link: `https://site/go/k7m2qx`."""
    return f"{base_url.rstrip('/')}/go/{code}"


def organisation_summaries(session: Session) -> list[tuple[Organisation, int, int]]:
    """Every organisation with its number of links and of attributed learners, by name.

    Two grouped counts (indexed on organisation_id), not one query per organisation.
    """
    links = dict(session.execute(
        select(TrackingLink.organisation_id, func.count()).group_by(TrackingLink.organisation_id)
    ).all())
    learners = dict(session.execute(
        select(User.organisation_id, func.count()).where(User.organisation_id.is_not(None))
        .group_by(User.organisation_id)
    ).all())
    organisations = session.scalars(select(Organisation).order_by(Organisation.name))
    return [(org, links.get(org.id, 0), learners.get(org.id, 0)) for org in organisations]
