"""Command-line tools (``flask --app service.app <command>``)."""

from __future__ import annotations

import json

import click
from flask import Flask

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


def init_app(app: Flask) -> None:
    app.cli.add_command(agenda_command)
