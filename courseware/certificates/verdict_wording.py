"""What a certificate check found, in words: one source for the web page and the CLI.

The strings are English message ids, marked for extraction with `N_` (Babel's
default keywords): the web page shows them through gettext in the reader's
language, the CLI prints them as they are. The stable codes (`foreign_signer`,
`too_complex`...) stay for logs and scripts.
"""

from __future__ import annotations

from dataclasses import dataclass

from .verification import FileVerdict


def N_(message: str) -> str:  # noqa: N802 - Babel's name for "translate later"
    return message


TITLES = {
    "authentic": N_("Authentic certificate"),
    "not_authentic": N_("Not authentic"),
    "unknown": N_("Unknown certificate"),
    "revoked": N_("Revoked certificate"),
    "replaced": N_("Replaced certificate"),
    "withdrawn": N_("Withdrawn certificate"),
    "unchecked": N_("This file could not be checked"),
}
DETAILS = {
    "authentic": N_("Signature valid, made by this platform, document unmodified."),
    "unknown": N_("The signature is ours, but no such certificate is on record."),
    "revoked": N_("The file is genuine, but this certificate has been revoked and is no longer valid."),
    "replaced": N_("The file is genuine, but a corrected certificate replaced it."),
    "withdrawn": N_("The file is genuine, but its holder withdrew it. It is no longer valid."),
}
NOT_AUTHENTIC_DETAILS = {
    "not_a_pdf": N_("This file is not a readable PDF."),
    "unsigned": N_("This PDF carries no digital signature."),
    "foreign_signer": N_("This PDF was signed by someone else, not by this platform."),
    "modified": N_("This PDF was modified after it was signed."),
}
ALTERED = N_("The digital signature of this PDF is not valid: the file was altered.")
BUSY = N_("Too many files are being checked right now. Please try again in a minute.")
TOO_COMPLEX = N_("It is too large or too complex to be checked safely. A certificate downloaded "
                 "from this platform is small and simple: upload that file, as it was downloaded.")


@dataclass(frozen=True)
class VerdictWording:
    title: str  # an English message id
    detail: str


def verdict_wording(result: FileVerdict) -> VerdictWording:
    """The title and the explanation of a check's result (untranslated message ids)."""
    if result.verdict == "not_authentic":
        detail = NOT_AUTHENTIC_DETAILS.get(result.reason, ALTERED)
    elif result.verdict == "unchecked":
        detail = BUSY if result.reason == "busy" else TOO_COMPLEX
    else:
        detail = DETAILS[result.verdict]
    return VerdictWording(TITLES[result.verdict], detail)
