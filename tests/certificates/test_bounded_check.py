"""Checking an untrusted PDF is bounded whatever the file: caps before parsing,
decompression and form caps while parsing, and a confined process around it all."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from pyhanko.pdf_utils.decode_limits import DecodeLimits

from courseware.certificates import (
    DEFAULT_CHECK_LIMITS,
    CheckLimits,
    confined_check,
    signed_certificate_pdf,
)
from courseware.certificates.pdf_limits import refusal_before_parsing
from courseware.certificates.sandbox import check_slot, run_confined
from tests.certificates.conftest import make_snapshot
from tests.hostile_pdfs import many_signature_fields, padded_object_streams, plain_pdf


@dataclass(frozen=True)
class NoDecodeLimits(CheckLimits):
    """Caps as pyHanko had them before 0.38: nothing stops the padding from being scanned."""

    def decode_limits(self) -> DecodeLimits:
        return DecodeLimits.for_trusted_input()


def test_a_genuine_certificate_still_checks_out(identity, layout):
    pdf = signed_certificate_pdf(make_snapshot(), layout, identity)
    check, reason, _ = confined_check(pdf, identity)
    assert check is not None and check.authentic and reason == "ok"
    assert check.public_id == "7Q2K-9MXD-4HRT-0B3V"


@pytest.mark.parametrize("build, detail", [
    (padded_object_streams, "more than 4 object streams"),
    (many_signature_fields, "more than 4 object streams"),
    (lambda: plain_pdf([b"<< /Type /Catalog >>"] * 2001), "more than 2000 objects"),
    (lambda: plain_pdf([b"<< /Type /Catalog >>"]) * 9, "more than 8 revisions"),
], ids=["review-object-streams", "review-signature-fields", "objects", "revisions"])
def test_the_review_files_are_refused_before_parsing(identity, build, detail):
    assert confined_check(build(), identity) == (None, "too_complex", detail)


def test_padding_under_the_object_stream_cap_is_stopped_by_the_decompression_cap(identity):
    # 4 streams pass the count; 3 MiB each decompressed is far over 256 KiB.
    assert confined_check(padded_object_streams(count=4), identity)[:2] == (None, "too_complex")


def test_a_form_with_too_many_fields_is_refused(identity):
    assert confined_check(many_signature_fields(count=200, per_stream=200), identity)[:2] \
        == (None, "too_complex")


def test_the_confined_process_stops_what_the_caps_let_through(identity):
    # Without decompression caps the review's padding takes pyHanko about a minute.
    limits = NoDecodeLimits(max_object_streams=100, max_form_fields=100, cpu_seconds=1, wall_seconds=20)
    assert confined_check(padded_object_streams(), identity, limits) == (None, "timeout", "CPU limit 1 s")


def _spin() -> dict:
    while True:
        pass


def _hoard() -> dict:
    return {"size": len(bytearray(2 * DEFAULT_CHECK_LIMITS.memory_bytes))}


def _hang() -> dict:
    time.sleep(60)
    return {}


def _fail() -> dict:
    raise ValueError("boom")


@pytest.mark.parametrize("job, failure", [
    (_spin, "timeout"), (_hoard, "too_complex"), (_hang, "timeout"), (_fail, "too_complex"),
], ids=["cpu", "memory", "wall-clock", "exception"])
def test_each_limit_of_the_confined_process(job, failure):
    outcome = run_confined(job, cpu_seconds=1, memory_bytes=DEFAULT_CHECK_LIMITS.memory_bytes,
                           wall_seconds=3)
    assert (outcome.answer, outcome.failure) == (None, failure)


def test_the_answer_comes_back_and_the_child_is_gone():
    outcome = run_confined(lambda: {"pid": os.getpid()}, cpu_seconds=1, memory_bytes=64 << 20,
                           wall_seconds=5)
    assert outcome.answer is not None and outcome.answer["pid"] != os.getpid()
    with pytest.raises(ChildProcessError):
        os.waitpid(outcome.answer["pid"], os.WNOHANG)


def test_checks_wait_for_a_free_slot_then_give_up(tmp_path):
    with check_slot(tmp_path, 1, 0) as first:
        assert first
        with check_slot(tmp_path, 1, 0.1) as second:
            assert not second
        with check_slot(tmp_path, 2, 0) as third:
            assert third
    with check_slot(tmp_path, 1, 0) as again:
        assert again


@pytest.mark.parametrize("body", [b"0" * 4_000_000, b"1 " * 2_000_000, b"1 0 ob" * 600_000],
                         ids=["digits", "number-pairs", "almost-objects"])
def test_the_caps_before_parsing_cost_linear_time(body):
    # Runs confined: a backtracking pattern (quadratic on 4 MB of zeros) would hit the CPU limit.
    outcome = run_confined(lambda: {"refusal": refusal_before_parsing(b"%PDF-1.7\n" + body)},
                           cpu_seconds=2, memory_bytes=DEFAULT_CHECK_LIMITS.memory_bytes,
                           wall_seconds=10)
    assert outcome.failure is None and outcome.answer == {"refusal": None}


CONTAINED = """
import resource, sys
from pathlib import Path
from courseware.certificates import (DEFAULT_BRANDING_DIR, confined_check, ensure_signing_identity,
                                     load_layout, signed_certificate_pdf)
from courseware.certificates.sandbox import _address_space
from tests.certificates.conftest import make_snapshot

identity = ensure_signing_identity(Path(sys.argv[1]))
pdf = signed_certificate_pdf(make_snapshot(), load_layout(DEFAULT_BRANDING_DIR), identity)
# A container already capped this process below what the checker would ask for.
room = _address_space() + 256 * 1024 * 1024
resource.setrlimit(resource.RLIMIT_AS, (room, room))
print(confined_check(pdf, identity)[1])
"""


def test_limits_already_lower_than_ours_are_kept_not_a_reason_to_fail(tmp_path):
    result = subprocess.run([sys.executable, "-c", CONTAINED, str(tmp_path)], capture_output=True,
                            text=True, timeout=120, cwd=Path(__file__).parents[2])
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "ok"
