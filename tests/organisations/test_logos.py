"""Uploaded logos: what is accepted and what is refused, before anything is stored."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from courseware.organisations.logos import InvalidLogo, checked_logo


def raster(kind: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), (10, 120, 60)).save(buffer, kind)
    return buffer.getvalue()


@pytest.mark.parametrize(("data", "content_type"), [
    (raster("PNG"), "image/png"),
    (raster("JPEG"), "image/jpeg"),
    (b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><defs><linearGradient '
     b'id="g"/></defs><rect fill="url(#g)" width="4" height="4"/></svg>', "image/svg+xml"),
    (b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
     b'<image xlink:href="data:image/png;base64,iVBORw0KGgo="/><use href="#a"/></svg>',
     "image/svg+xml"),
])
def test_accepted(data, content_type):
    assert checked_logo(data) == content_type


@pytest.mark.parametrize(("data", "reason"), [
    (b"", "not_an_image"),
    (b"%PDF-1.7", "not_an_image"),
    (raster("PNG")[:40], "not_an_image"),
    (b"\0" * (200 * 1024 + 1), "too_large"),
    (b"<svg xmlns='http://www.w3.org/2000/svg'><foreignObject/></svg>", "unsafe_svg"),
    (b"<svg xmlns='http://www.w3.org/2000/svg'><a href='javascript:alert(1)'/></svg>", "unsafe_svg"),
    (b"<svg xmlns='http://www.w3.org/2000/svg'><style>@import url(https://x.example/a.css);</style></svg>",
     "unsafe_svg"),
    (b"<svg xmlns='http://www.w3.org/2000/svg'><rect fill='url(https://x.example/p)'/></svg>",
     "unsafe_svg"),
    (b"<svg xmlns='http://www.w3.org/2000/svg'><rect", "not_an_image"),
    (b"<html><svg/></html>", "not_an_image"),
])
def test_refused(data, reason):
    with pytest.raises(InvalidLogo) as caught:
        checked_logo(data)
    assert caught.value.reason == reason
