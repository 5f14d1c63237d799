"""A report as a PDF ready to forward (reportlab): the organisation's name and logo,
the period, the funnel as a chart and a table, the per-link table, and the
per-chapter drop-off as a chart and a table. For the platform: also sign-ups
per week and the organisations ranked.

The bars are the same `Bar` lists the SVG charts draw (charts.py), so the PDF
and the dashboard cannot disagree. Text uses the certificate branding's Noto
fonts, which cover accented names. Rendering takes a few tens of milliseconds.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Protocol
from xml.sax.saxutils import escape

from reportlab.graphics.shapes import Drawing, Rect, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import (
    Flowable,
    Image,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from ..certificates.fonts import DEFAULT_BRANDING_DIR, FontSet
from ..certificates.layout import load_layout
from .charts import COLOURS, TEXT, Bar, chapter_bars, funnel_bars, week_label
from .funnel import FunnelRow, OrganisationReport, PlatformReport
from .wording import Wording, wording

WIDTH = A4[0] - 40 * mm
PAD = 4
WEEKS_PER_DRAWING = 26
# Logos larger than this are not drawn (they are stored in the database, bounded at upload).
MAX_LOGO_BYTES = 2 * 1024 * 1024


class OrganisationLike(Protocol):
    name: str
    logo: bytes | None


_FONTS: FontSet | None = None


def _fonts() -> FontSet:
    """The certificate branding's first font (Noto Sans: Latin with every accent, Greek,
    Cyrillic), loaded once per process. Not the whole branding: its CJK collection
    takes 0.6 s to load, more than the rest of a report."""
    global _FONTS
    if _FONTS is None:
        _FONTS = FontSet(load_layout(DEFAULT_BRANDING_DIR).fonts[:1])
    return _FONTS


class _Styles:
    def __init__(self) -> None:
        fonts = _fonts()
        self.regular = fonts.font_for_text("Aé")
        self.bold = fonts.font_for_text("Aé", bold=True)
        base = dict(fontName=self.regular, textColor=colors.HexColor(TEXT))
        self.title = ParagraphStyle("title", fontSize=20, leading=25, spaceAfter=4,
                                    **{**base, "fontName": self.bold})
        self.heading = ParagraphStyle("heading", fontSize=14, leading=18, spaceBefore=10,
                                      spaceAfter=6, keepWithNext=1,
                                      **{**base, "fontName": self.bold})
        self.body = ParagraphStyle("body", fontSize=10, leading=13, **base)
        self.cell = ParagraphStyle("cell", fontSize=9, leading=11, **base)
        self.header = ParagraphStyle("header", fontSize=8, leading=10,
                                     **{**base, "fontName": self.bold})
        self.note = ParagraphStyle("note", fontSize=9, leading=12, spaceBefore=4,
                                   textColor=colors.HexColor("#4b5563"), fontName=self.regular)


def _bar_drawing(bars: Sequence[Bar], series: Sequence[str], words: Wording,
                 styles: _Styles) -> Drawing:
    """The PDF twin of charts.bar_chart_svg."""
    label_width, value_width, bar_height, gap = 150, 45, 12, 6
    per_bar = max((len(bar.values) for bar in bars), default=1)
    group = per_bar * bar_height + gap
    legend = 16 if len(series) > 1 else 0
    height = legend + group * len(bars) + 4
    values = [value for bar in bars for value in bar.values if isinstance(value, int)]
    largest = max(values, default=0) or 1
    span = WIDTH - label_width - value_width
    drawing = Drawing(WIDTH, height)
    text = colors.HexColor(TEXT)
    if legend:
        x = label_width
        for index, name in enumerate(series):
            drawing.add(Rect(x, height - 11, 9, 9, fillColor=colors.HexColor(COLOURS[index]),
                             strokeColor=None))
            drawing.add(String(x + 13, height - 10, name, fontName=styles.regular, fontSize=8,
                               fillColor=text))
            x += 30 + 5 * len(name)
    for row, bar in enumerate(bars):
        top = height - legend - row * group
        label = bar.label if len(bar.label) <= 32 else bar.label[:31] + "…"
        drawing.add(String(label_width - 6, top - per_bar * bar_height / 2 - 3, label,
                           fontName=styles.regular, fontSize=8, fillColor=text, textAnchor="end"))
        for index, value in enumerate(bar.values):
            y = top - (index + 1) * bar_height
            length = span * value / largest if isinstance(value, int) else 0
            if length:
                drawing.add(Rect(label_width, y + 1, length, bar_height - 2, strokeColor=None,
                                 fillColor=colors.HexColor(COLOURS[index % len(COLOURS)])))
            drawing.add(String(label_width + length + 4, y + 3, words.count(value),
                               fontName=styles.regular, fontSize=8, fillColor=text))
    return drawing


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[float],
           styles: _Styles, total_row: bool = False) -> Table:
    def cell(value: str, style: ParagraphStyle = styles.cell) -> Paragraph:
        return Paragraph(escape(value), style)

    data = [[cell(value, styles.header) for value in header]] + [
        [cell(value) for value in row] for row in rows]
    table = Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
    style = [
        ("FONTNAME", (0, 0), (-1, 0), styles.bold),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e5e7eb")),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#9ca3af")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), PAD),
        ("RIGHTPADDING", (0, 0), (-1, -1), PAD),
    ]
    if total_row:
        style.append(("BACKGROUND", (0, -1), (-1, -1), colors.HexColor("#f3f4f6")))
    table.setStyle(TableStyle(style))
    return table


def _funnel_cells(row: FunnelRow, words: Wording) -> list[str]:
    return [words.count(row.clicks), words.count(row.signups), words.count(row.started),
            words.count(row.finished), words.count(row.certified), words.rate(row)]


def _funnel_table(first: str, rows: Sequence[tuple[str, FunnelRow]], words: Wording,
                  styles: _Styles) -> Table:
    header = [first, words.clicks, words.signups, words.started, words.finished,
              words.certified, words.completion_rate]
    # Each figure column as wide as the longest word of its heading, so words never
    # break; the label column gets the rest.
    widths = [2 * PAD + 2 + max(pdfmetrics.stringWidth(word, styles.bold, 8)
                                for word in name.split()) for name in header[1:]]
    return _table(header, [[label, *_funnel_cells(row, words)] for label, row in rows],
                  [WIDTH - sum(widths), *widths], styles, total_row=True)


def _logo(organisation: OrganisationLike | None) -> Flowable | None:
    data = getattr(organisation, "logo", None)
    if not data or len(data) > MAX_LOGO_BYTES:
        return None
    try:
        reader = ImageReader(io.BytesIO(data))
        width, height = reader.getSize()
    except Exception:  # noqa: BLE001 - an unreadable logo (e.g. SVG) is left out, not fatal
        return None
    scale = min(40 * mm / width, 20 * mm / height)
    return Image(io.BytesIO(data), width=width * scale, height=height * scale, hAlign="LEFT")


def report_pdf(report: OrganisationReport | PlatformReport,
               organisation: OrganisationLike | None, locale: str) -> bytes:
    """The report as PDF bytes, in `locale`. `organisation` gives the name and logo
    (None for the platform report)."""
    words = wording(locale)
    styles = _Styles()
    name = organisation.name if organisation is not None else (
        report.organisation_name if isinstance(report, OrganisationReport) else words.platform)
    story: list[Flowable] = []
    logo = _logo(organisation)
    if logo is not None:
        story += [logo, Spacer(1, 4 * mm)]
    story.append(Paragraph(escape(name), styles.title))
    story.append(Paragraph(escape(report.course_title), styles.body))
    story.append(Paragraph(escape(words.period_text(report.start, report.end)), styles.body))
    if report.suppressed:
        story.append(Paragraph(escape(words.suppressed_note), styles.note))

    bars = funnel_bars(report, words)
    story.append(KeepTogether([
        Paragraph(escape(words.funnel_title), styles.heading),
        _bar_drawing(bars, (), words, styles), Spacer(1, 3 * mm),
        _table(["", words.total], [[bar.label, words.count(bar.values[0])] for bar in bars]
               + [[words.completion_rate, words.rate(report.total)]],
               [150, 80], styles)]))

    if isinstance(report, OrganisationReport):
        rows = [(words.row_label(row), row) for row in report.links] + [
            (words.total, report.total)]
        story.append(Paragraph(escape(words.links_title), styles.heading))
        story.append(_funnel_table(words.link, rows, words, styles))

    story.append(KeepTogether([
        Paragraph(escape(words.chapters_title), styles.heading),
        _bar_drawing(chapter_bars(report), (words.opened, words.completed), words, styles),
        Spacer(1, 3 * mm),
        _table([words.chapter, words.opened, words.completed],
               [[f"{row.position}. {row.title}", words.count(row.opened),
                 words.count(row.completed)] for row in report.chapters],
               [WIDTH - 160, 80, 80], styles)]))

    if isinstance(report, PlatformReport):
        weeks = [Bar(week_label(w.year, w.week), (w.signups,)) for w in report.signups_per_week]
        story.append(Paragraph(escape(words.weeks_title), styles.heading))
        # A drawing cannot break across pages: a long period is drawn in parts.
        for first in range(0, len(weeks), WEEKS_PER_DRAWING):
            story.append(_bar_drawing(weeks[first:first + WEEKS_PER_DRAWING], (), words, styles))
        story.append(Paragraph(escape(words.ranking_title), styles.heading))
        rows = [(f"{item.rank}. {item.row.label}", item.row) for item in report.organisations]
        story.append(_funnel_table(words.organisation, rows + [(words.total, report.total)],
                                   words, styles))

    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=18 * mm,
        bottomMargin=18 * mm, title=f"{name} — {words.period_text(report.start, report.end)}",
        author=name, lang=words.locale)
    document.build(story)
    return buffer.getvalue()
