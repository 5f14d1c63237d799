"""WSGI entry point for any server: `gunicorn wsgi:app`.

Run `courseware db upgrade` before the first start and after upgrades.

COURSEWARE_BASE_URL (or COURSEWARE_ALLOWED_HOSTS) is required here: behind an
arbitrary server nothing tells courseware its public address, and links in
e-mails and certificates must never be built from a Host header an attacker
chose. Without either, start-up stops with a message saying so.
"""

import os
import sys

from courseware import create_app
from courseware.config import ConfigError
from courseware.content import ContentError

if not (os.environ.get("COURSEWARE_BASE_URL") or os.environ.get("COURSEWARE_ALLOWED_HOSTS")):
    sys.stderr.write("courseware: set COURSEWARE_BASE_URL to the public address of the site "
                     "(e.g. https://cours.example.fr) before starting it under a WSGI server: "
                     "links in e-mails and certificates are built from it.\n")
    sys.exit(1)

try:
    app = create_app()
except (ContentError, ConfigError) as error:
    sys.stderr.write(f"{error}\ncourseware: fix this and start again.\n")
    sys.exit(1)
