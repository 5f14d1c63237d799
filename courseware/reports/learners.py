"""Individual progress of an organisation's learners who agreed to share it (domain, no Flask).

Only learners attributed to the organisation with `share_progress` set are ever
read: the filter is in the query, so a page cannot show anyone else by
mistake. Three queries per page whatever the organisation's size: the page of
learners (by the users.organisation_id index), their progress rows and their
current certificates (both by user id).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import func, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from ..models import Certificate, ChapterProgress, TrackingLink, User

PER_PAGE = 50


class ChapterLike(Protocol):
    slug: str


class CourseLike(Protocol):
    slug: str

    @property
    def chapters(self) -> Sequence[ChapterLike]: ...


@dataclass(frozen=True)
class LearnerProgress:
    user_id: int
    name: str
    email: str
    link_label: str | None
    signed_up: datetime
    chapters_done: int
    chapters_total: int
    certified: bool
    organisation_id: int
    shares_progress: bool


@dataclass(frozen=True)
class LearnerPage:
    learners: tuple[LearnerProgress, ...]
    page: int
    pages: int
    total: int


def consenting_learners(executor: Connection | Session, organisation_id: int,
                        course: CourseLike, page: int = 1,
                        per_page: int = PER_PAGE) -> LearnerPage:
    """One page (1-based) of the organisation's learners who share their progress, by name."""
    consenting = (User.organisation_id == organisation_id, User.share_progress.is_(True))
    total = executor.execute(select(func.count()).select_from(User).where(*consenting)).scalar_one()
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    rows = executor.execute(
        select(User.id, User.name, User.email, User.created_at, TrackingLink.label)
        .outerjoin(TrackingLink, TrackingLink.id == User.link_id)
        .where(*consenting)
        .order_by(User.name, User.id)
        .limit(per_page).offset((page - 1) * per_page)).all()
    ids = [row.id for row in rows]
    chapter_slugs = [chapter.slug for chapter in course.chapters]
    done: dict[int, int] = {}
    certified: set[int] = set()
    if ids:
        done = dict(executor.execute(
            select(ChapterProgress.user_id, func.count())
            .where(ChapterProgress.user_id.in_(ids), ChapterProgress.course_slug == course.slug,
                   ChapterProgress.chapter_slug.in_(chapter_slugs),
                   ChapterProgress.completed_at.is_not(None))
            .group_by(ChapterProgress.user_id)).all())
        certified = set(executor.execute(
            select(Certificate.user_id).where(Certificate.user_id.in_(ids),
                                              Certificate.course_slug == course.slug,
                                              Certificate.current_key.is_not(None))).scalars())
    return LearnerPage(
        learners=tuple(
            LearnerProgress(user_id=row.id, name=row.name, email=row.email,
                            link_label=row.label, signed_up=row.created_at,
                            chapters_done=done.get(row.id, 0), chapters_total=len(chapter_slugs),
                            certified=row.id in certified, organisation_id=organisation_id,
                            shares_progress=True)
            for row in rows),
        page=page, pages=pages, total=total)
