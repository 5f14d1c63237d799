"""Web tests read the interface in English, whatever translations ship."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from courseware.db import get_engine
from courseware.models import ChapterProgress, User
from tests.helpers import Auth


def english_client(app: Flask) -> FlaskClient:
    client = app.test_client()
    client.set_cookie("lang", "en")
    return client


@pytest.fixture(autouse=True)
def _english(client: FlaskClient) -> None:
    client.set_cookie("lang", "en")


@pytest.fixture
def second_auth(app: Flask) -> Auth:
    """Another browser: its own cookies, its own session."""
    return Auth(english_client(app))


@pytest.fixture
def progress_rows(app: Flask) -> Callable[..., list]:
    """Rows of chapter_progress, read straight from the database."""

    def read(email: str | None = None) -> list:
        statement = select(ChapterProgress.__table__, User.email).join(
            User, User.id == ChapterProgress.user_id).order_by(ChapterProgress.id)
        if email is not None:
            statement = statement.where(User.email == email)
        with get_engine(app).connect() as connection:
            return list(connection.execute(statement))

    return read


@pytest.fixture
def user_row(app: Flask) -> Callable[[str], object]:
    def read(email: str) -> object:
        with get_engine(app).connect() as connection:
            return connection.execute(
                select(User.__table__).where(User.email == email)).first()

    return read
