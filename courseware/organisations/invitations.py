"""Staff invitations: read a CSV of e-mails, queue one invitation per address,
send them in batches. No Flask here: the web page and `courseware orgs invite`
both call these functions.

Reading is bounded at one entry point (`parse_invitation_csv`): 2 MB, 20,000
rows, UTF-8 with or without the BOM Excel adds, `,` or `;` between columns (a
French Excel writes `;`), an optional header `email[,name]`. Every bad row is
reported with its line number and nothing is imported until the file is fixed
or the manager confirms importing only the valid rows.

Importing only stores the invitations (`sent_at` NULL); the unique
(organisation, e-mail) pair means uploading the same file twice invites nobody
twice. Sending is separate (`send_pending_invitations`), in batches that each
claim their rows first, so 10,000 invitations never hold up a web request and
two senders running at once never send the same invitation twice.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import Engine, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from ..text_safety import has_unsafe_characters
from .models import Invitation

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 20_000
EMAIL_MAX = 254
NAME_MAX = 120
# Header cells recognised in the first row (any case): the row is then skipped.
_EMAIL_HEADERS = frozenset({"email", "e-mail", "mail", "courriel", "adresse", "adresse e-mail",
                            "adresse email", "email address", "e-mail address"})
# Deliberately simple: the real check is the mail server's. This catches typos
# that a spreadsheet makes (a name in the e-mail column, two addresses in a cell).
_EMAIL = re.compile(r"^[^@\s,;<>\"()\[\]]+@[^@\s,;<>\"()\[\]]+\.[^@\s,;<>\"()\[\].]{2,}$")
_INSERT_CHUNK = 1000

_table = Invitation.__table__

# Problem codes, with the English text the command line prints (the web page
# shows the same problems translated).
PROBLEMS = {
    "too_large": "the file is larger than 2 MB",
    "too_many_rows": "the file has more than 20,000 rows",
    "not_utf8": "the file is not UTF-8 text (save it as “CSV UTF-8”)",
    "empty": "the file has no e-mail address",
    "bad_email": "this is not an e-mail address",
    "email_too_long": "the e-mail address is longer than 254 characters",
    "name_too_long": "the name is longer than 120 characters",
    "bad_characters": "the row contains characters that are not allowed",
    "too_many_columns": "expected at most two columns: e-mail, name",
    "bad_quoting": "a quote is not closed",
}


class InvitationFileError(Exception):
    """The file as a whole cannot be read (too large, not UTF-8, ...)."""

    def __init__(self, code: str, line: int | None = None) -> None:
        super().__init__(PROBLEMS[code])
        self.code = code
        self.line = line


@dataclass(frozen=True)
class InvitationRow:
    line: int
    email: str
    name: str | None


@dataclass(frozen=True)
class RowProblem:
    line: int
    code: str
    value: str  # the offending cell, shortened, for the report

    @property
    def message(self) -> str:
        return PROBLEMS[self.code]


@dataclass(frozen=True)
class ParsedFile:
    rows: tuple[InvitationRow, ...]
    problems: tuple[RowProblem, ...]
    duplicates: int  # addresses repeated within the file (invited once)


@dataclass(frozen=True)
class ImportResult:
    added: int
    already_invited: int


@dataclass(frozen=True)
class Progress:
    total: int
    sent: int
    accepted: int

    @property
    def pending(self) -> int:
        return self.total - self.sent


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InvitationFileError("not_utf8", line=data.count(b"\n", 0, error.start) + 1) from None


def _delimiter(text: str) -> str:
    """`;` when the first non-blank line has more semicolons than commas (a French
    Excel's "CSV"), `,` otherwise."""
    for line in text.splitlines():
        if line.strip():
            return ";" if line.count(";") > line.count(",") else ","
    return ","


def _short(value: str) -> str:
    return value if len(value) <= 60 else value[:57] + "…"


def parse_invitation_csv(data: bytes) -> ParsedFile:
    """Read an uploaded file. Raises InvitationFileError for a file that cannot be
    read at all; returns the valid rows and every bad row with its line number."""
    if len(data) > MAX_BYTES:
        raise InvitationFileError("too_large")
    text = _decode(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=True)
    rows: list[InvitationRow] = []
    problems: list[RowProblem] = []
    seen: set[str] = set()
    duplicates = 0
    first_line = 1
    records = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error:
            problems.append(RowProblem(first_line, "bad_quoting", ""))
            break
        line, first_line = first_line, reader.line_num + 1
        cells = [cell.strip() for cell in cells]
        while cells and not cells[-1]:  # Excel pads rows with empty columns
            cells.pop()
        if not cells:
            continue
        records += 1
        if records > MAX_ROWS:
            raise InvitationFileError("too_many_rows", line=line)
        if records == 1 and cells[0].lower() in _EMAIL_HEADERS:
            continue
        problem = _row_problem(cells)
        if problem is not None:
            problems.append(RowProblem(line, problem[0], _short(problem[1])))
            continue
        email = cells[0].lower()
        if email in seen:
            duplicates += 1
            continue
        seen.add(email)
        rows.append(InvitationRow(line, email, cells[1] if len(cells) > 1 and cells[1] else None))
    if not rows and not problems:
        raise InvitationFileError("empty")
    return ParsedFile(tuple(rows), tuple(problems), duplicates)


def _row_problem(cells: list[str]) -> tuple[str, str] | None:
    if len(cells) > 2:
        return "too_many_columns", ";".join(cells)
    if any(has_unsafe_characters(cell) for cell in cells):
        return "bad_characters", ""
    email = cells[0]
    if len(email) > EMAIL_MAX:
        return "email_too_long", email
    if not _EMAIL.match(email):
        return "bad_email", email
    if len(cells) > 1 and len(cells[1]) > NAME_MAX:
        return "name_too_long", cells[1]
    return None


def import_invitations(session: Session, organisation_id: int, rows: Sequence[InvitationRow],
                       now: datetime) -> ImportResult:
    """Queue one invitation per new address (sent_at NULL). Addresses already
    invited by this organisation are skipped, even by a concurrent upload (the
    unique constraint decides). The caller commits."""
    bind = session.get_bind()
    insert = postgresql.insert if bind.dialect.name == "postgresql" else sqlite.insert
    added = 0
    for start in range(0, len(rows), _INSERT_CHUNK):
        chunk = rows[start:start + _INSERT_CHUNK]
        statement = insert(_table).values([
            {"organisation_id": organisation_id, "email": row.email, "name": row.name,
             "created_at": now} for row in chunk
        ]).on_conflict_do_nothing(index_elements=["organisation_id", "email"])
        # RETURNING, not rowcount: drivers disagree on rowcount for multi-row inserts.
        added += len(session.execute(statement.returning(_table.c.id)).all())
    return ImportResult(added=added, already_invited=len(rows) - added)


def invitation_progress(executor: Connection | Session, organisation_id: int) -> Progress:
    """How many invitations an organisation has, how many went out, how many were accepted."""
    total, sent, accepted = executor.execute(
        select(func.count(), func.count(_table.c.sent_at), func.count(_table.c.accepted_at))
        .where(_table.c.organisation_id == organisation_id)).one()
    return Progress(total=total, sent=sent, accepted=accepted)


def recent_invitations(executor: Connection | Session, organisation_id: int, *, limit: int,
                       offset: int) -> list:
    """A page of an organisation's invitations, newest first."""
    return list(executor.execute(
        select(_table.c.email, _table.c.name, _table.c.created_at, _table.c.sent_at,
               _table.c.accepted_at)
        .where(_table.c.organisation_id == organisation_id)
        .order_by(_table.c.id.desc()).limit(limit).offset(offset)))


@dataclass(frozen=True)
class PendingInvitation:
    id: int
    organisation_id: int
    email: str
    name: str | None


def _claim_batch(engine: Engine, organisation_id: int | None, size: int,
                 now: datetime) -> list[PendingInvitation]:
    """Mark up to `size` unsent invitations as sent and return them. The
    `sent_at IS NULL` condition in the UPDATE itself means a concurrent sender
    that picked the same rows gets none of them back."""
    candidates = select(_table.c.id).where(_table.c.sent_at.is_(None))
    if organisation_id is not None:
        candidates = candidates.where(_table.c.organisation_id == organisation_id)
    candidates = candidates.order_by(_table.c.id).limit(size)
    with engine.begin() as connection:
        ids = list(connection.scalars(candidates))
        if not ids:
            return []
        claimed = connection.execute(
            update(_table).where(_table.c.id.in_(ids), _table.c.sent_at.is_(None))
            .values(sent_at=now)
            .returning(_table.c.id, _table.c.organisation_id, _table.c.email, _table.c.name))
        return sorted((PendingInvitation(*row) for row in claimed), key=lambda p: p.id)


def _release(engine: Engine, ids: Iterable[int]) -> None:
    ids = list(ids)
    if ids:
        with engine.begin() as connection:
            connection.execute(update(_table).where(_table.c.id.in_(ids)).values(sent_at=None))


def send_pending_invitations(engine: Engine, *, send_batch: Callable[[list[PendingInvitation]], None],
                             batch_size: int, now: Callable[[], datetime],
                             organisation_id: int | None = None,
                             on_batch: Callable[[int], None] | None = None) -> int:
    """Send every unsent invitation (of one organisation, or all), `batch_size`
    at a time; returns how many were sent.

    `send_batch` sends the e-mails of one batch (one SMTP connection for the
    batch). If it fails, the batch goes back to the queue (sent_at NULL) and the
    error propagates: running the sender again resumes where it stopped.
    """
    sent = 0
    while True:
        batch = _claim_batch(engine, organisation_id, batch_size, now())
        if not batch:
            return sent
        try:
            send_batch(batch)
        except BaseException:
            _release(engine, (invitation.id for invitation in batch))
            raise
        sent += len(batch)
        if on_batch is not None:
            on_batch(len(batch))


def mark_accepted(session: Session, invitation_id: int, now: datetime) -> bool:
    """At sign-up through an invitation link: record that it was accepted (the
    first sign-up only). The caller commits."""
    result = session.execute(
        update(_table).where(_table.c.id == invitation_id, _table.c.accepted_at.is_(None))
        .values(accepted_at=now))
    return bool(result.rowcount)


def invitation_by_id(executor: Connection | Session, invitation_id: int) -> PendingInvitation | None:
    row = executor.execute(
        select(_table.c.id, _table.c.organisation_id, _table.c.email, _table.c.name)
        .where(_table.c.id == invitation_id)).first()
    return PendingInvitation(*row) if row else None


# The link in the e-mail carries only the invitation's id, signed: nothing to
# look up by guessing, and nothing personal in the URL (or in server logs).
SIGNING_SALT = "invitation"  # a namespace for the signature, not a secret


def invitation_token(secret_key: str, invitation_id: int) -> str:
    return URLSafeTimedSerializer(secret_key, salt=SIGNING_SALT).dumps({"i": invitation_id})


def invitation_id_from_token(secret_key: str, token: str, max_age: int) -> int | None:
    """The invitation a link is for; None once expired or tampered with."""
    if len(token) > 200:
        return None
    try:
        data = URLSafeTimedSerializer(secret_key, salt=SIGNING_SALT).loads(token, max_age=max_age)
    except (SignatureExpired, BadSignature):
        return None
    value = data.get("i") if isinstance(data, dict) else None
    return value if isinstance(value, int) else None
