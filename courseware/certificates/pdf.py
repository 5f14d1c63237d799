"""Rendering the (unsigned) certificate PDF: A4 landscape, vector, deterministic."""

from __future__ import annotations

import io
import unicodedata
from datetime import UTC, datetime

import segno
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.utils import TimeStamp
from reportlab.pdfgen.canvas import Canvas

from .fonts import FontSet, ShapedText, fonts_for_layout
from .layout import Layout
from .snapshot import CertificateSnapshot

PAGE_WIDTH, PAGE_HEIGHT = landscape(A4)
KEYWORD_PREFIX = "certificate-id:"


def _actual_text(logical: str) -> str:
    """PDF marked-content operator giving extractors the real text of shaped RTL glyphs.

    Shaped Arabic glyphs map to presentation forms, so copy/paste would not give the
    name back. Poppler spreads /ActualText over the glyphs left to right and then
    reorders right-to-left runs like drawn glyphs, so it is given in visual order.
    """
    visual = logical[::-1]
    hex_text = "FEFF" + visual.encode("utf-16-be").hex().upper()
    return f"/Span <</ActualText <{hex_text}>>> BDC"


class _Page:
    def __init__(self, canvas: Canvas, layout: Layout, fonts: FontSet):
        self.c = canvas
        self.layout = layout
        self.fonts = fonts

    def colour(self, key: str) -> HexColor:
        return HexColor(self.layout.colours[key])

    def text(self, shaped: ShapedText, x: float, y: float, colour: str, align: str = "centre") -> None:
        c = self.c
        start = {"centre": x - shaped.width / 2, "left": x, "right": x - shaped.width}[align]
        c.setFillColor(self.colour(colour))
        if shaped.right_to_left:
            c.addLiteral(_actual_text(shaped.logical))
        t = c.beginText(start, y)
        t.setFont(shaped.font, shaped.size)
        t.textOut(shaped.drawable)
        c.drawText(t)
        if shaped.right_to_left:
            c.addLiteral("EMC")

    def fitted(self, text: str, size: float, min_size: float, width: float, bold: bool) -> list[ShapedText]:
        """One line shrunk to fit ``width``; two balanced lines if even ``min_size`` is too big."""
        shaped = self.fonts.shape(text, size, bold)
        if shaped.width <= width:
            return [shaped]
        scaled = max(min_size, size * width / shaped.width * 0.995)
        shaped = self.fonts.shape(text, scaled, bold)
        if shaped.width <= width:
            return [shaped]
        words = text.split()
        if len(words) > 1:
            best = min(range(1, len(words)), key=lambda i: abs(
                len(" ".join(words[:i])) - len(" ".join(words[i:]))))
            lines = [" ".join(words[:best]), " ".join(words[best:])]
            shaped_lines = [self.fonts.shape(line, min_size, bold) for line in lines]
            widest = max(s.width for s in shaped_lines)
            if widest <= width:
                return shaped_lines
            return [self.fonts.shape(line, min_size * width / widest, bold) for line in lines]
        return [self.fonts.shape(text, size * width / self.fonts.shape(text, size, bold).width, bold)]


def _frame(page: _Page) -> None:
    c, m = page.c, page.layout.margins
    c.setFillColor(page.colour("paper"))
    c.rect(0, 0, PAGE_WIDTH, PAGE_HEIGHT, stroke=0, fill=1)
    c.setStrokeColor(page.colour("accent"))
    c.setLineWidth(2.6)
    c.rect(m, m, PAGE_WIDTH - 2 * m, PAGE_HEIGHT - 2 * m, stroke=1, fill=0)
    inset = m + 7
    c.setStrokeColor(page.colour("gold"))
    c.setLineWidth(0.8)
    c.rect(inset, inset, PAGE_WIDTH - 2 * inset, PAGE_HEIGHT - 2 * inset, stroke=1, fill=0)
    c.setFillColor(page.colour("gold"))
    for x in (inset, PAGE_WIDTH - inset):
        for y in (inset, PAGE_HEIGHT - inset):
            path = c.beginPath()
            path.moveTo(x, y - 6)
            path.lineTo(x + 6, y)
            path.lineTo(x, y + 6)
            path.lineTo(x - 6, y)
            path.close()
            c.drawPath(path, stroke=0, fill=1)


def _centred_lines(page: _Page, lines: list[ShapedText], centre: float, top: float, colour: str,
                   leading: float) -> None:
    """Draw shrunk-to-fit lines one under the other, `leading` times their size apart."""
    y = top
    for line in lines:
        page.text(line, centre, y, colour)
        y -= line.size * leading


# The emblem's network, in units of its radius (y up); the PNG preview draws it too.
EMBLEM_NODES = ((-0.5, 0.35), (-0.5, -0.35), (0.0, 0.5), (0.0, 0.0), (0.0, -0.5), (0.5, 0.0))
EMBLEM_EDGES = ((0, 2), (0, 3), (1, 3), (1, 4), (2, 5), (3, 5), (4, 5), (0, 4), (1, 2))


def _emblem(page: _Page, cx: float, cy: float, r: float) -> None:
    """The built-in vector emblem: a small network of nodes in a ringed disc."""
    c = page.c
    c.setFillColor(page.colour("accent"))
    c.circle(cx, cy, r, stroke=0, fill=1)
    c.setStrokeColor(page.colour("gold"))
    c.setLineWidth(1.2)
    c.circle(cx, cy, r + 4, stroke=1, fill=0)
    c.setStrokeColor(page.colour("paper"))
    c.setLineWidth(0.9)
    for a, b in EMBLEM_EDGES:
        (ax, ay), (bx, by) = EMBLEM_NODES[a], EMBLEM_NODES[b]
        c.line(cx + ax * r, cy + ay * r, cx + bx * r, cy + by * r)
    c.setFillColor(page.colour("paper"))
    for nx, ny in EMBLEM_NODES:
        c.circle(cx + nx * r, cy + ny * r, r * 0.11, stroke=0, fill=1)


def _qr(page: _Page, url: str, x: float, y: float, size: float) -> None:
    """Draw the QR code of ``url`` as one vector path (runs of dark modules per row).

    segno computes the matrix ~20x faster than reportlab's QR widget.
    """
    matrix = segno.make_qr(url, error="m", boost_error=False).matrix
    module = size / len(matrix)
    path = page.c.beginPath()
    for row_index, row in enumerate(matrix):
        top = y + size - (row_index + 1) * module
        start = None
        for col, dark in enumerate([*row, 0]):
            if dark and start is None:
                start = col
            elif not dark and start is not None:
                path.rect(x + start * module, top, (col - start) * module, module)
                start = None
    page.c.setFillColor(page.colour("ink"))
    page.c.drawPath(path, stroke=0, fill=1)


def _pinned_timestamp(moment: datetime) -> TimeStamp:
    """A reportlab timestamp (CreationDate and ModDate) at `moment`, in UTC."""
    stamp = TimeStamp(invariant=1)  # UTC, no offset
    utc = moment.astimezone(UTC).replace(microsecond=0)
    stamp.t = utc.timestamp()
    stamp.lt = utc.timetuple()
    stamp.YMDhms = tuple(stamp.lt)[:6]
    return stamp


def render_certificate_pdf(snapshot: CertificateSnapshot, layout: Layout, identity: object = None) -> bytes:
    """Render the unsigned certificate PDF; identical input gives identical bytes.

    ``identity`` is accepted for symmetry with signing and is not used: the page
    shows nothing that depends on the key.
    """
    fonts = fonts_for_layout(layout)
    wording = layout.wording_for(snapshot.course_language)
    name = unicodedata.normalize("NFC", snapshot.printed_name.strip())
    course = unicodedata.normalize("NFC", snapshot.course_title.strip())
    issued = snapshot.issued_at.astimezone(UTC)
    date_text = wording.date(issued.day, issued.month, issued.year)

    buffer = io.BytesIO()
    c = Canvas(buffer, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), invariant=1, pageCompression=1,
               initialFontName=fonts.default, initialFontSize=12)
    # Invariant mode pins every date to 1 January 2000 (for reproducible bytes);
    # the issue date is just as fixed and is the date the document was made.
    c._doc._timeStamp = _pinned_timestamp(issued)  # noqa: SLF001 - reportlab has no setter
    c.setTitle(f"{wording.title} — {name}")
    c.setAuthor(snapshot.issuer)
    c.setSubject(wording.pdf_subject.format(course=course))
    c.setKeywords(f"{KEYWORD_PREFIX}{snapshot.public_id}")
    c.setCreator("courseware")
    c.setProducer("courseware")
    page = _Page(c, layout, fonts)
    s = layout.sizes
    centre = PAGE_WIDTH / 2
    text_width = PAGE_WIDTH - 2 * (layout.margins + 90)

    _frame(page)
    if layout.logo is not None:
        c.drawImage(str(layout.logo), centre - 28, 478, 56, 56, mask="auto",
                    preserveAspectRatio=True, anchor="c")
    else:
        _emblem(page, centre, 506, 22)

    page.text(fonts.shape(wording.title, s["title"], bold=True), centre, 430, "accent")
    c.setStrokeColor(page.colour("gold"))
    c.setLineWidth(1)
    c.line(centre - 60, 417, centre + 60, 417)
    page.text(fonts.shape(wording.awarded_to, s["body"] + 1), centre, 385, "muted")

    name_lines = page.fitted(name, s["name"], s["name_min"], text_width, bold=True)
    _centred_lines(page, name_lines, centre, 338 if len(name_lines) == 1 else 352, "ink", 1.15)
    c.setStrokeColor(page.colour("muted"))
    c.setLineWidth(0.5)
    c.line(centre - 200, 322, centre + 200, 322)

    page.text(fonts.shape(wording.completion_for(snapshot.graded), s["body"] + 1), centre, 292, "muted")
    course_lines = page.fitted(course, s["course"], s["course_min"], text_width, bold=True)
    _centred_lines(page, course_lines, centre, 262 if len(course_lines) == 1 else 270, "accent", 1.2)
    details = (wording.duration.format(duration=wording.duration_text(snapshot.duration_minutes))
               + "   ·   " + wording.issued_on.format(date=date_text))
    page.text(fonts.shape(details, s["body"]), centre, 218, "ink")

    left = layout.margins + 40
    page.text(fonts.shape(wording.issued_by, s["small"]), left, 150, "muted", "left")
    issuer_lines = page.fitted(snapshot.issuer, s["body"] + 2, s["small"], 250, bold=True)
    y = 132
    for line in issuer_lines:
        page.text(line, left, y, "ink", "left")
        y -= line.size * 1.2
    page.text(fonts.shape(wording.identifier, s["small"]), left, 96, "muted", "left")
    page.text(fonts.shape(snapshot.public_id, s["body"] + 1, bold=True), left, 80, "ink", "left")

    qr = s["qr"]
    qr_x = PAGE_WIDTH - layout.margins - 40 - qr
    _qr(page, snapshot.verify_url, qr_x, 72, qr)
    verify = page.fitted(wording.verify.format(url=snapshot.verify_url), s["small"], 5, 300, False)
    page.text(verify[0], qr_x + qr, 60, "muted", "right")
    page.text(fonts.shape(wording.signed_note, s["small"] - 1), centre, 48, "muted")

    c.showPage()
    c.save()
    return buffer.getvalue()
