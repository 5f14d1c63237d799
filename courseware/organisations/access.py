"""Who may see and do what in the organisation and admin areas: one function per
question, called by every view and tested by one role matrix
(tests/web/test_role_matrix.py). No Flask here.

Roles: a learner; an organisation manager (a learner with rows in
organisation_managers, scoped to those organisations); an instructor (content
and its analytics); an admin (everything).
"""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from .models import OrganisationManager

ROLES = ("learner", "instructor", "admin")


class UserLike(Protocol):
    id: int
    role: str


def managed_organisation_ids(executor: Connection | Session, user_id: int) -> frozenset[int]:
    """The organisations a user manages."""
    rows = executor.execute(
        select(OrganisationManager.organisation_id).where(OrganisationManager.user_id == user_id))
    return frozenset(organisation_id for (organisation_id,) in rows)


def is_admin(user: UserLike) -> bool:
    return user.role == "admin"


def can_preview_drafts(user: UserLike) -> bool:
    """Chapters and courses marked `draft: true`: learners and visitors get a 404."""
    return user.role in ("instructor", "admin")


def can_administer(user: UserLike) -> bool:
    """The admin area: organisations, users, certificates, audit log, platform report."""
    return is_admin(user)


def can_view_platform_report(user: UserLike) -> bool:
    """Platform-wide figures are for admins only: a manager sees their organisations."""
    return is_admin(user)


def can_view_organisation(user: UserLike, organisation_id: int, managed: frozenset[int]) -> bool:
    """An organisation's dashboard, reports and invitations."""
    return is_admin(user) or organisation_id in managed


def can_view_individual_progress(user: UserLike, organisation_id: int, managed: frozenset[int],
                                 learner_organisation_id: int | None, learner_shares: bool) -> bool:
    """A learner's own row in an organisation's view: only with the learner's consent,
    and only to that organisation's managers (admins see every account anyway)."""
    if is_admin(user):
        return True
    return (organisation_id in managed and learner_organisation_id == organisation_id
            and learner_shares)


def sees_exact_counts(user: UserLike) -> bool:
    """Organisations receive counts from 1 to 4 as "<5"; admins see exact figures."""
    return is_admin(user)


def can_view_content_analytics(user: UserLike) -> bool:
    """The instructor dashboard (where learners struggle)."""
    return user.role in ("instructor", "admin")


def can_list_organisations(user: UserLike, managed: frozenset[int]) -> bool:
    """The list of organisations (/organisations/): admins see every one, managers theirs."""
    return is_admin(user) or bool(managed)
