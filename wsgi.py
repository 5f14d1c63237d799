"""WSGI entry point for any server: `gunicorn wsgi:app`.

Run `courseware db upgrade` before the first start and after upgrades.
"""

import sys

from courseware import create_app
from courseware.content import ContentError

try:
    app = create_app()
except ContentError as error:
    sys.stderr.write(f"{error}\ncourseware: fix the content and start again.\n")
    sys.exit(1)
