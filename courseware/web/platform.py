"""The platform's own identity: its name and logo, from the configuration.

A ministry or a school that runs courseware shows its name and logo in the
header, the page titles and the footer, never "Courseware". Read once at
start-up; a logo that cannot be shown stops start-up with a clear message.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import Blueprint, Flask, Response, abort, current_app, send_file

from ..config import ConfigError
from ..content.image_size import image_size

bp = Blueprint("platform", __name__)
LOGO_TYPES = {".svg": "image/svg+xml", ".png": "image/png"}
MAX_LOGO_BYTES = 512 * 1024
DAY = 24 * 3600


@dataclass(frozen=True)
class Platform:
    name: str
    logo: Path | None = None
    logo_size: tuple[int, int] | None = None


def platform_from_config(config: dict) -> Platform:
    """The name and logo of PLATFORM_NAME / PLATFORM_LOGO, checked."""
    name = str(config.get("PLATFORM_NAME") or "Courseware").strip() or "Courseware"
    logo_setting = config.get("PLATFORM_LOGO")
    if not logo_setting:
        return Platform(name)
    logo = Path(str(logo_setting)).expanduser().resolve()
    if logo.suffix.lower() not in LOGO_TYPES:
        raise ConfigError(f"COURSEWARE_PLATFORM_LOGO: {logo_setting} must be an .svg or .png file")
    if not logo.is_file():
        raise ConfigError(f"COURSEWARE_PLATFORM_LOGO: {logo_setting} does not exist")
    if logo.stat().st_size > MAX_LOGO_BYTES:
        raise ConfigError(f"COURSEWARE_PLATFORM_LOGO: {logo_setting} is larger than 512 KB")
    return Platform(name, logo, image_size(logo))


def init_app(app: Flask) -> None:
    app.extensions["courseware.platform"] = platform_from_config(app.config)
    app.register_blueprint(bp)


def current_platform() -> Platform:
    return current_app.extensions["courseware.platform"]


@bp.get("/platform-logo")
def logo() -> Response:
    platform = current_platform()
    if platform.logo is None:
        abort(404)
    return send_file(platform.logo, mimetype=LOGO_TYPES[platform.logo.suffix.lower()],
                     max_age=DAY)
