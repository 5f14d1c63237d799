"""Hostile PDFs for the upload check, built from plain bytes (no tool would write them).

The two the security review measured: 53 object streams padded with 3 MiB of NUL
bytes (171 KB; pyHanko spent 55 s scanning the padding) and 60,000 signature
fields in object streams (about 1 MB).
"""

from __future__ import annotations

import struct
import zlib

MiB = 1024 * 1024


def _stream(dictionary: bytes, data: bytes) -> bytes:
    packed = zlib.compress(data, 9)
    return (b"<< " + dictionary + b" /Filter /FlateDecode /Length %d >>\nstream\n" % len(packed)
            + packed + b"\nendstream")


def plain_pdf(objects: list[bytes]) -> bytes:
    """``objects[i]`` is the body of object i + 1 (object 1 is the catalog); classic xref table."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def pdf_with_object_streams(direct: list[bytes], groups: list[list[bytes]], padding: int = 0) -> bytes:
    """Objects 1.. written plainly, then one object stream per group (each starting with
    ``padding`` NUL bytes), then the objects inside them, indexed by an xref stream."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    entries: dict[int, tuple[int, int, int]] = {0: (0, 0, 65535)}
    number = 1
    for body in direct:
        entries[number] = (1, len(out), 0)
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
        number += 1
    inner = number + len(groups)
    for group in groups:
        header, body = bytearray(), bytearray(b"\x00" * padding)
        for index, obj in enumerate(group):
            header += b"%d %d " % (inner, len(body))
            entries[inner] = (2, number, index)
            body += obj + b" "
            inner += 1
        entries[number] = (1, len(out), 0)
        out += b"%d 0 obj\n" % number + _stream(
            b"/Type /ObjStm /N %d /First %d" % (len(group), len(header)), bytes(header + body)
        ) + b"\nendobj\n"
        number += 1
    entries[inner] = (1, len(out), 0)
    rows = b"".join(struct.pack(">BIH", *entries[i]) for i in range(inner + 1))
    out += b"%d 0 obj\n" % inner + _stream(
        b"/Type /XRef /Size %d /W [1 4 2] /Root 1 0 R" % (inner + 1), rows) + b"\nendobj\n"
    out += b"startxref\n%d\n%%%%EOF\n" % entries[inner][1]
    return bytes(out)


def _catalog(field_refs: bytes) -> list[bytes]:
    return [b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [" + field_refs + b"] >> >>",
            b"<< /Type /Pages /Kids [] /Count 0 >>"]


def padded_object_streams(count: int = 53, padding: int = 3 * MiB) -> bytes:
    """The review's file: ``count`` object streams, each a signature field behind NUL padding."""
    first_inner = 3 + count
    refs = b" ".join(b"%d 0 R" % (first_inner + i) for i in range(count))
    fields = [[b"<< /FT /Sig /T (s%d) >>" % i] for i in range(count)]
    return pdf_with_object_streams(_catalog(refs), fields, padding)


def many_signature_fields(count: int = 60_000, per_stream: int = 1000) -> bytes:
    """``count`` signed-looking signature fields packed into object streams."""
    streams = (count + per_stream - 1) // per_stream
    refs = b" ".join(b"%d 0 R" % (3 + streams + i) for i in range(count))
    fields = [b"<< /FT /Sig /T (s%d) /V << /Type /Sig /Filter /Adobe.PPKLite /SubFilter "
              b"/adbe.pkcs7.detached /ByteRange [0 10 20 10] /Contents <3000> >> >>" % i
              for i in range(count)]
    groups = [fields[i:i + per_stream] for i in range(0, count, per_stream)]
    return pdf_with_object_streams(_catalog(refs), groups)


def whitespace_padded(size: int = 3_900_000) -> bytes:
    """Under every cap, yet about a second of pyHanko's time: one field padded with NUL bytes."""
    return plain_pdf(_catalog(b"3 0 R") + [b"<< /FT /Sig /T (a) /Pad [" + b"\x00" * size + b"] >>"])
