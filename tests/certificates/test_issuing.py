import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, event, func, select
from sqlalchemy.orm import Session

from courseware.certificates import (
    CourseNotCompleted,
    InvalidPrintedName,
    detach_certificates_for_deleted_user,
    issue_certificate,
    reissue_certificate,
    revoke_certificate,
)
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
                             printed_name=name, identity=identity, now=NOW)


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
    engine = create_engine(f"sqlite:///{tmp_path / 'db.sqlite'}", connect_args={"timeout": 5})

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # let SQLAlchemy emit BEGIN itself
        dbapi_connection.execute("PRAGMA journal_mode=WAL")
        dbapi_connection.execute("PRAGMA busy_timeout=5000")

    @event.listens_for(engine, "begin")
    def _begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    Base.metadata.create_all(engine)
    with Session(engine) as s:
        add_user(s)
        s.commit()
    barrier, results, errors = threading.Barrier(8), [], []

    def claim():
        try:
            with Session(engine) as s:
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
                              identity=identity, now=NOW + timedelta(days=1))
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
