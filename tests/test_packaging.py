"""`pip install .` (a real wheel, not the editable checkout) serves and issues certificates.

The wheel is built from a copy of the source tree, installed into a fresh virtualenv
outside the checkout, and `courseware serve` runs from an unrelated folder, so only
what the wheel ships is there: templates, translations, migrations and the default
certificate branding (layout, wording, fonts). Offline: the wheel is built with this
venv's setuptools (no build isolation, no index), and the fresh venv borrows this
venv's installed dependencies through one .pth line (their files, not courseware's
editable hook, which only runs from a site directory's own .pth files).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import requests

from tests.helpers import write_course
from tests.live_server import free_port, mailed_path, serving_process

REPO = Path(__file__).parents[1]
TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')
SKIP = shutil.ignore_patterns(".venv", ".git", "build", "*.egg-info", "__pycache__", "instance",
                              "test-artifacts", "node_modules", ".pytest_cache", ".ruff_cache")


def run(*command: str | Path, cwd: Path) -> str:
    result = subprocess.run([str(part) for part in command], cwd=cwd, capture_output=True, text=True,
                            timeout=120, env={"PATH": "/usr/bin:/bin", "HOME": str(cwd)})
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return result.stdout


def token(session: requests.Session, url: str) -> str:
    response = session.get(url, timeout=30)
    assert response.status_code == 200, (url, response.status_code)
    match = TOKEN.search(response.text)
    assert match, url
    return match.group(1) or match.group(2)


def test_an_installed_wheel_issues_a_certificate(tmp_path: Path):
    source = tmp_path / "source"
    shutil.copytree(REPO, source, ignore=SKIP)
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
        "-q", "-w", tmp_path / "dist", source, cwd=tmp_path)
    [wheel] = (tmp_path / "dist").glob("courseware-*.whl")

    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp_path)
    python = venv / "bin" / "python"
    site = Path(run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))", cwd=tmp_path)
                .strip())
    (site / "borrowed-dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    run(sys.executable, "-m", "pip", "--python", python, "install", "--no-index", "--no-deps", "-q",
        wheel, cwd=tmp_path)

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    installed = run(python, "-c", "import courseware; print(courseware.__file__)", cwd=elsewhere)
    assert installed.startswith(str(site)), installed
    assert not (site / "certificates").exists()  # no stray top-level folder either

    write_course(elsewhere / "content" / "basics")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "HOME": str(elsewhere),
           "COURSEWARE_CONTENT_DIR": str(elsewhere / "content"),
           "COURSEWARE_INSTANCE_DIR": str(elsewhere / "instance"),
           "COURSEWARE_SECRET_KEY": "packaging-test-key", **_locale()}
    with serving_process([str(venv / "bin" / "courseware"), "serve", "--host", "127.0.0.1",
                          "--port", str(port), "--workers", "1"], env=env, cwd=elsewhere,
                         ready_url=url + "/healthz", log_path=tmp_path / "server.log"):
        ana = requests.Session()
        ana.cookies.set("lang", "en")
        signup = ana.post(url + "/signup", allow_redirects=False, timeout=30, data={
            "csrf_token": token(ana, url + "/signup"), "email": "ana@example.org",
            "name": "Ana Dupont", "password": "un mot de passe solide"})
        assert signup.status_code == 302
        # The account opens with the link of the confirmation mail (written to the instance).
        confirm = mailed_path(elsewhere / "instance", "ana@example.org")
        assert ana.get(url + confirm, timeout=30).status_code == 200
        for chapter in ("welcome", "data", "next"):
            page = f"{url}/courses/basics/{chapter}/"
            done = ana.post(page + "complete", data={"csrf_token": token(ana, page)},
                            allow_redirects=False, timeout=30)
            assert done.status_code == 302
        claim_url = url + "/courses/basics/certificate"
        claim = ana.post(claim_url, allow_redirects=False, timeout=60, data={
            "csrf_token": token(ana, claim_url), "name": "Ana Dupont 王小明", "confirm": "y"})
        assert claim.status_code == 302, claim.text[-1500:]
        location = claim.headers["Location"]
        assert re.fullmatch(r"/certificates/[0-9A-Z]{4}(-[0-9A-Z]{4}){3}", location), location
        pdf = ana.get(url + location + ".pdf", timeout=60)
        assert pdf.status_code == 200 and pdf.headers["Content-Type"] == "application/pdf"
        assert pdf.content.startswith(b"%PDF-") and b"/ByteRange" in pdf.content
    log = (tmp_path / "server.log").read_text(errors="replace")
    assert "Traceback" not in log and "LayoutError" not in log, log[-3000:]


def _locale() -> dict[str, str]:
    return {key: value for key, value in os.environ.items() if key in ("LANG", "LC_ALL")}
