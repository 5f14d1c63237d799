import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from courseware.certificates import (
    CourseNotCompleted,
    InvalidPrintedName,
    detach_certificates_for_deleted_user,
    issue_certificate,
    reissue_certificate,
    revoke_certificate,
)
from courseware.db import make_engine
from courseware.models import Base, Certificate, User

NOW = datetime(2026, 11, 22, 10, 30, tzinfo=UTC)
ALL = frozenset({"intro", "donnees", "ethique"})


def add_user(session, user_id=1):
    session.add(User(id=user_id, email=f"u{user_id}@example.fr", name="Zoë", password_hash="x",
                     created_at=NOW))
    session.flush()


@pytest.fixture
def session():
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as s:
        add_user(s)
        yield s


def issue(session, course, identity, name="Zoë Ødegård", done=ALL, user_id=1):
    return issue_certificate(session, user_id=user_id, course=course, completed_slugs=done,
                             printed_name=name, identity=identity, now=NOW,
                             verification_url_for=verification_url)


def verification_url(public_id: str) -> str:
    return f"https://cours.example.fr/certificates/{public_id}"


def test_refused_until_every_chapter_is_done(session, course, identity):
    with pytest.raises(CourseNotCompleted) as refused:
        issue(session, course, identity, done=frozenset({"intro"}))
    assert refused.value.missing_slugs == ["donnees", "ethique"]
    assert session.scalar(select(func.count(Certificate.id))) == 0


def test_unprintable_names_are_refused(session, course, identity):
    with pytest.raises(InvalidPrintedName, match="😀"):
        issue(session, course, identity, name="Zoë 😀")


def test_issuing_twice_returns_the_same_certificate(session, course, identity):
    first = issue(session, course, identity, name="  Zoe\u0308   Ødegård ")
    session.commit()
    again = issue(session, course, identity, name="Someone else")
    assert again.public_id == first.public_id
    assert first.printed_name == "Zoë Ødegård"
    assert first.current_key == "1:bases-ia" and first.signer_fingerprint == identity.fingerprint
    assert session.scalar(select(func.count(Certificate.id))) == 1


def test_concurrent_claims_make_exactly_one_certificate(tmp_path, course, identity):
    # The app's own engine (WAL, busy timeout) and its write sessions (BEGIN IMMEDIATE).
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    writer = engine.execution_options(sqlite_immediate=True)
    Base.metadata.create_all(engine)
    with Session(writer) as s:
        add_user(s)
        s.commit()
    barrier, results, errors = threading.Barrier(8), [], []

    def claim():
        try:
            with Session(writer) as s:
                barrier.wait()
                results.append(issue(s, course, identity).public_id)
                s.commit()
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=claim) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(results) == 8 and len(set(results)) == 1
    with Session(engine) as s:
        assert s.scalar(select(func.count(Certificate.id))) == 1


def test_reissue_replaces_the_old_certificate(session, course, identity):
    old = issue(session, course, identity, name="Zoe Odegard")
    new = reissue_certificate(session, certificate=old, printed_name="Zoë Ødegård",
                              identity=identity, now=NOW + timedelta(days=1),
                              verification_url_for=verification_url)
    session.commit()
    assert (old.status, old.replaced_by, old.current_key) == ("replaced", new.public_id, None)
    assert (new.status, new.current_key, new.printed_name) == ("valid", "1:bases-ia", "Zoë Ødegård")
    assert new.public_id != old.public_id
    assert issue(session, course, identity).public_id == new.public_id


def test_revoke(session, course, identity):
    cert = issue(session, course, identity)
    revoke_certificate(session, cert.public_id, "fraud", NOW)
    session.commit()
    assert (cert.status, cert.status_reason, cert.current_key) == ("revoked", "fraud", None)


@pytest.mark.parametrize("keep", [True, False])
def test_deleting_the_account_keeps_or_withdraws(session, course, identity, keep):
    cert = issue(session, course, identity)
    detach_certificates_for_deleted_user(session, 1, keep=keep, now=NOW)
    session.commit()
    assert cert.user_id is None and cert.current_key is None
    if keep:
        assert (cert.status, cert.printed_name) == ("valid", "Zoë Ødegård")
    else:
        assert (cert.status, cert.printed_name) == ("withdrawn", None)
