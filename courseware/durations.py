"""How a duration is written: "45 min", "6 h", "3 h 25 min".

The pages (gettext strings) and the certificate PDF (the branding's wording) used
to branch on hours and minutes each in their own way, so a course read "6 h 00 min"
on its page and "6 h" on its certificate. Both now call `format_duration`; each
caller only brings the three formats of its language. No Flask here: the PDF is
rendered outside any request.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DurationFormats:
    """Three `str.format` templates, each given ``hours`` and ``minutes``."""

    hours_and_minutes: str  # "{hours} h {minutes:02d} min"
    hours_only: str  # "{hours} h"
    minutes_only: str  # "{minutes} min"


def format_duration(minutes: int, formats: DurationFormats) -> str:
    """Write ``minutes`` with the form that fits: minutes only under an hour, hours
    only on the hour, else both. A negative count is written as 0 min."""
    hours, rest = divmod(max(0, int(minutes)), 60)
    if not hours:
        template = formats.minutes_only
    elif not rest:
        template = formats.hours_only
    else:
        template = formats.hours_and_minutes
    return template.format(hours=hours, minutes=rest)
