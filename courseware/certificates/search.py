"""Finding certificates in the admin area: by public ID (typed any way:
lower case, without hyphens, O for 0) through the unique index, or by printed
name (escaped LIKE, bounded by LIMIT). No Flask here."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from ..models import Certificate
from ..search import ESCAPE, contains_pattern
from .ids import normalise_public_id

_certificates = Certificate.__table__


def _condition(query: str):  # type: ignore[no-untyped-def]
    public_id = normalise_public_id(query)
    if public_id is not None:
        return _certificates.c.public_id == public_id
    return func.lower(_certificates.c.printed_name).like(contains_pattern(query), escape=ESCAPE)


def search_certificates(session: Session, query: str, *, limit: int,
                        offset: int) -> list[Certificate]:
    """A page of certificates matching an ID or a name (all when blank), newest first."""
    statement = select(Certificate).order_by(Certificate.id.desc()).limit(limit).offset(offset)
    if query.strip():
        statement = statement.where(_condition(query))
    return list(session.scalars(statement))


def count_certificates(executor: Connection | Session, query: str) -> int:
    statement = select(func.count()).select_from(_certificates)
    if query.strip():
        statement = statement.where(_condition(query))
    return int(executor.execute(statement).scalar_one())


def replaced_certificate(session: Session, public_id: str) -> Certificate | None:
    """The certificate this one replaced (the other direction is `replaced_by`)."""
    return session.scalar(select(Certificate).where(Certificate.replaced_by == public_id))
