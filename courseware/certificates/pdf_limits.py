"""How much work checking an uploaded PDF may cost, and the cheap tests made before parsing.

Anyone may upload a PDF to the verification page, so the check must stay bounded
whatever the file. A certificate we issue is small and plain (about 40 KB,
20 objects, no object stream, 2 revisions, 1 signature field, 43 KB once
decompressed); every cap below leaves a wide margin over that. The measured
attacks it stops: 53 object streams padded with 3 MiB of NUL bytes (171 KB on
disk) kept pyHanko busy for 55 s, scanning the padding byte by byte; 60,000
signature fields made it log megabytes of tracebacks. The caps refuse such files
in milliseconds; what gets past them still runs in a confined process
(:mod:`.sandbox`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import islice

from pyhanko.pdf_utils.decode_limits import (
    DEFAULT_PURPOSE_LIMITS,
    DecodeLimits,
    DecodePurpose,
    DocumentDecodeBudget,
    StreamDecodeLimits,
)

KiB = 1024
MiB = 1024 * KiB


@dataclass(frozen=True)
class CheckLimits:
    """The caps on one check. The defaults are what the upload page and the CLI use."""

    max_bytes: int = 4 * MiB
    max_objects: int = 2000  # indirect objects written in the file ("n g obj")
    max_object_streams: int = 4
    max_revisions: int = 8  # %%EOF markers: the original file plus its incremental updates
    max_form_fields: int = 32  # every node of the AcroForm field tree, signature fields included
    max_object_stream_bytes: int = 256 * KiB  # one object stream, decompressed
    max_stream_bytes: int = 32 * MiB  # any other stream (a logo image), decompressed
    max_decoded_bytes: int = 64 * MiB  # everything decompressed while checking one file
    cpu_seconds: int = 3  # RLIMIT_CPU of the checking process (whole seconds)
    memory_bytes: int = 512 * MiB  # address space the checking process may add (RLIMIT_AS)
    wall_seconds: float = 6.0  # then the checking process is killed, whatever it does
    checks_at_once: int = 1  # per instance, so other requests always find a free worker
    slot_wait_seconds: float = 1.0  # how long an upload waits for a free slot before "busy"

    def decode_limits(self) -> DecodeLimits:
        """pyHanko's decompression limits for these caps."""
        return DecodeLimits(
            per_stream=StreamDecodeLimits(max_output_size=self.max_stream_bytes),
            per_purpose={
                **DEFAULT_PURPOSE_LIMITS,
                DecodePurpose.OBJECT_STREAM: StreamDecodeLimits(
                    max_ratio=100, ratio_floor=64 * KiB, max_output_size=self.max_object_stream_bytes),
            },
            document_budget=DocumentDecodeBudget(base_allowance=self.max_decoded_bytes, max_ratio=1),
        )


DEFAULT_LIMITS = CheckLimits()

# Possessive and anchored at the start of a number: a long run of digits (a signature's
# zero padding, or a hostile file of them) costs linear time, not quadratic backtracking.
_OBJECT = re.compile(rb"(?<![0-9])[0-9]++\s++[0-9]++\s++obj\b")
_OBJECT_STREAM = re.compile(rb"/Type\s*/ObjStm\b")
_END_OF_FILE = re.compile(rb"%%EOF")


def _more_than(pattern: re.Pattern[bytes], data: bytes, limit: int) -> int | None:
    """The number of matches when there are more than ``limit`` (counting stops there), else None."""
    found = sum(1 for _ in islice(pattern.finditer(data), limit + 1))
    return found if found > limit else None


def refusal_before_parsing(data: bytes, limits: CheckLimits = DEFAULT_LIMITS) -> tuple[str, str] | None:
    """``(reason, detail)`` when the raw bytes already exceed a cap, else None.

    Regular expressions over at most ``max_bytes``: a few milliseconds, no parsing.
    The reason is ``too_large`` or ``too_complex``; the detail is for the log.
    """
    if len(data) > limits.max_bytes:
        return "too_large", f"{len(data)} bytes > {limits.max_bytes}"
    for label, pattern, limit in (
        ("objects", _OBJECT, limits.max_objects),
        ("object streams", _OBJECT_STREAM, limits.max_object_streams),
        ("revisions", _END_OF_FILE, limits.max_revisions),
    ):
        found = _more_than(pattern, data, limit)
        if found is not None:
            return "too_complex", f"more than {limit} {label}"
    return None
