"""Organisations, tracking links, managers and roles (the domain layer)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session

from courseware.models import OrganisationManager, User
from courseware.organisations.directory import (
    CODE_ALPHABET,
    InvalidSlug,
    OrganisationExists,
    UnknownRole,
    UtmPairTaken,
    add_manager,
    create_organisation,
    create_tracking_link,
    grant_role,
    link_by_code,
    link_by_utm,
    normalise_code,
    organisation_by_slug,
)

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


@pytest.fixture
def session(engine):
    with Session(engine) as session:
        yield session


def make_user(session: Session, email: str = "ana@example.org") -> User:
    user = User(email=email, name="Ana", password_hash="x", role="learner", created_at=NOW,
                session_version=1)
    session.add(user)
    session.flush()
    return user


def test_an_organisation_is_found_by_its_slug(session):
    created = create_organisation(session, slug="gendarmerie", name=" Gendarmerie nationale ",
                                  now=NOW, linkedin_id="123", contact_email="Com@Gend.fr")
    session.commit()
    found = organisation_by_slug(session, "gendarmerie")
    assert found is not None and found.id == created.id
    assert (found.name, found.linkedin_id, found.contact_email) == (
        "Gendarmerie nationale", "123", "com@gend.fr")
    assert organisation_by_slug(session, "la-poste") is None


@pytest.mark.parametrize("slug", ["", "Gendarmerie", "la poste", "-a", "a--b", "é", "a" * 61])
def test_a_bad_slug_is_refused(session, slug):
    with pytest.raises(InvalidSlug):
        create_organisation(session, slug=slug, name="X", now=NOW)


def test_a_taken_slug_is_refused_and_the_transaction_goes_on(session):
    create_organisation(session, slug="la-poste", name="La Poste", now=NOW)
    with pytest.raises(OrganisationExists):
        create_organisation(session, slug="la-poste", name="Another", now=NOW)
    create_organisation(session, slug="pole-emploi", name="Pôle emploi", now=NOW)
    session.commit()
    assert organisation_by_slug(session, "la-poste").name == "La Poste"
    assert organisation_by_slug(session, "pole-emploi") is not None


def test_links_get_short_readable_distinct_codes(session):
    organisation = create_organisation(session, slug="gendarmerie", name="Gendarmerie", now=NOW)
    codes = {create_tracking_link(session, organisation, label=f"Population {n}", now=NOW).code
             for n in range(50)}
    session.commit()
    assert len(codes) == 50
    for code in codes:
        assert len(code) == 6 and set(code) <= set(CODE_ALPHABET)
        assert not set(code) & set("ilou")


def test_a_code_is_found_whatever_the_case_or_look_alikes_typed(session):
    organisation = create_organisation(session, slug="gendarmerie", name="Gendarmerie", now=NOW)
    link = create_tracking_link(session, organisation, label="Officiers", now=NOW)
    link.code = "k10m2q"
    session.commit()
    for typed in ("k10m2q", "K10M2Q", " kiOm2q", "klom2q"):
        assert link_by_code(session, typed).id == link.id
        assert link_by_code(session.connection(), typed).id == link.id
    assert normalise_code("a/b") is None
    assert link_by_code(session, "zzzzzz") is None
    assert link_by_code(session, "../etc") is None


def test_a_utm_pair_names_one_link(session):
    organisation = create_organisation(session, slug="gendarmerie", name="Gendarmerie", now=NOW)
    link = create_tracking_link(session, organisation, label="Réservistes", now=NOW,
                                utm_source="intranet", utm_campaign="reserve-2026",
                                course_slug="basics")
    session.commit()
    assert link_by_utm(session, "intranet", "reserve-2026").id == link.id
    assert link_by_utm(session.connection(), "intranet", "reserve-2026").course_slug == "basics"
    assert link_by_utm(session, "intranet", "other") is None
    assert link_by_utm(session, "", "") is None
    other = create_organisation(session, slug="la-poste", name="La Poste", now=NOW)
    with pytest.raises(UtmPairTaken):
        create_tracking_link(session, other, label="Facteurs", now=NOW,
                             utm_source="intranet", utm_campaign="reserve-2026")
    with pytest.raises(ValueError):
        create_tracking_link(session, other, label="Facteurs", now=NOW, utm_source="intranet")
    # Links without a pair never collide with each other.
    create_tracking_link(session, other, label="A", now=NOW)
    create_tracking_link(session, other, label="B", now=NOW)
    session.commit()


def test_adding_a_manager_twice_is_harmless(session):
    organisation = create_organisation(session, slug="gendarmerie", name="Gendarmerie", now=NOW)
    user = make_user(session)
    assert add_manager(session, organisation, user, NOW) is True
    assert add_manager(session, organisation, user, NOW) is False
    session.commit()
    assert session.query(OrganisationManager).count() == 1


def test_grant_role(session):
    user = make_user(session)
    grant_role(session, user, "instructor")
    session.commit()
    assert session.get(User, user.id).role == "instructor"
    with pytest.raises(UnknownRole):
        grant_role(session, user, "manager")
