"""`courseware orgs ...` (partner organisations and their tracking links) and
`courseware users grant` (roles). Scriptable: output on stdout, tab-separated
where it is a table; errors as one line on stderr with exit code 1 (2 for bad usage).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import click
from flask import Flask
from sqlalchemy.orm import Session

from .base import main, ready_app
from .commands import users


@contextmanager
def _session() -> Iterator[tuple[Flask, Session]]:
    from ..db import get_engine

    app = ready_app()
    with Session(get_engine(app)) as session:
        yield app, session


def _organisation(session: Session, slug: str):  # type: ignore[no-untyped-def]
    from ..organisations.directory import organisation_by_slug

    organisation = organisation_by_slug(session, slug)
    if organisation is None:
        raise click.ClickException(f"no organisation '{slug}' (see `courseware orgs list`)")
    return organisation


def _user(session: Session, email: str):  # type: ignore[no-untyped-def]
    from ..organisations.directory import user_by_email

    user = user_by_email(session, email)
    if user is None:
        raise click.ClickException(f"no account uses {email}")
    return user


def _audit(session: Session, action: str, target: str, detail: str | None = None) -> None:
    """The audit log records the CLI too (actor: the command line)."""
    from ..organisations.audit import record_action

    record_action(session, actor=None, action=action, target=target, detail=detail,
                  now=datetime.now(UTC))


@main.group()
def orgs() -> None:
    """Partner organisations, their tracking links and managers."""


@orgs.command("create")
@click.argument("slug")
@click.option("--name", required=True, help="The organisation's name, as learners see it.")
@click.option("--linkedin-id", default=None, help="LinkedIn organisation ID (for certificates).")
@click.option("--contact-name", default=None, help="Who to contact at the organisation.")
@click.option("--contact-email", default=None, help="Their e-mail address.")
def orgs_create(slug: str, name: str, linkedin_id: str | None, contact_name: str | None,
                contact_email: str | None) -> None:
    """Add an organisation (SLUG: lower-case letters, digits and hyphens)."""
    from ..organisations.directory import InvalidSlug, OrganisationExists, create_organisation

    if not name.strip():
        raise click.BadParameter("the name cannot be empty", param_hint="--name")
    with _session() as (_app, session):
        try:
            create_organisation(session, slug=slug, name=name, now=datetime.now(UTC),
                                linkedin_id=linkedin_id, contact_name=contact_name,
                                contact_email=contact_email)
        except InvalidSlug:
            raise click.BadParameter(
                f"'{slug}' is not a slug: use lower-case letters, digits and single hyphens "
                "(at most 60 characters)", param_hint="SLUG") from None
        except OrganisationExists:
            raise click.ClickException(f"the slug '{slug}' is taken by another organisation") from None
        _audit(session, "organisation.create", slug)
        session.commit()
    click.echo(f"courseware: organisation {slug} created")


@orgs.command("link")
@click.argument("slug")
@click.option("--label", required=True, help="The population the link targets.")
@click.option("--utm-source", default=None, help="Visits tagged with this source and campaign "
              "are attributed to the link too.")
@click.option("--utm-campaign", default=None, help="Goes with --utm-source.")
@click.option("--course", "course_slug", default=None, help="Course the link lands on "
              "(default: the first course).")
def orgs_link(slug: str, label: str, utm_source: str | None, utm_campaign: str | None,
              course_slug: str | None) -> None:
    """Add a tracking link to an organisation and print its address."""
    from ..organisations.directory import UtmPairTaken, create_tracking_link, tracking_url

    if not label.strip():
        raise click.BadParameter("the label cannot be empty", param_hint="--label")
    if bool(utm_source) != bool(utm_campaign):
        raise click.UsageError("give --utm-source and --utm-campaign together, or neither")
    with _session() as (app, session):
        if course_slug and app.extensions["courseware.library"].course(course_slug) is None:
            raise click.BadParameter(f"no course '{course_slug}'", param_hint="--course")
        organisation = _organisation(session, slug)
        try:
            link = create_tracking_link(session, organisation, label=label, now=datetime.now(UTC),
                                        utm_source=utm_source, utm_campaign=utm_campaign,
                                        course_slug=course_slug)
        except UtmPairTaken:
            raise click.ClickException(
                f"another link already uses utm_source={utm_source} utm_campaign={utm_campaign}"
            ) from None
        _audit(session, "link.create", f"{slug}/{link.code}", label)
        session.commit()
        code = link.code
        base = app.config.get("BASE_URL")
    if not base:
        click.echo("courseware: COURSEWARE_BASE_URL is not set; printing the path only", err=True)
    click.echo(tracking_url(str(base or ""), code))


@orgs.command("list")
def orgs_list() -> None:
    """Every organisation: slug, name, links, learners (tab-separated)."""
    from ..organisations.directory import organisation_summaries

    with _session() as (_app, session):
        rows = organisation_summaries(session)
    for organisation, links, learners in rows:
        click.echo(f"{organisation.slug}\t{organisation.name}\t{links}\t{learners}")
    click.echo(f"{len(rows)} organisation(s)", err=True)


@orgs.command("add-manager")
@click.argument("slug")
@click.argument("email")
def orgs_add_manager(slug: str, email: str) -> None:
    """Let the account EMAIL see organisation SLUG's figures (safe to repeat)."""
    from ..organisations.directory import add_manager

    with _session() as (_app, session):
        organisation = _organisation(session, slug)
        user = _user(session, email)
        added = add_manager(session, organisation, user, datetime.now(UTC))
        if added:
            _audit(session, "manager.add", slug, user.email)
        session.commit()
    click.echo(f"courseware: {email} {'now manages' if added else 'already manages'} {slug}")


@users.command("grant")
@click.argument("email")
@click.argument("role", type=click.Choice(["admin", "instructor", "learner"]))
def users_grant(email: str, role: str) -> None:
    """Give the account EMAIL a role (learner takes admin and instructor away)."""
    from ..organisations.directory import grant_role

    with _session() as (_app, session):
        user = _user(session, email)
        previous = user.role
        grant_role(session, user, role)
        if previous != role:
            _audit(session, "role.grant", user.email, f"{previous} -> {role}")
        session.commit()
    click.echo(f"courseware: {email} is now {role}")
