"""Mail queued by a request goes out as soon as the answer has been sent.

The delivery thread of each server process polls the outbox every few seconds;
waking it once the response is closed means a sign-up or reset link arrives
at once, and the mail is built only after the answer left, so the answer's
time still does not depend on whether a mail was queued (forgot-password must
answer alike for unknown addresses).
"""

from __future__ import annotations

from flask import Response, after_this_request, g

from ..mail import deliver_soon


def deliver_after_response() -> None:
    """Call in a request that queued mail (or, to look the same, might have)."""
    if g.get("_deliver_after_response"):
        return
    g._deliver_after_response = True

    @after_this_request
    def wake_once_sent(response: Response) -> Response:
        response.call_on_close(deliver_soon)
        return response
