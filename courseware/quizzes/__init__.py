"""Quizzes written in chapter Markdown, graded on the server (domain layer, no Flask).

- `model`: the frozen Quiz / Question / Option objects a chapter carries.
- `parsing`: finds `::: quiz` containers while the content loads, reports mistakes.
- `grading`: scores a submission against the key the server keeps.
- `attempts`: stores every attempt and completes the chapter once its quizzes are passed.
- `models`: the `quiz_attempts` table.

This module imports nothing on purpose: `courseware.models` imports
`quizzes.models`, and `content` imports `parsing`, so a package-level import of
`attempts` here would create an import cycle.
"""
