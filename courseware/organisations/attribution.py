"""Attribution: which organisation (and link) brought a learner. No Flask here.

A visitor's first touch (a tracking link, a UTM-tagged visit, an invitation) is
remembered in their browser by the web layer (web/attribution.py), shown on the
sign-up form, where the learner may remove it, and stored on the account at
sign-up. Clicks are counted, not recorded: one counter per link per day
(reports/counters.py), with nothing about the visitor.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from ..models import User
from ..reports.counters import count_event
from .models import Organisation, TrackingLink

# How the learner came: a /go/ link, a visit tagged with a link's UTM pair, a staff invitation.
SOURCES = ("link", "utm", "invitation")


@dataclass(frozen=True)
class Attribution:
    organisation_id: int
    link_id: int | None
    source: str


def checked_attribution(session: Session, attribution: Attribution | None
                        ) -> tuple[Attribution, Organisation] | None:
    """The attribution with its organisation, if both still stand.

    A remembered attribution may outlive its link or organisation (deleted since):
    a link that is gone or belongs elsewhere is dropped, an organisation that is
    gone drops the whole attribution.
    """
    if attribution is None or attribution.source not in SOURCES:
        return None
    organisation = session.get(Organisation, attribution.organisation_id)
    if organisation is None:
        return None
    link_id = attribution.link_id
    if link_id is not None:
        link = session.get(TrackingLink, link_id)
        if link is None or link.organisation_id != organisation.id:
            link_id = None
    return Attribution(organisation.id, link_id, attribution.source), organisation


def count_click(connection: Connection, link: TrackingLink, day: date) -> None:
    """One more click on `link` today: a counter, nothing about who clicked."""
    count_event(connection, step="click", day=day, organisation_id=link.organisation_id,
                link_id=link.id)


def attribute_new_account(session: Session, user: User, attribution: Attribution | None, *,
                          share_progress: bool, day: date) -> None:
    """At sign-up, in the sign-up's transaction: store the attribution (if the
    learner kept it) and count the sign-up for that organisation and link
    (organisation 0 for learners who came on their own, so platform totals add up).
    """
    if attribution is not None:
        user.organisation_id = attribution.organisation_id
        user.link_id = attribution.link_id
        user.attribution = attribution.source
        user.share_progress = share_progress
    else:
        user.share_progress = False
    count_event(session, step="signup", day=day,
                organisation_id=attribution.organisation_id if attribution else None,
                link_id=attribution.link_id if attribution else None)


def set_share_progress(session: Session, user: User, share: bool) -> None:
    """The learner's choice: may their organisation's managers see their own progress?"""
    user.share_progress = share and user.organisation_id is not None
    session.flush()


def leave_organisation(session: Session, user: User) -> None:
    """The learner detaches their account from its organisation.

    Their events from now on count for no organisation; the figures already
    counted stay (they are aggregates that name nobody).
    """
    user.organisation_id = None
    user.link_id = None
    user.attribution = None
    user.share_progress = False
    session.flush()
