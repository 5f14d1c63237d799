"""Printable material for a tracking link: its QR code (SVG) and an A4 poster (PDF). No Flask here.

The poster's QR code is drawn as vector squares from segno's matrix, so it
stays sharp at any print size; the short address is printed large beside it
for those who type rather than scan.
"""

from __future__ import annotations

import io
import threading
from dataclasses import dataclass

import segno
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from ..certificates.fonts import DEFAULT_BRANDING_DIR

_FONTS = {"Poster-Regular": "NotoSans-Regular.ttf", "Poster-Bold": "NotoSans-Bold.ttf"}
_LOCK = threading.Lock()


def qr_svg(url: str) -> bytes:
    """The link's QR code as a standalone SVG (scales without blur)."""
    buffer = io.BytesIO()
    # Error correction M survives a crease or a smudge; the quiet zone is part of the image.
    segno.make(url, error="m", micro=False).save(
        buffer, kind="svg", scale=8, border=4, xmldecl=True, svgns=True,
        title=url, nl=True)
    return buffer.getvalue()


@dataclass(frozen=True)
class PosterText:
    """The poster's words in the reader's language (the web layer translates them)."""

    heading: str  # e.g. "Learn the basics of AI"
    scan: str  # e.g. "Scan the code or type the address:"
    free: str  # e.g. "Free, at your own pace."


def _register_fonts() -> None:
    with _LOCK:
        registered = set(pdfmetrics.getRegisteredFontNames())
        for name, file in _FONTS.items():
            if name not in registered:
                pdfmetrics.registerFont(TTFont(name, str(DEFAULT_BRANDING_DIR / "fonts" / file)))


def poster_pdf(*, organisation_name: str, logo: bytes | None, logo_type: str | None,
               label: str, url: str, text: PosterText) -> bytes:
    """An A4 portrait poster: logo and organisation, the population, a big QR code,
    the short address in large type. SVG logos are left out (reportlab draws
    only raster images); PNG and JPEG logos are drawn at most 40 mm high."""
    _register_fonts()
    buffer = io.BytesIO()
    width, height = A4
    canvas = Canvas(buffer, pagesize=A4, invariant=True)
    canvas.setTitle(f"{organisation_name}: {label}")
    canvas.setAuthor(organisation_name)
    margin = 20 * mm
    y = height - margin

    if logo and logo_type in ("image/png", "image/jpeg"):
        image = ImageReader(io.BytesIO(logo))
        image_width, image_height = image.getSize()
        scale = min(40 * mm / image_height, (width - 2 * margin) / image_width)
        drawn_width, drawn_height = image_width * scale, image_height * scale
        canvas.drawImage(image, (width - drawn_width) / 2, y - drawn_height, drawn_width,
                         drawn_height, mask="auto")
        y -= drawn_height + 8 * mm

    y = _centred(canvas, organisation_name, "Poster-Bold", 26, width, y, margin)
    y = _centred(canvas, label, "Poster-Regular", 18, width, y - 2 * mm, margin)
    y = _centred(canvas, text.heading, "Poster-Bold", 30, width, y - 10 * mm, margin)

    qr = segno.make(url, error="m", micro=False)
    modules = qr.symbol_size(scale=1, border=4)[0]
    side = min(100 * mm, y - 75 * mm)
    module = side / modules
    left, top = (width - side) / 2, y - 8 * mm
    canvas.setFillColorRGB(0, 0, 0)
    for row_index, row in enumerate(qr.matrix_iter(scale=1, border=4)):
        for column_index, dark in enumerate(row):
            if dark:
                canvas.rect(left + column_index * module, top - (row_index + 1) * module,
                            module, module, stroke=0, fill=1)
    y = top - side - 10 * mm

    y = _centred(canvas, text.scan, "Poster-Regular", 16, width, y, margin)
    shown = url.split("://", 1)[-1]
    _centred(canvas, shown, "Poster-Bold", _fitting_size(shown, "Poster-Bold", 40,
                                                          width - 2 * margin), width, y - 6 * mm,
             margin)
    canvas.setFont("Poster-Regular", 14)
    canvas.drawCentredString(width / 2, margin, text.free)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _fitting_size(text: str, font: str, size: float, room: float) -> float:
    while size > 10 and pdfmetrics.stringWidth(text, font, size) > room:
        size -= 1
    return size


def _centred(canvas: Canvas, text: str, font: str, size: float, width: float, y: float,
             margin: float) -> float:
    """Draw `text` centred on lines that fit between the margins; returns the y below it."""
    room = width - 2 * margin
    lines: list[str] = []
    for word in text.split():
        candidate = f"{lines[-1]} {word}" if lines else word
        if lines and pdfmetrics.stringWidth(candidate, font, size) <= room:
            lines[-1] = candidate
        else:
            lines.append(word)
    canvas.setFont(font, size)
    for line in lines or [""]:
        y -= size * 1.2
        canvas.drawCentredString(width / 2, y, line)
    return y
