"""The e-mail a learner gets when a certificate is issued: its link and LinkedIn's.

Queued in the issuing transaction (mail.queue_mail), so it goes out exactly
once, and only if the certificate was really recorded; written in the
learner's language; not sent when the learner turned it off on the account page.
"""

from __future__ import annotations

from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from ..mail import queue_mail
from ..models import Certificate, User
from .mail_after_response import deliver_after_response
from .views import external_url


def queue_certificate_mail(session: Session, user: User, certificate: Certificate,
                           linkedin_add_url: str) -> bool:
    """Queue the mail in `session`'s transaction; False when the learner opted out."""
    if not user.certificate_mail:
        return False
    with force_locale(user.locale or str(get_locale())):
        queue_mail(session, to=user.email,
                   subject=_("Your certificate for “%(course)s”", course=certificate.course_title),
                   body=_("Hello %(name)s,\n\nCongratulations! Your certificate for “%(course)s” "
                          "has been issued.\n\nSee it, download the PDF or share it:\n%(link)s\n\n"
                          "Add it to your LinkedIn profile in one click:\n%(linkedin)s\n\n"
                          "You no longer want these messages? Turn them off on your account page:\n"
                          "%(account)s\n",
                          name=certificate.printed_name, course=certificate.course_title,
                          link=external_url("certificates.show", public_id=certificate.public_id),
                          linkedin=linkedin_add_url, account=external_url("account.index")))
    deliver_after_response()
    return True
