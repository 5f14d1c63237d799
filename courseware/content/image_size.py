"""The intrinsic size of a chapter image, read once at load time.

Images given `width` and `height` keep their place while they load, so the
text a learner is reading does not jump (layout shift on a slow phone). Only
the file's first bytes are read: PNG, GIF and SVG say their size in a header,
JPEG in a frame marker near the start.
"""

from __future__ import annotations

import re
import struct
from pathlib import Path

# Enough for an SVG root element with a long `<?xml ...?>`/comment before it,
# and for a JPEG's EXIF block before its frame header in ordinary photos.
_HEAD_BYTES = 64 * 1024
_SVG_ROOT = re.compile(rb"<svg\b[^>]*>", re.IGNORECASE | re.DOTALL)
_NUMBER = r"\s*([0-9]+(?:\.[0-9]+)?)\s*(?:px)?\s*"


def image_size(path: Path) -> tuple[int, int] | None:
    """(width, height) in CSS pixels, or None when the file does not say (or is unreadable)."""
    try:
        with path.open("rb") as handle:
            head = handle.read(_HEAD_BYTES)
    except OSError:
        return None
    if head.startswith(b"\x89PNG\r\n\x1a\n") and len(head) >= 24:
        width, height = struct.unpack(">II", head[16:24])
    elif head[:6] in (b"GIF87a", b"GIF89a") and len(head) >= 10:
        width, height = struct.unpack("<HH", head[6:10])
    elif head.startswith(b"\xff\xd8"):
        size = _jpeg_size(head)
        if size is None:
            return None
        width, height = size
    elif path.suffix.lower() == ".svg":
        size = _svg_size(head)
        if size is None:
            return None
        width, height = size
    else:
        return None
    return (width, height) if width > 0 and height > 0 else None


def _svg_size(head: bytes) -> tuple[int, int] | None:
    root = _SVG_ROOT.search(head)
    if root is None:
        return None
    tag = root.group(0).decode("utf-8", "replace")
    width = re.search(rf'\swidth\s*=\s*["\']{_NUMBER}["\']', tag)
    height = re.search(rf'\sheight\s*=\s*["\']{_NUMBER}["\']', tag)
    if width and height:
        return round(float(width.group(1))), round(float(height.group(1)))
    view_box = re.search(r'\sviewBox\s*=\s*["\']([^"\']+)["\']', tag)
    if view_box:
        parts = view_box.group(1).replace(",", " ").split()
        try:
            return round(float(parts[2])), round(float(parts[3]))
        except (IndexError, ValueError):
            return None
    return None


def _jpeg_size(head: bytes) -> tuple[int, int] | None:
    index = 2
    while index + 9 < len(head):
        if head[index] != 0xFF:
            return None
        marker = head[index + 1]
        if marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF):
            height, width = struct.unpack(">HH", head[index + 5:index + 9])
            return width, height
        (length,) = struct.unpack(">H", head[index + 2:index + 4])
        index += 2 + length
    return None
