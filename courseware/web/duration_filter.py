"""The `duration` Jinja filter: the pages write durations with the same function as
the certificate PDF (courseware/durations.py), in the learner's language."""

from __future__ import annotations

from flask_babel import gettext

from ..durations import DurationFormats, format_duration


def page_duration(minutes: int) -> str:
    """"45 min", "6 h", "3 h 25 min", with the formats of the interface language."""
    return format_duration(minutes, DurationFormats(
        hours_and_minutes=gettext("{hours} h {minutes:02d} min"),
        hours_only=gettext("{hours} h"),
        minutes_only=gettext("{minutes} min"),
    ))
