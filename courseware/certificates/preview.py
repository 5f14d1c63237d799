"""The 1200x630 PNG card shown when a verification link is shared (Open Graph),
and on the certificate page, where a phone gets it at half the size (srcset)."""

from __future__ import annotations

import io
import unicodedata
from datetime import UTC
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from .fonts import fonts_for_layout
from .layout import FontSpec, Layout
from .pdf import EMBLEM_EDGES, EMBLEM_NODES
from .snapshot import CertificateSnapshot

WIDTH, HEIGHT = 1200, 630
# The widths the page offers in its srcset; the full width is the link card's.
PREVIEW_WIDTHS = (600, WIDTH)


@lru_cache(maxsize=64)
def _font(path: Path, index: int, size: int) -> ImageFont.FreeTypeFont:
    # Raqm (bundled with Pillow wheels) shapes Arabic and orders it right to left.
    return ImageFont.truetype(str(path), size, index=index, layout_engine=ImageFont.Layout.RAQM)


def _spec_for(layout: Layout, text: str, bold: bool) -> tuple[Path, int]:
    name = fonts_for_layout(layout).font_for_text(text, bold)
    spec: FontSpec = next(s for s in layout.fonts if name in (s.name, f"{s.name}-Bold"))
    path = spec.bold if (bold and spec.bold is not None) else spec.file
    return path, spec.subfont


def _centred(draw: ImageDraw.ImageDraw, layout: Layout, text: str, y: int, size: int,
             min_size: int, colour: str, bold: bool = False) -> None:
    path, index = _spec_for(layout, text, bold)
    while True:
        font = _font(path, index, size)
        width = draw.textlength(text, font=font)
        if width <= WIDTH - 160 or size <= min_size:
            break
        size -= 2
    draw.text((WIDTH / 2, y), text, font=font, fill=colour, anchor="mm")


def render_preview_png(snapshot: CertificateSnapshot, layout: Layout, width: int = WIDTH) -> bytes:
    """Render the Open Graph card: title, name, course and date, `width` pixels
    wide (one of PREVIEW_WIDTHS). Deterministic: same record, same bytes."""
    if width not in PREVIEW_WIDTHS:
        raise ValueError(f"preview width {width} is not one of {PREVIEW_WIDTHS}")
    colours = layout.colours
    wording = layout.wording_for(snapshot.course_language)
    image = Image.new("RGB", (WIDTH, HEIGHT), colours["paper"])
    draw = ImageDraw.Draw(image)
    draw.rectangle((18, 18, WIDTH - 19, HEIGHT - 19), outline=colours["accent"], width=6)
    draw.rectangle((34, 34, WIDTH - 35, HEIGHT - 35), outline=colours["gold"], width=2)
    cx, cy, r = WIDTH // 2, 105, 34
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=colours["accent"])
    draw.ellipse((cx - r - 7, cy - r - 7, cx + r + 7, cy + r + 7), outline=colours["gold"], width=2)
    for a, b in EMBLEM_EDGES:  # image y grows downwards: flip the PDF's y
        (ax, ay), (bx, by) = EMBLEM_NODES[a], EMBLEM_NODES[b]
        draw.line((cx + ax * r, cy - ay * r, cx + bx * r, cy - by * r), fill=colours["paper"], width=2)
    dot = r * 0.11
    for nx, ny in EMBLEM_NODES:
        x, y = cx + nx * r, cy - ny * r
        draw.ellipse((x - dot, y - dot, x + dot, y + dot), fill=colours["paper"])
    name = unicodedata.normalize("NFC", snapshot.printed_name)
    course = unicodedata.normalize("NFC", snapshot.course_title)
    issued = snapshot.issued_at.astimezone(UTC)
    _centred(draw, layout, wording.title, 200, 54, 30, colours["accent"], bold=True)
    _centred(draw, layout, wording.awarded_to, 262, 28, 20, colours["muted"])
    _centred(draw, layout, name, 335, 72, 28, colours["ink"], bold=True)
    _centred(draw, layout, wording.completion_for(snapshot.graded), 410, 26, 18, colours["muted"])
    _centred(draw, layout, course, 460, 38, 20, colours["accent"], bold=True)
    _centred(draw, layout, wording.issued_on.format(
        date=wording.date(issued.day, issued.month, issued.year)), 530, 26, 18, colours["ink"])
    _centred(draw, layout, snapshot.public_id, 575, 22, 16, colours["muted"])
    if width != WIDTH:
        image = image.resize((width, round(HEIGHT * width / WIDTH)), Image.Resampling.LANCZOS)
    # A few flat colours and anti-aliased text: 64 palette colours look the same
    # and weigh a third (1200 px: 48 -> 18 KB; 600 px: 49 -> 15 KB), for ~50 ms once.
    image = image.quantize(colors=64, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
