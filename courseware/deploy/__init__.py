"""Deployment examples shipped with the package: an nginx site and systemd units.

They are templates filled by `courseware deploy nginx|systemd`, so that paths
(the installed package's static folder, the virtualenv) are right for the
machine they are generated on. tests/operations/test_nginx.py runs the nginx
one for real in front of courseware.
"""

from __future__ import annotations

from pathlib import Path
from string import Template

HERE = Path(__file__).parent
STATIC_DIR = HERE.parent / "static"


def render(name: str, **values: str) -> str:
    """Fill template `name` (a file beside this module); every $placeholder must be given."""
    return Template((HERE / name).read_text(encoding="utf-8")).substitute(values)


def nginx_site(*, server_name: str, upstream: str, listen: str = "80") -> str:
    return render("nginx-site.conf", server_name=server_name, upstream=upstream, listen=listen,
                  static_dir=str(STATIC_DIR))


def systemd_units(*, working_dir: str, executable: str, user: str, environment_file: str) -> str:
    return render("courseware.service", working_dir=working_dir, executable=executable,
                  user=user, environment_file=environment_file)
