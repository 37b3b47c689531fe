"""Command-line tools (``flask --app service.app <command>``)."""

from __future__ import annotations

import json

import click
from flask import Flask
from flask.cli import with_appcontext

from service.i18n import LANGUAGES
from service.protocol import (
    DURATION_RULES,
    MAX_MEMBERS_EXCEPTION,
    MIN_MEMBERS_EXCEPTION,
    ProtocolError,
    SessionKind,
    build_timeline,
    format_duration,
    render_agenda_text,
)


@click.command("agenda")
@click.option("--kind", type=click.Choice([k.value for k in SessionKind]), default=SessionKind.REGULAR.value)
@click.option("--minutes", type=int, default=None, help="Length of the session (default: the kind's default).")
@click.option(
    "--members",
    type=click.IntRange(MIN_MEMBERS_EXCEPTION, MAX_MEMBERS_EXCEPTION),
    default=6,
    help="Number of members in the group.",
)
@click.option("--lang", type=click.Choice(LANGUAGES), default="fr")
@click.option("--centring", type=int, default=0, help="Which of the guide's centring practices to propose.")
@click.option("--json", "as_json", is_flag=True, help="Print the timeline as JSON.")
def agenda_command(kind, minutes, members, lang, centring, as_json):
    """Print a session's timeline, as the protocol engine builds it."""
    try:
        timeline = build_timeline(kind, minutes, members, lang, centring)
    except ProtocolError as error:
        rule = DURATION_RULES[SessionKind(kind)]
        raise click.BadParameter(
            f"{error} (allowed: {rule.minimum_minutes}-{rule.maximum_minutes})", param_hint="--minutes"
        ) from error
    if as_json:
        click.echo(json.dumps(timeline.as_json(), ensure_ascii=False, indent=2))
        return
    click.echo(render_agenda_text(timeline))
    click.echo()
    for step in timeline.steps:
        click.echo(f"[{format_duration(step.offset_seconds):>9}] {step.title} ({format_duration(step.duration_seconds)})")
        if step.chat_text:
            click.echo(f"    chat: {step.chat_text}")
        click.echo(f"    moderator: {step.moderator_text}")


@click.command("create-coordinator")
@click.argument("email")
@click.option("--name", default=None, help="Display name (default: the part of the address before @).")
@click.option("--organisation", default=None,
              help="Organisation name, created if new (default: ORGANISATION_NAME, else the oldest organisation).")
@click.option("--label", default="cli", help="What the token is for, e.g. the script that will use it.")
@with_appcontext
def create_coordinator_command(email, name, organisation, label):
    """Create a coordinator (or find them) and print a new API bearer token, once."""
    from service.domain.coordinators import create_coordinator
    from service.extensions import current_settings

    try:
        issued = create_coordinator(current_settings(), email, name, organisation, label)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="EMAIL") from error
    coordinator = issued.coordinator
    click.echo(f"Coordinator {coordinator.id} <{coordinator.email}> in organisation "
               f"{coordinator.organisation_id} ({coordinator.organisation.name}).", err=True)
    click.echo("API token (shown once; only its SHA-256 digest is stored):", err=True)
    click.echo(issued.token)


def init_app(app: Flask) -> None:
    app.cli.add_command(agenda_command)
    app.cli.add_command(create_coordinator_command)
