import re

import pytest

from courseware.certificates import new_public_id, normalise_public_id
from courseware.certificates.ids import ALPHABET

FORMAT = re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$")


def test_new_ids_are_grouped_crockford_base32_with_80_random_bits():
    ids = {new_public_id() for _ in range(2000)}
    assert len(ids) == 2000
    assert all(FORMAT.match(i) for i in ids)
    assert len(ALPHABET) == 32 and len(next(iter(ids)).replace("-", "")) * 5 == 80
    # every symbol appears in every position: the bits really are random
    for position in range(19):
        if position % 5 != 4:
            assert len({i[position] for i in ids}) == 32


@pytest.mark.parametrize("typed", [
    "7q2k-9mxd-4hrt-0b3v", "7Q2K9MXD4HRT0B3V", " 7q2k 9mxd 4hrt 0b3v ", "7Q2K-9MXD-4HRT-OB3V",
])
def test_typed_ids_normalise_to_the_canonical_form(typed):
    assert normalise_public_id(typed) == "7Q2K-9MXD-4HRT-0B3V"


def test_confusable_letters_read_as_digits():
    assert normalise_public_id("IIII-LLLL-OOOO-oooo") == "1111-1111-0000-0000"


@pytest.mark.parametrize("junk", [
    "", "7Q2K-9MXD-4HRT", "7Q2K-9MXD-4HRT-0B3VX", "UQ2K-9MXD-4HRT-0B3V", "7Q2K-9MXD-4HRT-0B3!",
    "é" * 16, "0" * 1000, None,
])
def test_malformed_ids_are_rejected(junk):
    assert normalise_public_id(junk) is None
