"""Pages, style sheets and SVG travel compressed when the browser accepts it, never
twice, never for files that are compressed already, and never as a BREACH oracle."""

from __future__ import annotations

import gzip
import re
import secrets

import brotli
import pytest

from courseware.web.compression import GzipTemplate, gzip_around_secret
from tests.helpers import csrf_token_from_html
from tests.web.test_static_files import static_urls

CHAPTER = "/courses/basics/welcome/"
BROWSER = {"Accept-Encoding": "gzip, deflate, br, zstd"}


def decoded(response) -> bytes:
    body = response.get_data()
    encoding = response.headers.get("Content-Encoding")
    if encoding == "gzip":
        return gzip.decompress(body)
    if encoding == "br":
        return brotli.decompress(body)
    assert encoding is None
    return body


def without_tokens(html: bytes) -> bytes:
    return re.sub(rb'(name="csrf_token"[^>]*value=")[^"]+"', rb'\1"', html)


@pytest.mark.parametrize("signed_in", [False, True])
def test_the_chapter_page_is_gzipped_and_reads_the_same(client, auth, signed_in):
    if signed_in:
        auth.signup()
        client.get("/")  # shows (and clears) the welcome message
    plain = client.get(CHAPTER)
    packed = client.get(CHAPTER, headers=BROWSER)
    again = client.get(CHAPTER, headers=BROWSER)  # served from the per-state cache
    assert plain.headers.get("Content-Encoding") is None
    # The page holds the CSRF token: gzip with the token apart, never brotli (see below).
    assert packed.headers["Content-Encoding"] == "gzip"
    assert decoded(packed) == decoded(again) == plain.get_data()
    assert len(packed.get_data()) < len(plain.get_data()) * 0.6  # a tiny page; the demo: 1/3
    for response in (plain, packed):
        assert "Accept-Encoding" in response.vary  # a cache keeps both variants apart


def test_other_pages_are_gzipped_too(client, auth):
    auth.signup()
    client.get("/")
    for url in ("/", "/courses/basics/", "/account/", "/certificates/verify"):
        plain, packed = client.get(url), client.get(url, headers=BROWSER)
        assert plain.status_code == packed.status_code == 200, url
        assert packed.headers["Content-Encoding"] == "gzip", url
        # The same page; its CSRF token is signed with the second it was made in.
        assert without_tokens(decoded(packed)) == without_tokens(plain.get_data()), url
        assert "Accept-Encoding" in packed.vary


@pytest.mark.parametrize("header", ["", "identity", "gzip;q=0, br;q=0", "compress"])
def test_a_browser_that_does_not_accept_gets_the_plain_page(client, header):
    response = client.get(CHAPTER, headers={"Accept-Encoding": header})
    assert response.headers.get("Content-Encoding") is None
    assert b"</html>" in response.get_data()
    response = client.get("/", headers={"Accept-Encoding": header})
    assert response.headers.get("Content-Encoding") is None


def test_style_sheets_are_sent_in_brotli_or_gzip_precompressed(client):
    urls = [url for url in static_urls(client.get("/").get_data(as_text=True)) if ".css" in url]
    assert urls
    for url in urls:
        plain = client.get(url)
        plain_bytes = plain.get_data()
        plain.close()
        for header, encoding in ((BROWSER["Accept-Encoding"], "br"), ("gzip", "gzip")):
            response = client.get(url, headers={"Accept-Encoding": header})
            assert response.headers["Content-Encoding"] == encoding
            assert decoded(response) == plain_bytes
            assert len(response.get_data()) < len(plain_bytes) / 3
            assert response.cache_control.immutable and "Cookie" not in response.vary
            assert "Accept-Encoding" in response.vary
            etag = response.headers["ETag"]
            revalidated = client.get(url, headers={"Accept-Encoding": header, "If-None-Match": etag})
            assert revalidated.status_code == 304


def test_a_range_request_gets_plain_bytes(client):
    url = next(u for u in static_urls(client.get("/").get_data(as_text=True)) if "site.css" in u)
    response = client.get(url, headers={**BROWSER, "Range": "bytes=0-99"})
    assert response.status_code == 206 and response.headers.get("Content-Encoding") is None
    assert len(response.get_data()) == 100
    response.close()


def test_course_drawings_are_compressed_but_pdfs_and_images_are_not(client, course_dir):
    response = client.get("/courses/basics/assets/images/diagram.svg", headers=BROWSER)
    response.close()
    assert response.status_code == 200  # small: not worth it
    assert response.headers.get("Content-Encoding") is None
    drawing = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100">'
               + "".join(f'<circle cx="{i}" cy="{i}" r="3"/>' for i in range(100)) + "</svg>").encode()
    (course_dir / "basics" / "images" / "big.svg").write_bytes(drawing)
    response = client.get("/courses/basics/assets/images/big.svg", headers=BROWSER)
    assert response.headers["Content-Encoding"] == "br" and decoded(response) == drawing
    assert response.mimetype == "image/svg+xml" and response.cache_control.max_age == 3600
    assert "Accept-Encoding" in response.vary
    for name, data in (("notes.pdf", b"%PDF-1.7\n" + bytes(range(256)) * 20),
                       ("photo.png", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20)):
        (course_dir / "basics" / "images" / name).write_bytes(data)
        response = client.get(f"/courses/basics/assets/images/{name}", headers=BROWSER)
        assert response.status_code == 200 and response.headers.get("Content-Encoding") is None
        assert response.get_data() == data
        response.close()


def test_a_page_whose_address_is_a_secret_is_not_compressed(client):
    response = client.get("/password/reset/" + "a" * 40, headers=BROWSER)
    assert response.headers.get("Content-Encoding") is None


def test_the_csrf_token_travels_in_a_stored_block_of_its_own(client):
    packed = client.get(CHAPTER, headers=BROWSER)
    token = csrf_token_from_html(decoded(packed).decode())
    # Stored, not compressed: the token's bytes appear as they are in the stream.
    assert token.encode() in packed.get_data()


def test_compressed_length_tells_nothing_about_the_token():
    """The BREACH attack reflects guesses and watches the length shrink when a
    guess matches the secret. Around a secret in its own block, it never does."""
    token, other = secrets.token_hex(32).encode(), secrets.token_hex(32).encode()

    def page(secret: bytes, guess: bytes) -> bytes:
        return b'<form><input value="' + secret + b'"></form><p>You searched: ' + guess + b"</p>"

    for guess in (token[:12], token[:24], token[:23] + b"x", token[8:40], token[:-1]):
        # The guess matches `token` and not `other`: the lengths must still agree.
        packed = gzip_around_secret(page(token, guess), token)
        assert len(packed) == len(gzip_around_secret(page(other, guess), other))
        assert gzip.decompress(packed) == page(token, guess)


def test_a_template_filled_per_request_is_a_valid_gzip_stream():
    pieces = [b"<html>" + b"ab" * 500, b"", b"middle " * 50, b"</html>"]
    for secret in (b"short", secrets.token_urlsafe(60).encode(), b"z" * 70_000):
        template = GzipTemplate.of(pieces, len(secret))
        assert gzip.decompress(template.fill(secret)) == secret.join(pieces)
        with pytest.raises(ValueError, match="another length"):
            template.fill(secret + b"x")


def test_pieces_refer_back_to_each_other_but_never_into_the_secret():
    """Primed compressors keep the split page near one-piece gzip; a secret that
    repeats the page's own text still decodes as itself (no reference into it)."""
    page_text = b"<p>" + b"Les bases de l'intelligence artificielle. " * 40 + b"</p>"
    pieces = [page_text, page_text, page_text]
    for secret in (secrets.token_hex(32).encode(), page_text[:64], b"\0" * 64):
        packed = GzipTemplate.of(pieces, len(secret)).fill(secret)
        assert gzip.decompress(packed) == secret.join(pieces)
    assert len(packed) < len(gzip.compress(page_text, 9)) + 200  # pieces 2 and 3 cost ~nothing
    with_nul = [b"a\0b" * 400, b"c" * 10]
    assert gzip.decompress(gzip_around_secret(b"SECRET".join(with_nul), b"SECRET")) == \
        b"SECRET".join(with_nul)
