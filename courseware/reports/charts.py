"""Charts drawn on the server as SVG: horizontal bars with their figures written out.

No JavaScript and no charting library: a chart is a few rectangles and text,
readable as it is, and it has a <title>. Pages show each chart next to a table
of the same figures for screen readers (the SVG itself is one image for them).
Counts shown as "<5" get no bar, only their text.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

from .funnel import Count, OrganisationReport, PlatformReport
from .wording import Wording

# Two series at most; both colours have over 4.5:1 contrast on white (WCAG 1.4.11 needs 3:1).
COLOURS = ("#1d4ed8", "#0f766e")
TEXT = "#1f2937"
LABEL_WIDTH = 250
VALUE_WIDTH = 70
BAR_HEIGHT = 18
GAP = 10
# Characters a label keeps: at 13 px a sans-serif letter is up to ~8 px wide, so 30 of
# them fit the label column (34 did not: "Ch. 1 Q1 : Qu’apprend…" was clipped on the left).
# The full label is in the table that goes with every chart.
MAX_LABEL = 30


@dataclass(frozen=True)
class Bar:
    label: str
    values: tuple[Count, ...]  # one per series


def _short(label: str) -> str:
    return label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1] + "…"


def bar_chart_svg(title: str, bars: Sequence[Bar], series: Sequence[str] = (),
                  wording: Wording | None = None, width: int = 640,
                  value_text: Callable[[Count], str] | None = None) -> str:
    """A horizontal bar chart; with several series, a legend names them.

    Each bar's figure is written by `value_text` (e.g. a percentage), else as a count.
    """
    number = value_text or (wording.count if wording else str)
    values = [value for bar in bars for value in bar.values if isinstance(value, int)]
    largest = max(values, default=0) or 1
    per_bar = max((len(bar.values) for bar in bars), default=1)
    group = per_bar * BAR_HEIGHT + GAP
    top = 8 + (24 if len(series) > 1 else 0)
    height = top + group * len(bars) + 8
    span = width - LABEL_WIDTH - VALUE_WIDTH
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" class="chart" font-family="sans-serif" font-size="13">',
        f"<title>{escape(title)}</title>",
    ]
    if len(series) > 1:
        x = LABEL_WIDTH
        for index, name in enumerate(series):
            parts.append(f'<rect x="{x}" y="8" width="14" height="14" fill="{COLOURS[index]}"/>')
            parts.append(f'<text x="{x + 20}" y="20" fill="{TEXT}">{escape(name)}</text>')
            x += 40 + 8 * len(name)
    for row, bar in enumerate(bars):
        y = top + row * group
        middle = y + per_bar * BAR_HEIGHT / 2 + 4
        parts.append(f'<text x="{LABEL_WIDTH - 8}" y="{middle:.0f}" text-anchor="end" '
                     f'fill="{TEXT}">{escape(_short(bar.label))}</text>')
        for index, value in enumerate(bar.values):
            bar_y = y + index * BAR_HEIGHT
            length = span * value / largest if isinstance(value, int) else 0
            if length:
                parts.append(f'<rect x="{LABEL_WIDTH}" y="{bar_y}" width="{length:.1f}" '
                             f'height="{BAR_HEIGHT - 3}" fill="{COLOURS[index % len(COLOURS)]}"/>')
            parts.append(f'<text x="{LABEL_WIDTH + length + 6:.1f}" y="{bar_y + BAR_HEIGHT - 6}" '
                         f'fill="{TEXT}">{escape(number(value))}</text>')
    parts.append("</svg>")
    return "".join(parts)


def funnel_bars(report: OrganisationReport | PlatformReport, wording: Wording) -> list[Bar]:
    total = report.total
    return [Bar(wording.clicks, (total.clicks,)), Bar(wording.signups, (total.signups,)),
            Bar(wording.started, (total.started,)), Bar(wording.finished, (total.finished,)),
            Bar(wording.certified, (total.certified,))]


def chapter_bars(report: OrganisationReport | PlatformReport) -> list[Bar]:
    return [Bar(f"{row.position}. {row.title}", (row.opened, row.completed))
            for row in report.chapters]


def funnel_chart(report: OrganisationReport | PlatformReport, wording: Wording) -> str:
    """Clicks, sign-ups, started, finished, certified: the whole funnel in total."""
    return bar_chart_svg(wording.funnel_title, funnel_bars(report, wording), wording=wording)


def chapters_chart(report: OrganisationReport | PlatformReport, wording: Wording) -> str:
    """Opened and completed per chapter, in course order: where people drop out."""
    return bar_chart_svg(wording.chapters_title, chapter_bars(report),
                         series=(wording.opened, wording.completed), wording=wording)


def week_label(year: int, week: int) -> str:
    return f"{year}-W{week:02d}"


def weeks_chart(report: PlatformReport, wording: Wording) -> str:
    """Sign-ups per ISO week of the period."""
    bars = [Bar(f"{week_label(w.year, w.week)} ({wording.day(w.monday)})", (w.signups,))
            for w in report.signups_per_week]
    return bar_chart_svg(wording.weeks_title, bars, wording=wording)
