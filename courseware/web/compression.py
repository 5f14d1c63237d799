"""Compressed responses for browsers that ask, without a BREACH oracle.

HTML, CSS, SVG, JavaScript and JSON shrink 3-5x (the demo's chapter page goes
from 33 KB to 10.5 KB gzipped): on a slow phone that is most of the waiting.

BREACH: a page that holds a secret (the session's CSRF token, in every page's
log-out and language forms) and reflects something an attacker chose would,
compressed in one piece, leak the secret byte by byte through its compressed
length. So a page is never compressed in one piece around a secret: the bytes
between secrets are each deflated by a fresh compressor (no back-reference can
cross a secret), and each secret goes out as a *stored* (uncompressed) deflate
block. The compressed length then depends on the secret's length only, never
on its bytes. The pieces concatenate into one ordinary gzip stream, so every
browser reads it. Brotli has no such block boundary, so it is used only for
bodies with no secret (static files, JSON); pages whose address is a secret
(reset, confirmation and invitation links) are not compressed at all.

Cost: the chapter page is compressed once per state (page_cache.py keeps a
`GzipTemplate`); per request only the token's CRC and a join remain (~5 µs).
"""

from __future__ import annotations

import mimetypes
import struct
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

import brotli
from flask import Flask, Request, Response, g, request
from werkzeug.http import parse_accept_header

# Below this a response fits in one packet anyway; compressing only costs time.
MIN_SIZE = 1024
COMPRESSIBLE_TYPES = frozenset({
    "text/html", "text/css", "image/svg+xml", "text/javascript", "application/javascript",
    "application/json",
})
# gzip header: magic, deflate, no flags, mtime 0 (the same page gives the same
# bytes), no extra flags, OS "unknown".
_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"


def preferred_encoding(req: Request, *, secret_inside: bool = False) -> str | None:
    """'br', 'gzip' or None (identity), from the request's Accept-Encoding.

    A body holding a secret may only be gzipped (see the module docstring).
    """
    return encoding_for(req.headers.get("Accept-Encoding", ""), secret_inside=secret_inside)


@lru_cache(maxsize=256)
def encoding_for(accept_encoding: str, *, secret_inside: bool = False) -> str | None:
    """preferred_encoding for an Accept-Encoding header (browsers send a few
    distinct ones: each is parsed once per process)."""
    accepted = parse_accept_header(accept_encoding)  # qualities, `*` and `;q=0` included
    if not secret_inside and accepted["br"] > 0:
        return "br"
    return "gzip" if accepted["gzip"] > 0 else None


def _deflate_pieces(pieces: Sequence[bytes], secret_length: int) -> list[bytes]:
    """Raw deflate of each piece by a compressor of its own, ending on a byte
    boundary (sync flush) so the next block can follow; the last one finished.

    Each compressor is primed with what precedes its piece, the secret's place
    filled with NUL bytes: a piece may refer back to earlier pieces (at the
    right distances, the secret's length being known), never to the secret,
    since no piece holds a NUL byte to match. This keeps the split page within
    ~1 % of one-piece gzip. A page that does hold NUL bytes is not primed.
    """
    primed = not any(b"\0" in piece for piece in pieces)
    filler, before, blocks = b"\0" * secret_length, b"", []
    for i, piece in enumerate(pieces):
        if primed and before:
            compressor = zlib.compressobj(9, zlib.DEFLATED, -15, 9, zdict=before[-32768:])
        else:
            compressor = zlib.compressobj(9, zlib.DEFLATED, -15, 9)
        end = zlib.Z_FINISH if i == len(pieces) - 1 else zlib.Z_SYNC_FLUSH
        blocks.append(compressor.compress(piece) + compressor.flush(end))
        before = (before + piece + filler)[-32768:]
    return blocks


def _stored_block(data: bytes) -> bytes:
    """`data` as uncompressed (BTYPE 00, not final) deflate blocks."""
    blocks = []
    for start in range(0, len(data), 0xFFFF):
        chunk = data[start:start + 0xFFFF]
        blocks.append(b"\x00" + struct.pack("<HH", len(chunk), len(chunk) ^ 0xFFFF) + chunk)
    return b"".join(blocks)


def _crc_shift_tables(piece: bytes) -> tuple[tuple[int, ...], ...]:
    """Tables to continue a CRC-32 over `piece` without reading it again.

    `zlib.crc32(piece, c)` is affine in `c`: its linear part is fixed by the 32
    images of single bits. Four 256-entry tables (one per byte of `c`) apply
    it with four look-ups.
    """
    base = zlib.crc32(piece, 0)
    bits = [zlib.crc32(piece, 1 << bit) ^ base for bit in range(32)]
    tables = []
    for byte in range(4):
        table = [0] * 256
        for value in range(1, 256):
            low = value & -value
            table[value] = table[value ^ low] ^ bits[8 * byte + low.bit_length() - 1]
        tables.append(tuple(table))
    return tuple(tables)


@dataclass(frozen=True)
class GzipTemplate:
    """A page's gzip stream compressed once, with holes where the secret goes."""

    blocks: tuple[bytes, ...]  # deflated pieces; only the last one is final
    piece_crcs: tuple[int, ...]  # crc32(piece, 0) of each piece
    shifts: tuple[tuple[tuple[int, ...], ...], ...]  # for pieces 1.. (see _crc_shift_tables)
    pieces_length: int
    secret_length: int  # fill() takes secrets of this length only

    @classmethod
    def of(cls, pieces: Sequence[bytes], secret_length: int) -> GzipTemplate:
        """Compress the bytes between secrets: `secret.join(pieces)` is the page."""
        blocks = tuple(_deflate_pieces(pieces, secret_length))
        return cls(blocks=blocks, secret_length=secret_length,
                   piece_crcs=tuple(zlib.crc32(piece) for piece in pieces),
                   shifts=tuple(_crc_shift_tables(piece) for piece in pieces[1:]),
                   pieces_length=sum(len(piece) for piece in pieces))

    def fill(self, secret: bytes) -> bytes:
        """The gzip body of `secret.join(pieces)`."""
        if len(secret) != self.secret_length:
            raise ValueError("the template was compressed for a secret of another length")
        crc = self.piece_crcs[0]
        for piece_crc, (t0, t1, t2, t3) in zip(self.piece_crcs[1:], self.shifts, strict=True):
            crc = zlib.crc32(secret, crc)
            crc = t0[crc & 255] ^ t1[(crc >> 8) & 255] ^ t2[(crc >> 16) & 255] ^ t3[crc >> 24] ^ piece_crc
        length = self.pieces_length + len(secret) * (len(self.blocks) - 1)
        return _assemble(self.blocks, secret, crc, length)


def _assemble(blocks: Sequence[bytes], secret: bytes, crc: int, length: int) -> bytes:
    stored = _stored_block(secret)
    body = [_GZIP_HEADER, blocks[0]]
    for block in blocks[1:]:
        body += (stored, block)
    body.append(struct.pack("<II", crc, length & 0xFFFFFFFF))
    return b"".join(body)


def gzip_around_secret(body: bytes, secret: bytes | None = None) -> bytes:
    """`body` gzipped, with every occurrence of `secret` in a stored block of its own."""
    pieces = body.split(secret) if secret and secret in body else [body]
    blocks = _deflate_pieces(pieces, len(secret or b""))
    return _assemble(blocks, secret or b"", zlib.crc32(body), len(body))


def compress(data: bytes, encoding: str) -> bytes:
    """`data` compressed with `encoding`, for bodies that hold no secret."""
    if encoding == "br":
        return brotli.compress(data, quality=5)
    return gzip_around_secret(data)


def _page_secret() -> bytes | None:
    """The secret the page being answered may hold: the CSRF token it rendered."""
    token = g.get("csrf_token")  # Flask-WTF keeps the request's signed token here
    return token.encode() if isinstance(token, str) else None


def _compress_response(response: Response) -> Response:
    if response.mimetype not in COMPRESSIBLE_TYPES:
        return response
    response.vary.add("Accept-Encoding")  # also when sent plain: caches must keep both
    if (response.direct_passthrough or response.is_streamed or "Content-Encoding" in response.headers
            or response.status_code in (204, 206, 304) or response.status_code < 200):
        return response
    encoding = preferred_encoding(request)
    if encoding is None or any("token" in name for name in request.view_args or {}):
        return response  # not accepted, or the address is a secret the page may repeat
    body = response.get_data()
    if len(body) < MIN_SIZE:
        return response
    secret = _page_secret()
    if encoding == "br" and secret and secret in body:
        encoding = preferred_encoding(request, secret_inside=True)
        if encoding is None:
            return response
    response.set_data(compress(body, encoding) if encoding == "br" else gzip_around_secret(body, secret))
    response.headers["Content-Encoding"] = encoding
    etag, weak = response.get_etag()
    if etag:
        response.set_etag(f"{etag}-{encoding}", weak=weak)
    return response


class CompressedFiles:
    """Compressed copies of text files on disk (style sheets, SVG drawings), made
    once per file version (path, mtime, size) at brotli's best quality or gzip -9,
    and kept in memory: site.css goes from 26 KB to about 5 KB."""

    def __init__(self, max_files: int = 512, max_bytes: int = 2 * 1024 * 1024) -> None:
        self._copies: dict[tuple[str, int, int, str], bytes] = {}
        self._max_files = max_files
        self._max_bytes = max_bytes

    def response(self, path: Path, req: Request) -> Response | None:
        """The file compressed for `req`, or None to send it as it is (not text,
        too small or too big, a range request, or nothing accepted)."""
        mimetype = mimetypes.guess_type(path.name)[0]
        if mimetype not in COMPRESSIBLE_TYPES or req.range:
            return None
        encoding = preferred_encoding(req)
        try:
            stat = path.stat()
        except OSError:
            return None
        if encoding is None or not MIN_SIZE <= stat.st_size <= self._max_bytes:
            return None
        key = (str(path), stat.st_mtime_ns, stat.st_size, encoding)
        data = self._copies.get(key)
        if data is None:
            raw = path.read_bytes()
            data = brotli.compress(raw, quality=11) if encoding == "br" else _gzip_file(raw)
            if len(self._copies) >= self._max_files:
                self._copies.clear()
            self._copies[key] = data
        response = Response(data, mimetype=mimetype)
        response.headers["Content-Encoding"] = encoding
        response.vary.add("Accept-Encoding")
        response.set_etag(f"{stat.st_mtime_ns:x}-{stat.st_size:x}-{encoding}")
        response.last_modified = datetime.fromtimestamp(stat.st_mtime, UTC)
        return response.make_conditional(req)


def _gzip_file(data: bytes) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)  # gzip wrapper, mtime 0
    return compressor.compress(data) + compressor.flush()


def init_app(app: Flask) -> None:
    app.after_request(_compress_response)
