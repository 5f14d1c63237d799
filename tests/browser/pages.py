"""Every page type of the site, in the states a learner meets them.

The accessibility (axe) and HTML validity (vnu) tests both run over this list:
a new page is covered by adding one line here.
"""

from __future__ import annotations

from dataclasses import dataclass

from playwright.sync_api import Page, Response

COURSE = "basics"
CHAPTERS = ("welcome", "data", "next")  # the tiny course of tests/helpers.py, in order

# A second course whose only chapter is completed by passing its quiz.
QUIZ_COURSE = "quizzes"
QUIZ_COURSE_YAML = """\
slug: quizzes
title: Quiz de test
language: fr
issuer: Académie de test
"""
QUIZ_CHAPTERS = {"01-quiz.md": ("Le quiz", """\
## Testez-vous

::: quiz
### Qu’apprend un système d’apprentissage automatique ?
- [ ] Des règles écrites une à une
- [x] Des régularités tirées d’exemples
> Il ajuste ses paramètres à partir d’exemples.

### Lesquels sont des exemples d’IA ?
- [x] Un filtre anti-spam
- [ ] Un thermostat à règle fixe
- [x] La reconnaissance faciale
> Les deux apprennent à partir d’exemples.
:::
""")}
QUIZ_PAGE = f"/courses/{QUIZ_COURSE}/quiz/"


@dataclass(frozen=True)
class SitePage:
    name: str
    # Placeholders: {reset} a valid password-reset path, {certificate} a certificate's page,
    # {link} the code of an organisation's tracking link, {user} the id of the learner who
    # owns {certificate}.
    path: str
    # None: a visitor; "learner": chapter 1 opened; "graduate": done; "admin"; "attributed":
    # a visitor who came through an organisation's link; "member": signed up through it;
    # "manager" (of organisation "demo"): see conftest.staff_states; "quiz-passed":
    # completed the quiz course by passing its quiz.
    login: str | None = None
    # "submit": send the page's main form as it is (shows validation errors);
    # "submit-without-csrf": the same without its CSRF token (the 400 page).
    action: str | None = None
    status: int = 200

    def open(self, page: Page, paths: dict[str, str]) -> Response:
        """Show the page in `page`; returns the response whose HTML is displayed."""
        response = page.goto(self.path.format(**paths))
        assert response is not None
        if self.action:
            if self.action == "submit-without-csrf":
                page.evaluate("document.querySelectorAll('main input[name=csrf_token]')"
                              ".forEach(input => input.remove())")
            with page.expect_navigation() as navigation:
                page.locator("main form button[type=submit]").first.click()
            response = navigation.value
            assert response is not None
        assert response.status == self.status, f"{self.name}: {response.status} {page.url}"
        return response


CHAPTER = f"/courses/{COURSE}/{CHAPTERS[1]}/"  # has an image, a callout and a heading
PAGES = [
    SitePage("home", "/"),
    SitePage("home-learner", "/", login="learner"),
    SitePage("course", f"/courses/{COURSE}/"),
    SitePage("course-learner", f"/courses/{COURSE}/", login="learner"),
    SitePage("chapter", CHAPTER),
    SitePage("chapter-learner", CHAPTER, login="learner"),
    SitePage("quiz", QUIZ_PAGE),
    SitePage("quiz-learner", QUIZ_PAGE, login="learner"),
    SitePage("quiz-results", QUIZ_PAGE, login="learner", action="submit"),
    SitePage("quiz-passed", QUIZ_PAGE, login="quiz-passed"),
    SitePage("quiz-passed-results", f"{QUIZ_PAGE}quiz/1/results", login="quiz-passed"),
    SitePage("chapter-last", f"/courses/{COURSE}/{CHAPTERS[-1]}/", login="learner"),
    SitePage("signup", "/signup"),
    SitePage("signup-errors", "/signup", action="submit", status=400),
    SitePage("signup-sent", "/signup/sent"),
    SitePage("login", "/login"),
    SitePage("login-errors", "/login", action="submit", status=400),
    SitePage("password-forgot", "/password/forgot"),
    SitePage("password-reset", "{reset}"),
    SitePage("password-reset-errors", "{reset}", action="submit", status=400),
    SitePage("password-reset-invalid", "/password/reset/not-a-valid-token", status=400),
    SitePage("account", "/account/", login="learner"),
    SitePage("account-delete", "/account/delete", login="learner"),
    SitePage("account-delete-errors", "/account/delete", login="learner", action="submit",
             status=400),
    SitePage("accessibility", "/accessibility"),
    SitePage("privacy", "/privacy"),
    SitePage("tracking-unknown", "/go/zzzzzz", status=404),
    SitePage("signup-organisation", "/signup", login="attributed"),
    SitePage("account-organisation", "/account/", login="member"),
    SitePage("admin-organisations", "/admin/organisations/", login="admin"),
    SitePage("admin-organisation-new", "/admin/organisations/new", login="admin"),
    SitePage("admin-organisation-new-errors", "/admin/organisations/new", login="admin",
             action="submit", status=400),
    SitePage("admin-organisation", "/admin/organisations/gendarmerie/", login="admin"),
    SitePage("error-404", "/no-such-page", status=404),
    SitePage("error-400-csrf", "/login", action="submit-without-csrf", status=400),
    SitePage("certificate-not-yet", f"/courses/{COURSE}/certificate", login="learner",
             status=403),
    SitePage("course-completed", f"/courses/{COURSE}/", login="graduate"),
    SitePage("course-achievement", f"/courses/{COURSE}/done", login="graduate"),
    SitePage("chapter-completed", CHAPTER, login="graduate"),
    SitePage("account-graduate", "/account/", login="graduate"),
    SitePage("certificate-claim", f"/courses/{COURSE}/certificate", login="graduate"),
    SitePage("certificate", "{certificate}"),
    SitePage("certificate-owner", "{certificate}", login="graduate"),
    SitePage("certificate-check", "/certificates/verify"),
    SitePage("certificate-check-errors", "/certificates/verify", action="submit", status=400),
    SitePage("certificate-unknown", "/certificates/0000-0000-0000-0000", status=404),
    SitePage("organisations", "/organisations/", login="manager"),
    SitePage("organisation-dashboard", "/organisations/demo/", login="manager"),
    SitePage("organisation-dashboard-errors", "/organisations/demo/?start=2026-04-01&end=2026-03-01",
             login="manager", status=400),
    SitePage("organisation-dashboard-admin", "/organisations/demo/", login="admin"),
    SitePage("platform-report", "/admin/reports", login="admin"),
    SitePage("admin-home", "/admin/", login="admin"),
    SitePage("admin-users", "/admin/users", login="admin"),
    SitePage("admin-users-search", "/admin/users?q=chlo", login="admin"),
    SitePage("admin-user", "/admin/users/{user}", login="admin"),
    SitePage("admin-user-delete", "/admin/users/{user}/delete", login="admin"),
    SitePage("admin-user-delete-errors", "/admin/users/{user}/delete", login="admin",
             action="submit", status=400),
    SitePage("admin-certificates", "/admin/certificates", login="admin"),
    SitePage("admin-certificate", "/admin{certificate}", login="admin"),
    SitePage("admin-certificate-revoke-errors", "/admin{certificate}", login="admin",
             action="submit", status=400),
    SitePage("admin-audit", "/admin/audit", login="admin"),
    SitePage("instructor-courses", "/instructor/", login="admin"),
    SitePage("instructor-dashboard", f"/instructor/{QUIZ_COURSE}/", login="admin"),
    SitePage("instructor-dashboard-chapters", f"/instructor/{COURSE}/?language=fr", login="admin"),
    SitePage("instructor-dashboard-errors", f"/instructor/{QUIZ_COURSE}/?start=2026-04-01&end=2026-03-01",
             login="admin", status=400),
    SitePage("organisation-invitations", "/organisations/gendarmerie/invitations", login="admin"),
    SitePage("organisation-invitations-errors", "/organisations/gendarmerie/invitations",
             login="admin", action="submit", status=400),
]
