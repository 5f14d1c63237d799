"""A small course with a quiz, and a hand-computed story of four learners.

Course "basics": 1. welcome, 2. quiz (one quiz, two questions), 3. next.
Day one (2026-03-02), pages in French:
- Ana opens welcome at 09:00, completes it at 09:04 (4 min); opens quiz at 09:05,
  first attempt q1 = option 1 (wrong), q2 = option 2 (right): fails (50 % < 70 %);
  second attempt all right at 09:20: completes the chapter (15 min).
- Bruno opens welcome at 09:00, completes it at 09:08 (8 min); opens quiz at 09:10,
  first attempt all right at 09:30: completes it (20 min).
- Chloé opens welcome at 09:00 and stops there.
Day two (2026-03-03), pages in English:
- Dan opens welcome at 09:00, completes it at 10:00 (1 h); opens quiz at 10:01,
  first attempt q1 = option 3 (wrong), q2 = option 1 (wrong).

Expected, worked out by hand (both days, every language):
- welcome: opened 4, completed 3; durations 4, 8 and 60 min fall in the buckets
  3-5, 7-10 and 60-120 min, so the middle (1.5th) learner is half-way through the
  7-10 min bucket: median about 8.5 min (510 s); no drop-off (first chapter).
- quiz: opened 3 (drop-off (4 - 3) / 4 = 25 %), completed 2; durations 15 and
  20 min (buckets 15-20 and 20-30 min): the middle (1st) learner is at the top of
  the 15-20 bucket, 1,200 s.
- next: opened 0, drop-off 100 %, no median.
- q1: 3 first attempts, 1 right (33 %: often wrong); options chosen 1, 1, 1.
- q2: 3 first attempts, 2 right; options chosen 1 (wrong), 2 (right).
Day one only, or French only: welcome opened 3, completed 2 (median: 4 and 8 min,
the 1st learner is at the top of the 3-5 bucket, 300 s); quiz opened 2 (drop-off
1/3), completed 2; q1: 2 first attempts, 1 right, options 1, 1, 0.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import Engine, insert
from sqlalchemy.orm import Session

from courseware.accounts import Identity
from courseware.analytics.events import complete_chapter, open_chapter, record_quiz_attempt
from courseware.content import Course
from courseware.content.loader import load_course
from courseware.models import User
from courseware.quizzes.grading import grade
from tests.helpers import COURSE_YAML, write_course

DAY_ONE, DAY_TWO = date(2026, 3, 2), date(2026, 3, 3)

QUIZ = """\
## Testez-vous

::: quiz
### Qu'apprend un système d'apprentissage automatique ?
- [ ] Des règles écrites une à une
- [x] Des régularités tirées d'exemples
- [ ] Rien du tout
> Il ajuste ses paramètres à partir d'exemples.

### Une IA générale existe-t-elle aujourd'hui ?
- [ ] Oui
- [x] Non
> Elle reste une hypothèse.
:::
"""

CHAPTERS = {
    "01-welcome.md": ("Bienvenue", "## Premiers pas\n\nBonjour.\n"),
    "02-quiz.md": ("Le quiz", QUIZ),
    "03-next.md": ("Et ensuite", "## Ensuite\n\nFin.\n"),
}


def quiz_course(folder: Path) -> Path:
    """Write the course folder (basics: welcome, quiz, next) under `folder`."""
    return write_course(folder / "basics", COURSE_YAML, CHAPTERS)


def load_quiz_course(folder: Path) -> Course:
    course, problems = load_course(quiz_course(folder))
    assert course is not None and not problems, problems
    return course


def _at(day: date, hour: int, minute: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def _learner(session: Session, email: str) -> Identity:
    user_id = session.execute(insert(User.__table__).values(
        email=email, name=email.split("@")[0], role="learner", password_hash="x",
        created_at=_at(DAY_ONE, 8, 0), session_version=1).returning(User.__table__.c.id)).scalar_one()
    return Identity(user_id, email, email, "learner", None, "key")


def play_story(engine: Engine, course: Course) -> None:
    """Record the module docstring's events through the real event functions."""
    welcome, quiz_chapter, _next = course.chapters
    quiz = quiz_chapter.quizzes[0]

    def attempt(learner: Identity, answers: tuple[set[int], ...], when: datetime,
                language: str) -> None:
        result = grade(quiz, tuple(frozenset(a) for a in answers), course.pass_mark)
        record_quiz_attempt(session, learner, course, quiz_chapter, quiz, result, when, language)

    with Session(engine) as session:
        ana, bruno, chloe, dan = (_learner(session, f"{name}@example.org")
                                  for name in ("ana", "bruno", "chloe", "dan"))
        for learner in (ana, bruno, chloe):
            open_chapter(session, learner, course, welcome.slug, _at(DAY_ONE, 9, 0), "fr")
        complete_chapter(session, ana, course, welcome.slug, _at(DAY_ONE, 9, 4), "fr")
        complete_chapter(session, ana, course, welcome.slug, _at(DAY_ONE, 9, 6), "fr")  # a repeat
        open_chapter(session, ana, course, quiz_chapter.slug, _at(DAY_ONE, 9, 5), "fr")
        attempt(ana, ({0}, {1}), _at(DAY_ONE, 9, 12), "fr")
        attempt(ana, ({1}, {1}), _at(DAY_ONE, 9, 20), "fr")
        complete_chapter(session, bruno, course, welcome.slug, _at(DAY_ONE, 9, 8), "fr")
        open_chapter(session, bruno, course, quiz_chapter.slug, _at(DAY_ONE, 9, 10), "fr")
        open_chapter(session, bruno, course, quiz_chapter.slug, _at(DAY_ONE, 9, 11), "fr")  # again
        attempt(bruno, ({1}, {1}), _at(DAY_ONE, 9, 30), "fr")
        attempt(bruno, ({1}, {1}), _at(DAY_ONE, 9, 31), "fr")  # a retry after passing
        open_chapter(session, dan, course, welcome.slug, _at(DAY_TWO, 9, 0), "en")
        complete_chapter(session, dan, course, welcome.slug, _at(DAY_TWO, 10, 0), "en")
        open_chapter(session, dan, course, quiz_chapter.slug, _at(DAY_TWO, 10, 1), "en")
        attempt(dan, ({2}, {0}), _at(DAY_TWO, 10, 5), "en")
        session.commit()
