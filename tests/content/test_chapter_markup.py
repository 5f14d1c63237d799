"""What chapter HTML gives the browser beyond the text: image sizes, named tables."""

from __future__ import annotations

import re
import struct
import zlib
from pathlib import Path

from courseware.content import load_course
from courseware.content.image_size import image_size
from tests.helpers import write_course

SECTION = "## Les familles\n\n"
TABLE = "| Famille | Exemple | Année |\n|---|---|---|\n| a | b | c |\n"


def png(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b"")


def course_with(tmp_path: Path, body: str):
    folder = write_course(tmp_path / "basics", chapters={"01-a.md": ("A", body)})
    (folder / "images" / "photo.png").write_bytes(png(1200, 675))
    (folder / "images" / "sized.svg").write_text(
        '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="760" height="300">'
        "<title>t</title></svg>", encoding="utf-8")
    course, problems = load_course(folder)
    assert not problems, problems
    return course.chapters[0].html


def test_chapter_images_carry_their_width_and_height(tmp_path):
    html = course_with(tmp_path, "![Une photo](images/photo.png)\n\n![Un schéma](images/sized.svg)\n\n"
                                 "![Un autre](images/diagram.svg)\n")
    images = re.findall(r"<img [^>]+>", html)
    assert 'width="1200" height="675"' in images[0]
    assert 'width="760" height="300"' in images[1]
    assert 'width="10" height="10"' in images[2]  # from the viewBox


def test_an_image_that_does_not_say_its_size_gets_none(tmp_path):
    (tmp_path / "odd.svg").write_text("<svg><title>no size</title></svg>", encoding="utf-8")
    (tmp_path / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (tmp_path / "text.webp").write_bytes(b"not an image")
    assert [image_size(tmp_path / name) for name in ("odd.svg", "broken.png", "text.webp",
                                                     "missing.png")] == [None] * 4


def test_data_tables_are_named_by_their_section_and_scroll_in_a_labelled_region(tmp_path):
    html = course_with(tmp_path, SECTION + TABLE + "\n## Suite\n\n| x | y |\n|---|---|\n| 1 | 2 |\n")
    first, second = re.findall(r'<div class="table-scroll[^"]*"[^>]*><table>\s*<caption[^>]*>[^<]*',
                               html)
    assert 'class="table-scroll table-wide"' in first and 'tabindex="0"' in first
    assert 'aria-labelledby="table-1-caption"' in first
    assert first.endswith('<caption id="table-1-caption">Tableau\u00a0: Les familles')
    assert second.endswith("Tableau\u00a0: Suite") and "table-wide" not in second
    assert html.count('<p class="table-hint" aria-hidden="true">Faites défiler') == 2


def test_a_table_before_any_heading_is_numbered(tmp_path):
    html = course_with(tmp_path, TABLE)
    assert '<caption id="table-1-caption">Tableau 1</caption>' in html
