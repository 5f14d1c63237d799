"""The shipped fonts: registration with reportlab, coverage, and Arabic shaping.

reportlab has no per-glyph fallback, so each string is drawn in the first font
whose cmap covers all of it; names that no font covers are refused up front.
"""

from __future__ import annotations

import hashlib
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import ShapedStr, TTFont, shapeStr

from .layout import FontSpec, Layout, load_layout

# Inside the package, so a wheel (pip install .) ships it; COURSEWARE_CERTIFICATES_DIR
# points to an organisation's own copy instead.
DEFAULT_BRANDING_DIR = Path(__file__).resolve().parent / "branding"

_REGISTERED: dict[str, tuple[str, int]] = {}  # reportlab name -> (SHA-256 of the file, subfont)
_LOCK = threading.Lock()

# Scripts that need contextual shaping and right-to-left ordering.
_RTL_RANGES = ((0x0590, 0x08FF), (0xFB1D, 0xFDFF), (0xFE70, 0xFEFF))


def needs_shaping(text: str) -> bool:
    """True when ``text`` contains Hebrew/Arabic letters (joined and drawn right to left)."""
    return any(lo <= ord(ch) <= hi for ch in text for lo, hi in _RTL_RANGES)


def _register(name: str, path: Path, subfont: int) -> TTFont:
    """Register a TTF with reportlab once per process (idempotent, thread-safe).

    reportlab's registry is global: an organisation's copy of the shipped branding
    reuses the font names. The same file (by content) shares the registration; a
    different file under a taken name is registered under that name plus its digest.
    """
    identity = (hashlib.sha256(path.read_bytes()).hexdigest(), subfont)
    with _LOCK:
        registered = name
        if _REGISTERED.get(registered, identity) != identity:
            registered = f"{name}-{identity[0][:12]}"
        if registered in _REGISTERED:
            return pdfmetrics.getFont(registered)
        font = TTFont(registered, str(path), subfontIndex=subfont)
        pdfmetrics.registerFont(font)
        _REGISTERED[registered] = identity
        return font


@dataclass(frozen=True)
class _Face:
    regular: str
    bold: str
    codepoints: frozenset[int]


@dataclass(frozen=True)
class ShapedText:
    """A string ready to draw: glyph order for display, width, and the logical text."""

    drawable: str  # a reportlab ShapedStr for shaped text, else the text itself
    width: float
    logical: str
    font: str
    size: float
    right_to_left: bool


class FontSet:
    """The fonts of one branding folder, registered with reportlab."""

    def __init__(self, specs: tuple[FontSpec, ...]):
        faces = []
        for spec in specs:
            regular = _register(spec.name, spec.file.resolve(), spec.subfont)
            bold_name = regular.fontName
            if spec.bold is not None:
                bold_name = _register(f"{spec.name}-Bold", spec.bold.resolve(), spec.subfont).fontName
            faces.append(_Face(regular.fontName, bold_name, frozenset(regular.face.charToGlyph)))
        self._faces = tuple(faces)

    @property
    def default(self) -> str:
        return self._faces[0].regular

    def font_for_text(self, text: str, bold: bool = False) -> str:
        """Name of the first font covering every character of ``text`` (the first font if none)."""
        needed = {ord(ch) for ch in text if not ch.isspace()}
        for face in self._faces:
            if needed <= face.codepoints:
                return face.bold if bold else face.regular
        return self._faces[0].bold if bold else self._faces[0].regular

    def unsupported_characters(self, text: str) -> set[str]:
        """Characters of ``text`` that no single shipped font can draw together with the rest.

        Empty when one font covers the whole string. Otherwise the characters
        missing from the font that covers the most of it.
        """
        needed = {ord(ch) for ch in unicodedata.normalize("NFC", text) if not ch.isspace()}
        best = min((needed - face.codepoints for face in self._faces), key=len)
        return {chr(cp) for cp in best}

    def shape(self, text: str, size: float, bold: bool = False) -> ShapedText:
        """Pick the font for ``text`` and shape it (joined Arabic, visual order) for drawing."""
        font = self.font_for_text(text, bold)
        if needs_shaping(text):
            # HarfBuzz (through reportlab) joins the letters and returns glyphs in
            # visual (left-to-right) order, with their advances.
            shaped = shapeStr(text, font, size, force=True)
            if isinstance(shaped, ShapedStr):
                width = sum(float(d.x_advance) for d in shaped.__shapeData__) * size / 1000
                return ShapedText(shaped, width, text, font, size, True)
        width = pdfmetrics.stringWidth(text, font, size)
        return ShapedText(text, width, text, font, size, False)


_DEFAULT: FontSet | None = None


def default_fonts() -> FontSet:
    """The fonts of the shipped branding folder, loaded once per process."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = fonts_for_layout(load_layout(DEFAULT_BRANDING_DIR))
    return _DEFAULT


_BY_FOLDER: dict[Path, FontSet] = {}


def fonts_for_layout(layout: Layout) -> FontSet:
    """The (cached) :class:`FontSet` for a loaded layout."""
    key = layout.folder.resolve()
    found = _BY_FOLDER.get(key)
    if found is None:
        found = _BY_FOLDER[key] = FontSet(layout.fonts)
    return found


def font_for_text(text: str) -> str:
    """Name of the shipped font that covers the whole of ``text``."""
    return default_fonts().font_for_text(text)


def unsupported_characters(name: str, fonts: FontSet | None = None) -> set[str]:
    """Characters of a name (normalised to NFC) that no font of ``fonts`` can print.

    ``fonts`` are the configured branding's (:func:`fonts_for_layout`); without
    them, the shipped branding's.
    """
    return (fonts or default_fonts()).unsupported_characters(name)
