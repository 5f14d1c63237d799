"""Plain links to LinkedIn: add a certification to a profile, or share a page.

Plain URLs only: no LinkedIn script is ever loaded, so nothing is sent to
LinkedIn until the learner clicks.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote, urlencode

ADD_TO_PROFILE = "https://www.linkedin.com/profile/add"
SHARE = "https://www.linkedin.com/sharing/share-offsite/"


def add_to_profile_url(*, course_title: str, organisation_name: str,
                       organisation_id: str | None, issued_at: datetime, verify_url: str,
                       public_id: str) -> str:
    """LinkedIn's "Add licence or certification" form, prefilled.

    LinkedIn prefers its numeric organisation id (shows the logo); without one
    the organisation's name is sent instead.
    """
    params: list[tuple[str, str]] = [("startTask", "CERTIFICATION_NAME"), ("name", course_title)]
    if organisation_id:
        params.append(("organizationId", organisation_id))
    else:
        params.append(("organizationName", organisation_name))
    params += [
        ("issueYear", str(issued_at.year)),
        ("issueMonth", str(issued_at.month)),
        ("certUrl", verify_url),
        ("certId", public_id),
    ]
    return f"{ADD_TO_PROFILE}?{urlencode(params, quote_via=quote)}"


def share_url(page_url: str) -> str:
    """LinkedIn's share dialog for a public page (it reads the page's Open Graph tags)."""
    return f"{SHARE}?{urlencode({'url': page_url}, quote_via=quote)}"
