"""Checking an organisation's uploaded logo: PNG, JPEG or SVG, at most 200 KB. No Flask here.

This is the one entry point for logo bytes from outside: the size is checked
before anything parses them, raster images are decoded with Pillow under a pixel
cap, and SVG (which a browser would run as a document) is refused if it holds
anything active or external: scripts, event handlers, foreign objects, links
other than to its own fragments or embedded images, or a DOCTYPE (entity
expansion). Logos are then served with a sandboxing Content-Security-Policy as well.
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET  # noqa: S405 - DOCTYPE refused before parsing, see below

MAX_LOGO_BYTES = 200 * 1024
MAX_LOGO_PIXELS = 4096 * 4096

_SVG_FORBIDDEN_TAGS = {"script", "foreignobject", "iframe", "embed", "object", "audio", "video"}
_HREF = re.compile(r"(^|})href$")
_SAFE_HREF = re.compile(r"^(#|data:image/(png|jpeg|gif|webp);base64,)", re.I)


class InvalidLogo(ValueError):
    """The file is not a logo we accept; the message says why (in English, for logs)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # too_large | not_an_image | unsafe_svg


def checked_logo(data: bytes) -> str:
    """The logo's content type (image/png, image/jpeg, image/svg+xml); raises InvalidLogo."""
    if len(data) > MAX_LOGO_BYTES:
        raise InvalidLogo("too_large")
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        _check_raster(data, "PNG")
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        _check_raster(data, "JPEG")
        return "image/jpeg"
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<?xml", b"<svg", b"<!--")):
        _check_svg(data)
        return "image/svg+xml"
    raise InvalidLogo("not_an_image")


def _check_raster(data: bytes, expected: str) -> None:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format != expected or image.width * image.height > MAX_LOGO_PIXELS:
                raise InvalidLogo("not_an_image")
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        if isinstance(error, InvalidLogo):
            raise
        raise InvalidLogo("not_an_image") from None


def _check_svg(data: bytes) -> None:
    # No DOCTYPE, hence no entities to expand: ElementTree then parses plain XML only.
    if b"<!doctype" in data.lower() or b"<!entity" in data.lower():
        raise InvalidLogo("unsafe_svg")
    try:
        root = ET.fromstring(data)  # noqa: S314 - see above
    except ET.ParseError:
        raise InvalidLogo("not_an_image") from None
    if _local(root.tag) != "svg":
        raise InvalidLogo("not_an_image")
    for element in root.iter():
        if _local(element.tag).lower() in _SVG_FORBIDDEN_TAGS:
            raise InvalidLogo("unsafe_svg")
        for name, value in element.attrib.items():
            local = _local(name).lower()
            if local.startswith("on"):
                raise InvalidLogo("unsafe_svg")
            if _HREF.search(name) and not _SAFE_HREF.match(value.strip()):
                raise InvalidLogo("unsafe_svg")
            if "url(" in value.lower() and "url(#" not in value.lower().replace(" ", ""):
                raise InvalidLogo("unsafe_svg")
        if _local(element.tag) == "style" and ("@import" in (element.text or "")
                                               or "url(" in (element.text or "")):
            raise InvalidLogo("unsafe_svg")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""
