"""How the dashboard writes estimated durations and shares, in the reader's language."""

from __future__ import annotations

from babel.numbers import format_percent
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _


def about_duration(seconds: float | None) -> str:
    """"about 7 min", "about 3 h", "about 2 days": the median is an estimate (durations.py)."""
    if seconds is None:
        return "—"
    if seconds < 60:
        return _("about %(n)s s", n=max(round(seconds), 1))
    if seconds < 3600:
        return _("about %(n)s min", n=round(seconds / 60))
    if seconds < 86400:
        return _("about %(n)s h", n=round(seconds / 3600))
    days = round(seconds / 86400)
    return ngettext("about %(num)s day", "about %(num)s days", days)


def percent(share: float | None) -> str:
    """A share (0..1) as a percentage, "—" when there is nothing to divide by."""
    if share is None:
        return "—"
    return format_percent(share, locale=str(get_locale()))
