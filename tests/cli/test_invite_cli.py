"""`courseware orgs invite SLUG FILE.csv`, run as a script would run it."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from courseware.models import AuditEntry, Invitation
from tests.cli.test_cli import run
from tests.cli.test_orgs_cli import db, environment  # noqa: F401 - fixtures


def _mails(env: dict[str, str]) -> list[Path]:
    folder = Path(env["COURSEWARE_INSTANCE_DIR"]) / "mail"
    return sorted(folder.glob("*.eml")) if folder.exists() else []


def test_bad_rows_stop_the_import_with_file_and_line(environment, db, tmp_path):  # noqa: F811
    assert run(environment, "orgs", "create", "gendarmerie", "--name", "Gendarmerie").exit_code == 0
    staff = tmp_path / "staff.csv"
    staff.write_text("email;nom\nana@example.org;Ana\nnot-an-address;Bob\n", encoding="utf-8")
    result = run(environment, "orgs", "invite", "gendarmerie", str(staff))
    assert result.exit_code == 1
    assert f"{staff}:3: this is not an e-mail address (not-an-address)" in result.stderr
    assert "nothing imported" in result.stderr
    assert db.scalar(select(func.count()).select_from(Invitation)) == 0

    result = run(environment, "orgs", "invite", "gendarmerie", str(staff), "--skip-invalid")
    assert result.exit_code == 0, result.output
    assert "1 invitation(s) queued" in result.stdout and "1 of 1 sent" in result.stdout
    assert len(_mails(environment)) == 1


def test_running_twice_invites_nobody_twice(environment, db, tmp_path):  # noqa: F811
    assert run(environment, "orgs", "create", "poste", "--name", "La Poste").exit_code == 0
    staff = tmp_path / "staff.csv"
    staff.write_bytes("\ufeffana@example.org,Ana\r\nbob@example.org\r\n".encode())
    assert run(environment, "orgs", "invite", "poste", str(staff)).exit_code == 0
    again = run(environment, "orgs", "invite", "poste", str(staff))
    assert again.exit_code == 0 and "0 invitation(s) queued, 2 already invited" in again.stdout
    assert len(_mails(environment)) == 2
    assert db.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "invitations.import", AuditEntry.actor_email == "cli")) == 2


def test_unreadable_files_and_unknown_organisations_are_clear_errors(environment, db, tmp_path):  # noqa: F811
    assert run(environment, "orgs", "create", "poste", "--name", "La Poste").exit_code == 0
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes(b"ana@example.org\n\xe9t\xe9@example.org\n")
    result = run(environment, "orgs", "invite", "poste", str(latin1))
    assert result.exit_code == 1 and f"{latin1}:2: the file is not UTF-8" in result.stderr
    good = tmp_path / "good.csv"
    good.write_text("ana@example.org\n", encoding="utf-8")
    unknown = run(environment, "orgs", "invite", "nope", str(good))
    assert unknown.exit_code == 1 and "no organisation 'nope'" in unknown.stderr
    missing = run(environment, "orgs", "invite", "poste", str(tmp_path / "missing.csv"))
    assert missing.exit_code == 2
