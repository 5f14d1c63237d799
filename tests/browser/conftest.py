"""Browser tests: one real `courseware serve` and one headless Chromium per session.

Chromium is Debian's (`/usr/bin/chromium`, or COURSEWARE_CHROMIUM): Playwright
cannot download its own browsers here. Every test in this folder gets the
`browser` marker, so `pytest -m "not browser"` skips them all, and they all run
in one test process (`pytest_xdist_make_scheduler` in tests/conftest.py).
"""

from __future__ import annotations

import itertools
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from tests.browser.pages import CHAPTERS, COURSE, QUIZ_CHAPTERS, QUIZ_COURSE, QUIZ_COURSE_YAML, QUIZ_PAGE
from tests.helpers import write_course
from tests.live_server import LiveServer, running_server
from tests.live_server import mailed_path as live_mailed_path

CHROMIUM = os.environ.get("COURSEWARE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
VIEWPORTS = {"small": {"width": 320, "height": 640}, "phone": {"width": 360, "height": 740},
             "desktop": {"width": 1280, "height": 900}}
PASSWORD = "un mot de passe solide"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

_emails = itertools.count(1)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


def unique_email() -> str:
    return f"learner{next(_emails)}-{time.monotonic_ns()}@example.org"


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The tiny three-chapter course, served by gunicorn on 127.0.0.1."""
    root = tmp_path_factory.mktemp("browser")
    write_course(root / "content" / COURSE)
    write_course(root / "content" / QUIZ_COURSE, QUIZ_COURSE_YAML, QUIZ_CHAPTERS)
    instance = root / "instance"
    instance.mkdir()
    with running_server(content_dir=root / "content", instance_dir=instance,
                        database_url=f"sqlite:///{root / 'browser.db'}") as server:
        yield server


DEMO_CONTENT = Path(__file__).resolve().parents[2] / "content"


@pytest.fixture(scope="session")
def demo(live: LiveServer, tmp_path_factory: pytest.TempPathFactory
         ) -> Iterator[tuple[LiveServer, str, tuple[str, ...], dict]]:
    """(server, course slug, chapter slugs, quizzes by chapter): the demo course of content/
    when it is valid (real chapters, real tables and prompts), else the tiny test course."""
    from courseware.content.loader import check_library

    courses, problems = check_library(DEMO_CONTENT) if DEMO_CONTENT.is_dir() else ([], ["none"])
    if problems or not courses:
        yield live, COURSE, CHAPTERS, {}
        return
    root = tmp_path_factory.mktemp("demo")
    (root / "instance").mkdir()
    with running_server(content_dir=DEMO_CONTENT, instance_dir=root / "instance",
                        database_url=f"sqlite:///{root / 'demo.db'}") as server:
        course = courses[0]
        yield server, course.slug, course.chapter_slugs, \
            {chapter.slug: chapter.quizzes for chapter in course.chapters}


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: `apt-get install chromium` "
                    "or set COURSEWARE_CHROMIUM", pytrace=False)
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


def new_context(browser: Browser, live: LiveServer, viewport: str = "desktop",
                **options: object) -> BrowserContext:
    """A fresh profile that asks for French, like most of our learners."""
    return browser.new_context(base_url=live.url, viewport=VIEWPORTS[viewport],
                               locale="fr-FR", **options)


@pytest.fixture
def context(browser: Browser, live: LiveServer) -> Iterator[BrowserContext]:
    context = new_context(browser, live)
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


def sign_up(page: Page, live: LiveServer, name: str = "Ana Dupont", email: str | None = None) -> str:
    """Create an account through the real form and the mailed link; returns the e-mail address."""
    email = email or unique_email()
    page.goto("/signup")
    page.locator("#name").fill(name)
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert page.locator(".flash").count() == 1, page.content()
    page.goto(mailed_path(live, email, r"/signup/confirm/[\w.\-]+"))
    assert page.locator(".flash").count() == 1, page.content()
    return email


def finish_chapter(page: Page, course: str, chapter: str, quizzes: tuple = ()) -> None:
    """Complete a chapter through its real forms: "mark as complete", or pass each quiz.

    `quizzes` are the chapter's Quiz objects (the test reads the key from the content,
    since the page never shows it).
    """
    url = f"/courses/{course}/{chapter}/"
    page.goto(url)
    if not quizzes:
        with page.expect_navigation():
            page.locator("main .chapter-end form button[type=submit]").click()
        return
    for quiz in quizzes:
        page.goto(url)
        for question in quiz.questions:
            for index in question.right_indexes:
                page.locator(f"#quiz-{quiz.number}-q{question.number}-o{index}").check()
        with page.expect_navigation():
            page.locator(f"#quiz-{quiz.number} button[type=submit]").click()


def mailed_path(live: LiveServer, email: str, pattern: str) -> str:
    return live_mailed_path(live.instance_dir, email, pattern)


@pytest.fixture(scope="session")
def learner_state(browser: Browser, live: LiveServer) -> dict:
    """Cookies of a logged-in learner who has opened the first chapter."""
    context = new_context(browser, live)
    page = context.new_page()
    sign_up(page, live)
    page.goto(f"/courses/{COURSE}/welcome/")
    state = context.storage_state()
    context.close()
    return state


@pytest.fixture(scope="session")
def graduate(browser: Browser, live: LiveServer) -> tuple[dict, str]:
    """(cookies, certificate page path) of a learner who completed the course and
    claimed the certificate, through the real pages."""
    context = new_context(browser, live)
    page = context.new_page()
    sign_up(page, live, name="Chloé Martin")
    for chapter in CHAPTERS:
        page.goto(f"/courses/{COURSE}/{chapter}/")
        with page.expect_navigation():
            page.locator("main .chapter-end form button[type=submit]").click()
    page.goto(f"/courses/{COURSE}/certificate")
    if page.locator("#confirm").count():
        page.locator("#confirm").check()
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/certificates/[A-Z0-9-]+$"))
    certificate_path = page.url.removeprefix(live.url)
    state = context.storage_state()
    context.close()
    return state, certificate_path


@pytest.fixture(scope="session")
def quiz_passed_state(browser: Browser, live: LiveServer) -> dict:
    """Cookies of a learner who completed the quiz course's chapter by passing its quiz
    (the chapter then shows "complete" above the form, and the results all answers)."""
    context = new_context(browser, live)
    page = context.new_page()
    sign_up(page, live, name="Inès Karim")
    page.goto(QUIZ_PAGE)
    for label in ("Des régularités tirées d’exemples", "Un filtre anti-spam",
                  "La reconnaissance faciale"):
        page.get_by_label(label).check()
    with page.expect_navigation():
        page.locator("main .quiz button[type=submit]").first.click()
    assert page.locator(".quiz-score").count() == 1, page.content()
    state = context.storage_state()
    context.close()
    return state


@pytest.fixture(scope="session")
def staff_states(browser: Browser, live: LiveServer) -> dict[str, dict]:
    """Cookies of an admin and of the manager of organisation "demo" (whose report
    has a link, a few counters and a learner who shares their progress)."""
    from datetime import UTC, date, datetime

    from sqlalchemy import create_engine, insert, select, update

    from courseware.models import Organisation, OrganisationManager, TrackingLink, User
    from courseware.reports.counters import count_event

    emails = {role: sign_up_in_new_context(browser, live, name) for role, name in
              (("admin", "Adèle Admin"), ("manager", "Manon Gestion"))}
    engine = create_engine(live.database_url)
    now = datetime.now(UTC)
    with engine.begin() as connection:
        organisation = connection.execute(insert(Organisation.__table__).values(
            slug="demo", name="Organisation de démonstration", created_at=now).returning(
            Organisation.__table__.c.id)).scalar_one()
        link = connection.execute(insert(TrackingLink.__table__).values(
            organisation_id=organisation, code="DEMO1", label="Agents — Île-de-France",
            created_at=now).returning(TrackingLink.__table__.c.id)).scalar_one()
        users = User.__table__
        connection.execute(update(users).where(users.c.email == emails["admin"]).values(
            role="admin", organisation_id=organisation, link_id=link, share_progress=True))
        manager = connection.execute(select(users.c.id).where(
            users.c.email == emails["manager"])).scalar_one()
        connection.execute(insert(OrganisationManager.__table__).values(
            organisation_id=organisation, user_id=manager, created_at=now))
        for step, amount in (("click", 40), ("signup", 12), ("started", 9), ("finished", 3)):
            count_event(connection, step=step, day=date.today(), organisation_id=organisation,
                        link_id=link, course_slug="" if step in ("click", "signup") else COURSE,
                        amount=amount)
    engine.dispose()
    states = {}
    for role, email in emails.items():
        context = new_context(browser, live)
        page = context.new_page()
        page.goto("/login")
        page.locator("#email").fill(email)
        page.locator("#password").fill(PASSWORD)
        with page.expect_navigation():
            page.locator("main form button[type=submit]").click()
        states[role] = context.storage_state()
        context.close()
    return states


def sign_up_in_new_context(browser: Browser, live: LiveServer, name: str) -> str:
    context = new_context(browser, live)
    email = sign_up(context.new_page(), live, name=name)
    context.close()
    return email


@pytest.fixture(scope="session")
def paths(reset_path: str, graduate: tuple[dict, str], partner_link: str,
          graduate_id: int) -> dict[str, str]:
    """Values for the placeholders of SitePage paths."""
    return {"reset": reset_path, "certificate": graduate[1], "link": partner_link,
            "user": str(graduate_id)}


@pytest.fixture(scope="session")
def graduate_id(live: LiveServer, graduate: tuple[dict, str]) -> int:
    """The user id of the graduate (for the admin's page about them)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(live.database_url)
    with engine.connect() as connection:
        user_id = connection.scalar(text("SELECT user_id FROM certificates ORDER BY id LIMIT 1"))
    engine.dispose()
    return user_id


ADMIN_EMAIL = "admin@example.org"


def cli(live: LiveServer, *args: str, input: str | None = None) -> str:
    """Run `courseware ...` against the live server's instance; returns its stdout."""
    env = {**os.environ, "COURSEWARE_CONTENT_DIR": str(live.instance_dir.parent / "content"),
           "COURSEWARE_INSTANCE_DIR": str(live.instance_dir),
           "COURSEWARE_DATABASE_URL": live.database_url,
           "COURSEWARE_SECRET_KEY": "live-server-test-key"}
    result = subprocess.run([sys.executable, "-m", "courseware.cli", *args], env=env, input=input,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture(scope="session")
def partner_link(live: LiveServer) -> str:
    """An organisation with a tracking link, and an admin, made with the CLI; the link's code."""
    cli(live, "orgs", "create", "gendarmerie", "--name", "Gendarmerie nationale")
    code = cli(live, "orgs", "link", "gendarmerie", "--label", "Officiers").strip().rsplit("/", 1)[1]
    cli(live, "users", "create-admin", "--email", ADMIN_EMAIL, "--name", "Admin",
        "--password-stdin", input=PASSWORD + "\n")
    return code


@pytest.fixture(scope="session")
def partner_states(browser: Browser, live: LiveServer, partner_link: str) -> dict[str, dict]:
    """Cookies of an admin, of a visitor who came through the partner's link, and of
    a learner who signed up through it."""
    states = {}
    context = new_context(browser, live)
    page = context.new_page()
    page.goto("/login")
    page.locator("#email").fill(ADMIN_EMAIL)
    page.locator("#password").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    states["admin"] = context.storage_state()
    context.close()
    context = new_context(browser, live)
    page = context.new_page()
    page.goto(f"/go/{partner_link}")
    states["attributed"] = context.storage_state()
    sign_up(page, live, name="Inès Moreau")
    states["member"] = context.storage_state()
    context.close()
    return states


@pytest.fixture(scope="session")
def reset_path(browser: Browser, live: LiveServer) -> str:
    """A valid password-reset link, taken from the mail the site saved to its instance folder."""
    context = new_context(browser, live)
    page = context.new_page()
    email = sign_up(page, live)
    context.clear_cookies()
    page.goto("/password/forgot")
    page.locator("#email").fill(email)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    context.close()
    return mailed_path(live, email, r"/password/reset/[\w.\-]+")


AXE_PATH = Path(__file__).parent / "vendor" / "axe.min.js"


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE_PATH.exists():
        pytest.fail(f"{AXE_PATH} is missing: it is vendored in the repository", pytrace=False)
    return AXE_PATH.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def tabs(browser: Browser, live: LiveServer, learner_state: dict, graduate: tuple[dict, str],
         partner_states: dict[str, dict], staff_states: dict[str, dict],
         quiz_passed_state: dict, axe_source: str) -> Iterator[dict[str | None, Page]]:
    """One tab for each kind of visitor (keyed like SitePage.login), reused
    by every page check because a new browser context costs half a second.

    axe-core is loaded into every document by an init script, which the site's
    Content-Security-Policy does not block (a <script> tag would be).
    """
    states = {None: None, "learner": learner_state, "graduate": graduate[0],
              "quiz-passed": quiz_passed_state, **staff_states,
              **partner_states}
    contexts = {login: new_context(browser, live, storage_state=state)
                for login, state in states.items()}
    pages = {}
    for login, context in contexts.items():
        context.add_init_script(axe_source)
        pages[login] = context.new_page()
    yield pages
    for context in contexts.values():
        context.close()
