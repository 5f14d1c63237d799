"""Reading staff CSV files as spreadsheets write them, and the batch sender."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from courseware.models import Invitation, Organisation
from courseware.organisations.invitations import (
    MAX_BYTES,
    InvitationFileError,
    import_invitations,
    invitation_id_from_token,
    invitation_progress,
    invitation_token,
    parse_invitation_csv,
    send_pending_invitations,
)

NOW = datetime(2026, 3, 1, tzinfo=UTC)


def test_excel_french_csv_with_bom_semicolons_and_header() -> None:
    data = "\ufeffemail;nom\r\nana@example.org;Ana Dupont\r\nBOB@Example.org;\r\n;;\r\n".encode()
    parsed = parse_invitation_csv(data)
    assert [(r.line, r.email, r.name) for r in parsed.rows] == [
        (2, "ana@example.org", "Ana Dupont"), (3, "bob@example.org", None)]
    assert parsed.problems == ()


def test_commas_without_header_and_quoted_names() -> None:
    parsed = parse_invitation_csv(b'ana@example.org,"Dupont, Ana"\ncid@example.org\n')
    assert [(r.email, r.name) for r in parsed.rows] == [
        ("ana@example.org", "Dupont, Ana"), ("cid@example.org", None)]


def test_bad_rows_are_reported_with_their_line_numbers() -> None:
    data = ("email,name\n"
            "ana@example.org,Ana\n"
            "not-an-address,Bob\n"
            "\n"
            "cid@example.org,Cid,extra\n"
            f"dan@example.org,{'x' * 121}\n"
            "eve@example.org,Eve\u202e\n"
            "ana@example.org,Ana again\n").encode()
    parsed = parse_invitation_csv(data)
    assert [(p.line, p.code) for p in parsed.problems] == [
        (3, "bad_email"), (5, "too_many_columns"), (6, "name_too_long"), (7, "bad_characters")]
    assert [r.email for r in parsed.rows] == ["ana@example.org"] and parsed.duplicates == 1


def test_line_numbers_count_newlines_inside_quotes() -> None:
    # (A line break inside a name is itself refused.)
    parsed = parse_invitation_csv(b'ana@example.org,"Ana\nDupont"\nbad\n')
    assert [(p.line, p.code) for p in parsed.problems] == [(1, "bad_characters"), (3, "bad_email")]


@pytest.mark.parametrize(("data", "code", "line"), [
    (b"x" * (MAX_BYTES + 1), "too_large", None),
    (b"ana@example.org\n\xe9t\xe9@example.org\n", "not_utf8", 2),
    (b"email,name\n\n", "empty", None),
    (b"".join(b"a%d@example.org\n" % i for i in range(20_001)), "too_many_rows", 20_001),
])
def test_files_that_cannot_be_read_at_all(data: bytes, code: str, line: int | None) -> None:
    with pytest.raises(InvitationFileError) as caught:
        parse_invitation_csv(data)
    assert (caught.value.code, caught.value.line) == (code, line)


def _organisation(session: Session) -> Organisation:
    organisation = Organisation(slug="a", name="Organisation A", created_at=NOW)
    session.add(organisation)
    session.flush()
    return organisation


def test_importing_twice_invites_nobody_twice(engine: Engine) -> None:
    rows = parse_invitation_csv(b"ana@example.org\nbob@example.org\n").rows
    with Session(engine) as session:
        organisation = _organisation(session)
        first = import_invitations(session, organisation.id, rows, NOW)
        again = import_invitations(session, organisation.id, rows, NOW)
        session.commit()
        assert (first.added, first.already_invited) == (2, 0)
        assert (again.added, again.already_invited) == (0, 2)
        assert session.scalar(select(func.count()).select_from(Invitation)) == 2


def test_the_sender_sends_in_batches_each_invitation_once(engine: Engine) -> None:
    rows = parse_invitation_csv("".join(f"p{i}@example.org\n" for i in range(7)).encode()).rows
    with Session(engine) as session:
        organisation = _organisation(session)
        import_invitations(session, organisation.id, rows, NOW)
        session.commit()
        organisation_id = organisation.id
    batches: list[list[str]] = []
    sent = send_pending_invitations(
        engine, send_batch=lambda batch: batches.append([i.email for i in batch]), batch_size=3,
        now=lambda: NOW)
    assert sent == 7 and [len(b) for b in batches] == [3, 3, 1]
    assert sorted(sum(batches, [])) == sorted(r.email for r in rows)
    assert send_pending_invitations(engine, send_batch=batches.append, batch_size=3,
                                    now=lambda: NOW) == 0
    with Session(engine) as session:
        assert invitation_progress(session, organisation_id).sent == 7


def test_a_failed_batch_goes_back_to_the_queue(engine: Engine) -> None:
    rows = parse_invitation_csv(b"a@example.org\nb@example.org\nc@example.org\n").rows
    with Session(engine) as session:
        organisation = _organisation(session)
        import_invitations(session, organisation.id, rows, NOW)
        session.commit()
        organisation_id = organisation.id
    calls = []

    def flaky(batch: list) -> None:
        calls.append(len(batch))
        if len(calls) == 2:
            raise ConnectionError("SMTP server went away")

    with pytest.raises(ConnectionError):
        send_pending_invitations(engine, send_batch=flaky, batch_size=2, now=lambda: NOW)
    with Session(engine) as session:
        assert invitation_progress(session, organisation_id).sent == 2
    assert send_pending_invitations(engine, send_batch=flaky, batch_size=2, now=lambda: NOW) == 1


def test_invitation_links_are_signed_and_expire() -> None:
    token = invitation_token("secret", 42)
    assert invitation_id_from_token("secret", token, max_age=60) == 42
    assert invitation_id_from_token("other secret", token, max_age=60) is None
    assert invitation_id_from_token("secret", token[:-2], max_age=60) is None
    assert invitation_id_from_token("secret", token, max_age=-1) is None
