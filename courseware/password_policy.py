"""Which passwords are too easy to guess (no Flask here).

Length alone let `password12`, `1234567890` and `aaaaaaaaaa` through. A password
is refused when it is (or, without the digits and symbols around it, is) one of
the 30,000 most common passwords, when it is a single repeated character or
short pattern, a run such as `abcdefghij` or a keyboard row such as
`azertyuiop`, or little more than the learner's own name or e-mail address.

The list is `data/common-passwords.txt.gz`: the "passwords" frequency list of
zxcvbn 4.5.0 (MIT), itself the top of Mark Burnett's 10 million password list
(public domain). It is shipped rather than depended on: zxcvbn's English
dictionaries would add 800 KB of import for a check this size. Rebuild with
`python -c "from zxcvbn.frequency_lists import FREQUENCY_LISTS as F;
print('\\n'.join(F['passwords']))" | gzip -9n > courseware/data/common-passwords.txt.gz`.
"""

from __future__ import annotations

import gzip
import re
from enum import Enum
from functools import cache
from importlib import resources

# Runs a password may not be a piece of: letters, digits, French and English
# keyboard rows, each also read backwards.
_RUNS = ("abcdefghijklmnopqrstuvwxyz", "01234567890", "azertyuiop", "qsdfghjklm", "wxcvbn",
         "qwertyuiop", "asdfghjkl", "zxcvbnm", "1qaz2wsx3edc4rfv", "1azerty", "&é\"'(-è_çà")
_SEQUENCES = tuple(run for text in _RUNS for run in (text, text[::-1]))
_AROUND = re.compile(r"^[\W\d_]+|[\W\d_]+$")
_WORD = re.compile(r"\w{3,}")


class Weakness(Enum):
    COMMON = "common"          # in the list of common passwords
    REPETITIVE = "repetitive"  # one character or a short pattern, a run, a keyboard row
    PERSONAL = "personal"      # mostly the learner's name or e-mail address


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list, loaded on first use (about 30,000 entries)."""
    data = resources.files("courseware").joinpath("data/common-passwords.txt.gz").read_bytes()
    return frozenset(gzip.decompress(data).decode("utf-8").split())


def password_weakness(password: str, *, email: str = "", name: str = "") -> Weakness | None:
    """Why `password` is too easy to guess, or None when it is fine.

    Length is checked separately (PASSWORD_MIN_LENGTH); this looks at content.
    """
    lowered = password.casefold()
    if _is_repetitive(lowered):
        return Weakness.REPETITIVE
    common = common_passwords()
    if lowered in common or _AROUND.sub("", lowered) in common:
        return Weakness.COMMON
    remainder = lowered
    for part in _personal_parts(email, name):
        remainder = remainder.replace(part, "")
    if remainder != lowered and (len(remainder) < 6 or _is_repetitive(remainder)
                                 or remainder in common):
        return Weakness.PERSONAL
    return None


def _is_repetitive(text: str) -> bool:
    stripped = text.strip()
    if len(set(stripped)) <= 3:  # "aaaaaaaaaa", "ababababab", "abcabcabca"
        return True
    return any(stripped in sequence for sequence in _SEQUENCES)


def _personal_parts(email: str, name: str) -> list[str]:
    """The e-mail address, its local part and each word of the name (3+ letters)."""
    email = email.strip().casefold()
    parts = [email, email.split("@", 1)[0], *_WORD.findall(email.split("@", 1)[0])]
    parts += ["".join(name.casefold().split()), *_WORD.findall(name.casefold())]
    # Longest first, so "anadupont" goes before "ana".
    return sorted({part for part in parts if len(part) >= 3}, key=len, reverse=True)
