"""The dashboard's figures against the hand-computed story of tests/analytics/fixture.py,
with its filters (language, date range), on every database."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from courseware.analytics.csv_export import dashboard_csv
from courseware.analytics.dashboard import CourseDashboard, course_dashboard, period_parts
from courseware.content.loader import load_course
from courseware.models import AnswerCount, ChapterDayCount, CompletionTimeCount
from tests.analytics.fixture import DAY_ONE, DAY_TWO, load_quiz_course, play_story, quiz_course


@pytest.fixture
def course(tmp_path: Path):
    return load_quiz_course(tmp_path / "content")


@pytest.fixture
def story(engine: Engine, course) -> Engine:
    play_story(engine, course)
    return engine


def dashboard(engine: Engine, course, start=DAY_ONE, end=DAY_TWO, language=None) -> CourseDashboard:
    with engine.connect() as connection:
        return course_dashboard(connection, course, start, end, language)


def chapter_rows(result: CourseDashboard) -> list[tuple]:
    return [(c.slug, c.opened, c.completed, c.median_seconds, c.drop_off) for c in result.chapters]


def test_chapters_opened_completed_median_and_drop_off(story, course):
    assert chapter_rows(dashboard(story, course)) == [
        ("welcome", 4, 3, 510.0, None),
        ("quiz", 3, 2, 1200.0, 0.25),
        ("next", 0, 0, None, 1.0),
    ]


def test_first_attempts_only_and_each_option_chosen(story, course):
    q1, q2 = dashboard(story, course).questions
    assert (q1.first_attempts, q1.right, [o.chosen for o in q1.options]) == (3, 1, [1, 1, 1])
    assert q1.confusing and q1.right_share == pytest.approx(1 / 3)
    assert (q2.first_attempts, q2.right, [o.chosen for o in q2.options]) == (3, 2, [1, 2])
    assert not q2.confusing
    assert q2.most_chosen_wrong == (q2.options[0],)
    # Two wrong answers chosen once each: both are the most chosen, neither is left out.
    assert q1.most_chosen_wrong == (q1.options[0], q1.options[2])
    assert [o.right for o in q1.options] == [False, True, False]


@pytest.mark.parametrize("filters", [{"language": "fr"}, {"end": DAY_ONE}])
def test_a_language_or_a_date_range_keeps_only_its_events(story, course, filters):
    result = dashboard(story, course, **filters)
    assert chapter_rows(result) == [
        ("welcome", 3, 2, 300.0, None),
        ("quiz", 2, 2, 1200.0, pytest.approx(1 / 3)),
        ("next", 0, 0, None, 1.0),
    ]
    q1 = result.questions[0]
    assert (q1.first_attempts, q1.right, [o.chosen for o in q1.options]) == (2, 1, [1, 1, 0])


def test_a_range_with_no_events_and_a_course_with_none_show_zeros(story, course):
    result = dashboard(story, course, language="de")
    assert chapter_rows(result) == [("welcome", 0, 0, None, None), ("quiz", 0, 0, None, None),
                                    ("next", 0, 0, None, None)]
    assert all(q.first_attempts == 0 and q.right_share is None and not q.confusing
               for q in result.questions)


def test_each_learner_counts_once_however_often_they_come_back(story):
    """Repeated openings, completions and retries added nothing: the counters sum to the story."""
    with story.connect() as connection:
        opened = connection.scalar(select(func.sum(ChapterDayCount.count)).where(
            ChapterDayCount.step == "opened", ChapterDayCount.span == "day"))
        durations = connection.scalar(select(func.sum(CompletionTimeCount.count))
                                      .where(CompletionTimeCount.span == "day"))
        first_attempts = connection.scalar(select(func.sum(AnswerCount.count)).where(
            AnswerCount.option_index == -1, AnswerCount.span == "day"))
    assert (opened, durations, first_attempts) == (7, 5, 6)


def test_each_month_row_is_the_sum_of_its_days(story):
    for model in (ChapterDayCount, CompletionTimeCount, AnswerCount):
        with story.connect() as connection:
            sums = dict(connection.execute(select(model.span, func.sum(model.count))
                                           .group_by(model.span)).all())
            months = set(connection.scalars(select(model.day).where(model.span == "month")))
        assert sums["day"] == sums["month"] and months == {date(2026, 3, 1)}, model


@pytest.mark.parametrize(("start", "end"), [
    (date(2026, 3, 1), date(2026, 3, 31)),  # one whole month: its month rows
    (date(2026, 2, 15), date(2026, 4, 10)),  # edges from day rows, March from its month row
    (date(2025, 1, 1), date(2026, 12, 31)),  # whole months only
])
def test_any_range_holding_the_story_gives_the_same_figures(story, course, start, end):
    assert dashboard(story, course, start, end) == replace(dashboard(story, course), start=start,
                                                           end=end)


@pytest.mark.parametrize(("start", "end", "parts"), [
    (date(2026, 3, 2), date(2026, 3, 3), [("day", date(2026, 3, 2), date(2026, 3, 3))]),
    (date(2026, 3, 1), date(2026, 3, 31), [("month", date(2026, 3, 1), date(2026, 3, 31))]),
    (date(2026, 2, 15), date(2026, 4, 10), [("month", date(2026, 3, 1), date(2026, 3, 31)),
                                            ("day", date(2026, 2, 15), date(2026, 2, 28)),
                                            ("day", date(2026, 4, 1), date(2026, 4, 10))]),
    (date(2026, 3, 1), date(2026, 3, 15), [("day", date(2026, 3, 1), date(2026, 3, 15))]),
    (date(2026, 3, 31), date(2026, 3, 1), []),
])
def test_a_period_is_read_as_whole_months_and_edge_days(start, end, parts):
    assert period_parts(start, end) == parts


def test_a_changed_answer_key_starts_its_questions_from_zero(story, course, tmp_path):
    """Counts made against another shape of the quiz must not be read as this one's."""
    folder = quiz_course(tmp_path / "changed")
    path = folder / "02-quiz.md"
    path.write_text(path.read_text(encoding="utf-8").replace("- [ ] Oui", "- [x] Oui"),
                    encoding="utf-8")
    changed, problems = load_course(folder)
    assert changed is not None and not problems
    assert changed.chapters[1].quizzes[0].key_version != course.chapters[1].quizzes[0].key_version
    assert [q.first_attempts for q in dashboard(story, changed).questions] == [0, 0]


def test_the_csv_has_the_same_figures_with_a_bom(story, course):
    body = dashboard_csv(dashboard(story, course), "en")
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Chapter", "Opened", "Completed"]
    assert rows[1] == ["1. Bienvenue", "4", "3", "8.5", ""]
    assert rows[2] == ["2. Le quiz", "3", "2", "20.0", "25.0"]
    assert rows[3] == ["3. Et ensuite", "0", "0", "", "100.0"]
    assert rows[4] == []
    options = rows[6:]
    assert len(options) == 5  # 3 + 2 options
    assert options[0][3:] == ["3", "33.3", "1. Des règles écrites une à une", "no", "1", "33.3"]
    assert options[4][5:] == ["2. Non", "yes", "2", "66.7"]


def test_csv_headers_follow_the_reader_language(story, course):
    body = dashboard_csv(dashboard(story, course), "fr").decode("utf-8-sig")
    assert body.splitlines()[0].startswith("Chapitre,")
