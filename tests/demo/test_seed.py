"""`courseware demo seed`: the generated campaign is consistent (every counter equals
the count recomputed from the rows, as the event hooks would have counted it),
looks like a campaign (rates), and the app works on it (a demo learner logs in
and sees their progress and certificate)."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from courseware.analytics.dashboard import course_dashboard
from courseware.certificates.ids import normalise_public_id
from courseware.demo import DatabaseNotEmpty, SeedOptions, course_facts, seed_demo
from courseware.models import (
    Certificate,
    ChapterProgress,
    FunnelCount,
    Invitation,
    Organisation,
    OrganisationManager,
    TrackingLink,
    User,
)
from courseware.progress import ChapterState, course_progress
from tests.helpers import Auth, cli_environment

REPO = Path(__file__).parents[2]
PASSWORD = "mot de passe de démonstration"
NOW = datetime(2026, 11, 20, 15, 30, tzinfo=UTC)


def _seed(app: Flask, learners: int = 1500, organisations: int = 6, seed: int = 7):
    course = app.extensions["courseware.library"].courses[0]
    options = SeedOptions(
        learners=learners, organisations=organisations, course=course_facts(course), end=NOW,
        password_hash=app.extensions["courseware.hasher"].hash(PASSWORD),
        signer_fingerprint="ab" * 32, months=6, seed=seed, batch_size=400,
        verification_url_for=lambda public_id: f"http://courseware.test/certificates/{public_id}")
    return course, seed_demo(app.extensions["courseware.engine"], options)


def _expected_counters(session: Session, chapter_slugs: tuple[str, ...], course_slug: str) -> Counter:
    """Every counter but clicks, recomputed from users, progress and certificates."""
    expected: Counter = Counter()
    who = {}
    for user in session.scalars(select(User)):
        who[user.id] = (user.organisation_id or 0, user.link_id or 0)
        expected[(user.created_at.date(), *who[user.id], "", "", "signup")] += 1
    rows_by_user: dict[int, list[ChapterProgress]] = {}
    for row in session.scalars(select(ChapterProgress)):
        assert row.course_slug == course_slug
        rows_by_user.setdefault(row.user_id, []).append(row)
        expected[(row.started_at.date(), *who[row.user_id], course_slug, row.chapter_slug, "opened")] += 1
        if row.completed_at is not None:
            assert row.completed_at >= row.started_at
            expected[(row.completed_at.date(), *who[row.user_id], course_slug, row.chapter_slug,
                      "completed")] += 1
    for user_id, rows in rows_by_user.items():
        first = min(row.started_at for row in rows)
        expected[(first.date(), *who[user_id], course_slug, "", "started")] += 1
        done = [row for row in rows if row.completed_at is not None]
        if {row.chapter_slug for row in done} == set(chapter_slugs):
            last = max(row.completed_at for row in done)
            expected[(last.date(), *who[user_id], course_slug, "", "finished")] += 1
    for certificate in session.scalars(select(Certificate)):
        expected[(certificate.issued_at.date(), *who[certificate.user_id], course_slug, "",
                  "certified")] += 1
    return expected


def test_counters_equal_the_counts_recomputed_from_the_rows(app: Flask, engine: Engine) -> None:
    course, summary = _seed(app)
    with Session(app.extensions["courseware.engine"]) as session:
        counters = {(row.day, row.organisation_id, row.link_id, row.course_slug, row.chapter_slug,
                     row.step): row.count for row in session.scalars(select(FunnelCount))}
        assert all(isinstance(day, date) for day, *_ in counters)
        without_clicks = {key: value for key, value in counters.items() if key[-1] != "click"}
        assert without_clicks == dict(_expected_counters(session, course.chapter_slugs, course.slug))

        # Clicks: three per sign-up that came through a link (its own click and two that
        # did not convert), counted on that link and its organisation only.
        clicks: Counter = Counter()
        for (_day, organisation_id, link_id, *_rest, step), value in counters.items():
            if step == "click":
                clicks[(organisation_id, link_id)] += value
        link_signups = Counter(session.execute(
            select(User.organisation_id, User.link_id).where(User.link_id.is_not(None))).all())
        assert clicks == Counter({key: 3 * value for key, value in link_signups.items()})
        links = {link.id: link.organisation_id for link in session.scalars(select(TrackingLink))}
        assert all(links[link_id] == organisation_id for organisation_id, link_id in clicks)
        assert summary.counter_rows == len(counters)


def test_the_instructor_dashboard_agrees_with_the_progress_rows(app: Flask, engine: Engine) -> None:
    """Each chapter's openers and completers on the dashboard are its progress rows, in the
    learners' languages; each completion has its duration in the histogram."""
    course, _summary = _seed(app, learners=600, organisations=3)
    with Session(app.extensions["courseware.engine"]) as session:
        rows = session.execute(select(ChapterProgress.chapter_slug, ChapterProgress.completed_at,
                                      User.locale).join(User, User.id == ChapterProgress.user_id)).all()
        figures = course_dashboard(session, course, date(2000, 1, 1), NOW.date())
        english = course_dashboard(session, course, date(2000, 1, 1), NOW.date(), "en")
    opened = Counter(slug for slug, _done, _locale in rows)
    completed = Counter(slug for slug, done, _locale in rows if done)
    assert [(c.opened, c.completed) for c in figures.chapters] == \
        [(opened[c.slug], completed[c.slug]) for c in course.chapters]
    assert english.chapters[0].opened == sum(
        1 for slug, _done, locale in rows if slug == course.chapters[0].slug and locale == "en") > 0
    assert all(c.median_seconds is not None for c in figures.chapters if c.completed)


def test_the_campaign_has_the_expected_shape(app: Flask, engine: Engine) -> None:
    course, summary = _seed(app, learners=3000, organisations=10)
    with Session(app.extensions["courseware.engine"]) as session:
        organisations = session.scalars(select(Organisation)).all()
        assert len(organisations) == 10 == summary.organisations
        links_per_org = Counter(session.scalars(select(TrackingLink.organisation_id)))
        assert set(links_per_org) == {org.id for org in organisations}
        assert all(1 <= n <= 3 for n in links_per_org.values())
        assert session.scalar(select(func.count()).select_from(OrganisationManager)) == 10

        learners = session.scalars(select(User).where(User.email.not_like("responsable.%"))).all()
        assert len(learners) == 3000 == summary.learners
        attributed = [u for u in learners if u.organisation_id is not None]
        assert 0.65 < len(attributed) / len(learners) < 0.75
        assert {u.attribution for u in attributed} == {"link", "utm", "invitation"}
        assert all(u.link_id is None for u in attributed if u.attribution == "invitation")
        invited = session.scalar(select(func.count()).select_from(Invitation))
        assert invited == sum(u.attribution == "invitation" for u in attributed) == summary.invitations
        months = {u.created_at.strftime("%Y-%m") for u in learners}
        assert len(months) >= 6  # spread over the months, not one day
        assert all(u.created_at <= NOW and u.password_hash == learners[0].password_hash
                   for u in learners)
        assert all(u.email.endswith("@demo.example.org") for u in learners)

        opened_by_chapter = Counter(session.scalars(select(ChapterProgress.chapter_slug)))
        chapters = course.chapter_slugs
        assert [opened_by_chapter[slug] for slug in chapters] == sorted(
            (opened_by_chapter[slug] for slug in chapters), reverse=True)  # drop-off
        starters = opened_by_chapter[chapters[0]]
        finished = session.scalar(select(func.count()).select_from(
            select(ChapterProgress.user_id).where(ChapterProgress.completed_at.is_not(None))
            .group_by(ChapterProgress.user_id)
            .having(func.count() == len(chapters)).subquery()))
        assert 0.7 < starters / len(learners) < 0.9
        assert 0.5 < finished / starters < 0.7
        certificates = session.scalars(select(Certificate)).all()
        assert 0.75 < len(certificates) / finished <= 0.9
        for certificate in certificates[:50]:
            assert normalise_public_id(certificate.public_id) == certificate.public_id
            assert certificate.current_key == f"{certificate.user_id}:{course.slug}"
            assert certificate.verification_url.endswith(certificate.public_id)
            assert certificate.status == "valid" and certificate.issued_at <= NOW


def test_the_same_seed_gives_the_same_data_and_a_full_database_is_refused(
        app: Flask, engine: Engine) -> None:
    _seed(app, learners=200, organisations=3)
    with pytest.raises(DatabaseNotEmpty, match="already has"):
        _seed(app, learners=10, organisations=1)
    with Session(app.extensions["courseware.engine"]) as session:
        first = session.execute(select(User.email, User.created_at).order_by(User.id)).all()
        assert len(first) == 203


def test_a_demo_learner_logs_in_and_sees_their_progress_and_certificate(
        app: Flask, engine: Engine, client: FlaskClient, auth: Auth) -> None:
    course, _summary = _seed(app, learners=400, organisations=3)
    with Session(app.extensions["courseware.engine"]) as session:
        certificate = session.scalars(select(Certificate).order_by(Certificate.id)).first()
        learner = session.get(User, certificate.user_id)
        progress = course_progress(session, learner.id, course)
        assert progress.is_complete
        unfinished = session.scalars(
            select(ChapterProgress).where(ChapterProgress.completed_at.is_(None))).first()
        their = course_progress(session, unfinished.user_id, course)
        assert their.state(unfinished.chapter_slug) is ChapterState.STARTED
    assert auth.login(learner.email, PASSWORD).status_code == 302
    page = client.get(f"/courses/{course.slug}/")
    assert page.status_code == 200
    assert f"/certificates/{certificate.public_id}" in page.get_data(as_text=True) or \
        client.get(f"/courses/{course.slug}/certificate").status_code in (200, 302)
    shown = client.get(f"/certificates/{certificate.public_id}")
    assert shown.status_code == 200 and learner.name in shown.get_data(as_text=True)
    pdf = client.get(f"/certificates/{certificate.public_id}.pdf")  # rendered on demand
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_the_command_seeds_the_configured_database(app: Flask, app_config: dict) -> None:
    environment = cli_environment(app, app_config)

    def courseware(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "courseware.cli", "demo", "seed", *args],
                              cwd=REPO, env=environment, capture_output=True, text=True, timeout=300)

    done = courseware("--learners", "120", "--orgs", "4", "--seed", "3")
    assert done.returncode == 0, done.stderr
    assert "120 learners following 'basics' (3 chapters)" in done.stdout
    password = done.stdout.rsplit("password: ", 1)[1].strip()
    with Session(app.extensions["courseware.engine"]) as session:
        learner = session.scalars(select(User).where(User.organisation_id.is_not(None))).first()
        hasher = app.extensions["courseware.hasher"]
        assert hasher.verify(learner.password_hash, password)
    again = courseware("--learners", "5")
    assert again.returncode == 1 and "already has 124 accounts" in again.stderr
    unknown = courseware("--chapters-from", "nope")
    assert unknown.returncode == 1 and "no course 'nope'" in unknown.stderr
    assert "Traceback" not in done.stderr + again.stderr + unknown.stderr
