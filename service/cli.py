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
@click.option("--move", is_flag=True,
              help="If the coordinator exists in another organisation, move them to --organisation (they then "
                   "see only its groups). Without it they stay where they are.")
@click.option("--label", default="cli", help="What the token is for, e.g. the script that will use it.")
@with_appcontext
def create_coordinator_command(email, name, organisation, move, label):
    """Create a coordinator (or find them) and print a new API bearer token, once."""
    from service.domain.coordinators import create_coordinator
    from service.extensions import current_settings

    try:
        issued = create_coordinator(current_settings(), email, name, organisation, label, move=move)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="EMAIL") from error
    coordinator = issued.coordinator
    if issued.kept_in is not None:
        click.echo(f"Note: {coordinator.email} already coordinates in organisation {issued.kept_in.id} "
                   f"({issued.kept_in.name}) and stays there, not in \"{organisation}\". "
                   "Add --move to move them (they would then see only that organisation's groups).", err=True)
    if issued.moved_from is not None:
        click.echo(f"Moved from organisation {issued.moved_from.id} ({issued.moved_from.name}): its groups are no "
                   "longer visible to them.", err=True)
    click.echo(f"Coordinator {coordinator.id} <{coordinator.email}> in organisation "
               f"{coordinator.organisation_id} ({coordinator.organisation.name}).", err=True)
    click.echo("API token (shown once; only its SHA-256 digest is stored):", err=True)
    click.echo(issued.token)


@click.command("demo")
@click.option("--email", default=None, help="The demo coordinator's address (default: coordination.demo@exemple.ca).")
@click.option("--wait", "wait_seconds", type=click.FloatRange(0, 300), default=20.0, show_default=True,
              help="Seconds to wait for a worker to create the Zoom meeting, to print its page (0: do not wait).")
@with_appcontext
def demo_command(email, wait_seconds):
    """Create a demo organisation, coordinator, group and a rehearsal starting in two minutes; print the links."""
    from service.demo import COORDINATOR_EMAIL, build_demo, wait_for_meeting
    from service.extensions import current_settings

    settings = current_settings()
    if settings.APP_ENV == "production":
        raise click.UsageError("flask demo invents people and a group: it does not run with APP_ENV=production.")
    demo = build_demo(settings, email or COORDINATOR_EMAIL)
    meeting_url = wait_for_meeting(demo.session_id, wait_seconds) if wait_seconds else None
    lines = [
        f"A rehearsal starts at {demo.starts_at:%H:%M:%S} UTC (in two minutes). Open:",
        "",
        f"1. The coordinator's page: {demo.group_url}",
        f"   Log in first at {demo.login_url} with the local login (development only, no password):",
        f"   e-mail {demo.coordinator_email}.",
        f"2. The moderator's console: {demo.console_url}",
        f"3. A participant's page (the person rehearsing): {demo.participant_url}",
    ]
    if meeting_url:
        lines.append(f"4. The sandbox meeting, whose chat receives the prompts: {meeting_url}")
    elif demo.sandbox_url:
        lines += [f"4. The sandbox meeting, whose chat receives the prompts: listed at {demo.sandbox_url}",
                  "   once a worker has created it (scripts/run starts the worker, the scheduler and the sandbox)."]
    else:
        lines.append("4. The Zoom meeting: its join link is on the coordinator's page once a worker created it.")
    lines += ["", f"API token for {demo.coordinator_email} (shown once): {demo.api_token}"]
    click.echo("\n".join(lines))


def init_app(app: Flask) -> None:
    app.cli.add_command(agenda_command)
    app.cli.add_command(create_coordinator_command)
    app.cli.add_command(demo_command)
