"""`courseware orgs ...` and `courseware users grant`, run as a script would run them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from courseware.models import AuditEntry, OrganisationManager, TrackingLink, User
from courseware.organisations.directory import CODE_ALPHABET
from tests.cli.test_cli import PASSWORD, run


@pytest.fixture
def environment(environment: dict[str, str]) -> dict[str, str]:
    """A fresh instance with a public address (reports and invitations carry links)."""
    return {**environment, "COURSEWARE_BASE_URL": "https://cours.example.fr/"}


@pytest.fixture
def db(environment, database_url) -> Iterator[Session]:
    assert run(environment, "db", "upgrade").exit_code == 0
    engine = create_engine(database_url)
    with Session(engine) as session:
        yield session
    engine.dispose()


def make_account(environment, email: str = "ana@example.org") -> None:
    result = run(environment, "users", "create-admin", "--email", email, "--name", "Ana",
                 "--password-stdin", input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output


def test_create_link_and_list(environment, db):
    result = run(environment, "orgs", "create", "gendarmerie", "--name", "Gendarmerie nationale",
                 "--linkedin-id", "1234", "--contact-email", "com@gendarmerie.fr")
    assert result.exit_code == 0, result.output
    assert run(environment, "orgs", "create", "la-poste", "--name", "La Poste").exit_code == 0

    first = run(environment, "orgs", "link", "gendarmerie", "--label", "Officiers")
    assert first.exit_code == 0, first.output
    url = first.stdout.strip()
    assert url.startswith("https://cours.example.fr/go/")
    code = url.rsplit("/", 1)[1]
    assert len(code) == 6 and set(code) <= set(CODE_ALPHABET)

    second = run(environment, "orgs", "link", "gendarmerie", "--label", "Réservistes",
                 "--utm-source", "intranet", "--utm-campaign", "reserve", "--course", "basics")
    assert second.exit_code == 0, second.output
    link = db.scalar(select(TrackingLink).where(TrackingLink.label == "Réservistes"))
    assert (link.utm_source, link.utm_campaign, link.course_slug) == ("intranet", "reserve", "basics")
    assert second.stdout.strip() == f"https://cours.example.fr/go/{link.code}"

    listed = run(environment, "orgs", "list")
    assert listed.exit_code == 0
    assert listed.stdout.splitlines() == [
        "gendarmerie\tGendarmerie nationale\t2\t0",
        "la-poste\tLa Poste\t0\t0",
    ]
    actions = db.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["organisation.create", "organisation.create", "link.create", "link.create"]


def test_organisation_errors(environment, db):
    assert run(environment, "orgs", "create", "gendarmerie", "--name", "G").exit_code == 0
    taken = run(environment, "orgs", "create", "gendarmerie", "--name", "Other")
    assert taken.exit_code == 1
    assert "the slug 'gendarmerie' is taken" in taken.stderr
    bad = run(environment, "orgs", "create", "Gendarmerie Nationale", "--name", "G")
    assert bad.exit_code == 2
    assert "is not a slug" in bad.stderr
    missing_name = run(environment, "orgs", "create", "x")
    assert missing_name.exit_code == 2
    unknown = run(environment, "orgs", "link", "nope", "--label", "L")
    assert unknown.exit_code == 1
    assert "no organisation 'nope'" in unknown.stderr


def test_link_errors(environment, db):
    assert run(environment, "orgs", "create", "a", "--name", "A").exit_code == 0
    assert run(environment, "orgs", "create", "b", "--name", "B").exit_code == 0
    ok = run(environment, "orgs", "link", "a", "--label", "L", "--utm-source", "s",
             "--utm-campaign", "c")
    assert ok.exit_code == 0
    taken = run(environment, "orgs", "link", "b", "--label", "L", "--utm-source", "s",
                "--utm-campaign", "c")
    assert taken.exit_code == 1
    assert "another link already uses utm_source=s utm_campaign=c" in taken.stderr
    lone = run(environment, "orgs", "link", "b", "--label", "L", "--utm-source", "s")
    assert lone.exit_code == 2
    assert "together" in lone.stderr
    no_course = run(environment, "orgs", "link", "b", "--label", "L", "--course", "nope")
    assert no_course.exit_code == 2
    assert "no course 'nope'" in no_course.stderr
    assert db.query(TrackingLink).count() == 1


def test_link_without_a_base_url_prints_the_path_and_says_why(environment, db):
    del environment["COURSEWARE_BASE_URL"]
    assert run(environment, "orgs", "create", "a", "--name", "A").exit_code == 0
    result = run(environment, "orgs", "link", "a", "--label", "L")
    assert result.exit_code == 0
    assert result.stdout.startswith("/go/")
    assert "COURSEWARE_BASE_URL is not set" in result.stderr


def test_add_manager(environment, db):
    make_account(environment)
    assert run(environment, "orgs", "create", "a", "--name", "A").exit_code == 0
    first = run(environment, "orgs", "add-manager", "a", "Ana@Example.org")
    assert first.exit_code == 0, first.output
    assert "now manages a" in first.stdout
    again = run(environment, "orgs", "add-manager", "a", "ana@example.org")
    assert again.exit_code == 0
    assert "already manages a" in again.stdout
    assert db.query(OrganisationManager).count() == 1
    nobody = run(environment, "orgs", "add-manager", "a", "bob@example.org")
    assert nobody.exit_code == 1
    assert "no account uses bob@example.org" in nobody.stderr
    no_org = run(environment, "orgs", "add-manager", "zz", "ana@example.org")
    assert no_org.exit_code == 1
    assert "no organisation 'zz'" in no_org.stderr


def test_users_grant(environment, db):
    make_account(environment)
    result = run(environment, "users", "grant", "ana@example.org", "instructor")
    assert result.exit_code == 0, result.output
    assert db.scalar(select(User.role)) == "instructor"
    assert run(environment, "users", "grant", "ana@example.org", "learner").exit_code == 0
    db.expire_all()
    assert db.scalar(select(User.role)) == "learner"
    entry = db.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()[-1]
    assert (entry.action, entry.actor_email, entry.detail) == ("role.grant", "cli",
                                                               "instructor -> learner")
    bad_role = run(environment, "users", "grant", "ana@example.org", "manager")
    assert bad_role.exit_code == 2
    unknown = run(environment, "users", "grant", "bob@example.org", "admin")
    assert unknown.exit_code == 1
    assert "no account uses bob@example.org" in unknown.stderr
