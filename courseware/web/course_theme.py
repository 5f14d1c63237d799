"""A course's accent colour (`accent:` in course.yaml) as a tiny style sheet.

The Content-Security-Policy allows style sheets from this site only (no inline
styles), so the colour comes as `/courses/<slug>/theme.css`. Authors pick any
colour; the one shown is darkened (light theme) or lightened (dark theme) just
enough to keep the 4.5:1 contrast the rest of the site keeps, so a pale brand
colour can never make a button unreadable.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort

from .views import course_or_404

bp = Blueprint("course_theme", __name__, url_prefix="/courses")
YEAR = 365 * 24 * 3600
LIGHT_BACKGROUNDS = ("#ffffff", "#f7f7f4", "#e7ecfb")  # surface, page, soft accent
DARK_BACKGROUNDS = ("#14161b", "#1c1f26", "#232731")
MINIMUM_CONTRAST = 4.5

Rgb = tuple[float, float, float]


def _rgb(colour: str) -> Rgb:
    return tuple(int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))  # type: ignore[return-value]


def _hex(rgb: Rgb) -> str:
    return "#" + "".join(f"{round(max(0.0, min(1.0, c)) * 255):02x}" for c in rgb)


def _luminance(rgb: Rgb) -> float:
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two #rrggbb colours."""
    la, lb = sorted((_luminance(_rgb(a)), _luminance(_rgb(b))), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _mix(colour: str, other: str, amount: float) -> str:
    a, b = _rgb(colour), _rgb(other)
    return _hex(tuple(x + (y - x) * amount for x, y in zip(a, b, strict=True)))  # type: ignore[arg-type]


def readable_on(colour: str, backgrounds: tuple[str, ...], towards: str) -> str:
    """`colour`, moved towards `towards` in small steps until it reads on every background."""
    for step in range(21):
        candidate = _mix(colour, towards, step / 20)
        if all(contrast(candidate, background) >= MINIMUM_CONTRAST for background in backgrounds):
            return candidate
    return towards


def theme_css(accent: str) -> str:
    """The custom properties of site.css that carry the accent, for both themes."""
    light = readable_on(accent, LIGHT_BACKGROUNDS, "#000000")
    dark = readable_on(accent, DARK_BACKGROUNDS, "#ffffff")
    return (
        f":root {{ --accent: {light}; --accent-strong: {_mix(light, '#000000', 0.3)}; "
        f"--accent-soft: {_mix(light, '#ffffff', 0.9)}; }}\n"
        f"@media (prefers-color-scheme: dark) {{ :root {{ --accent: {dark}; "
        f"--accent-strong: {_mix(dark, '#ffffff', 0.35)}; "
        f"--accent-soft: {_mix(dark, '#14161b', 0.82)}; }} }}\n"
    )


@bp.get("/<course_slug>/theme.css")
def theme(course_slug: str) -> Response:
    course = course_or_404(course_slug)
    if not course.presentation.accent:
        abort(404)
    response = Response(theme_css(course.presentation.accent), mimetype="text/css")
    response.cache_control.public = True
    response.cache_control.max_age = YEAR  # the URL carries the colour (?v=...)
    return response
