"""Groups proposed from the pool: propose, move people between the proposed groups (rules checked again at each
change, with or without JavaScript), accept. The proposal lives in the page's form, not on the server."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import time

from babel.dates import get_day_names
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from service.coordinator.forms import ConfirmForm
from service.coordinator.identity import actor, current_coordinator, language
from service.domain import groupings
from service.domain.errors import DomainError
from service.domain.organisation_settings import teams_of
from service.formatting import wall_time, zone_name
from service.grouping import DEFAULT_TARGET_SIZE, Window
from service.grouping.values import MAX_MEMBERS, MIN_MEMBERS
from service.i18n import N_, gettext, locale_for

MAX_PEOPLE = 5000
OUT = ""  # the select's value for "in no group"
NEW = "new"
_ID = re.compile(r"^\d{1,9}$")


@dataclass(frozen=True)
class ShownGroup:
    number: int
    name: str
    check: groupings.GroupCheck


@dataclass(frozen=True)
class ShownOutsider:
    volunteer: object
    reason: str  # a code of groupings.REASON_MESSAGES, or "" when the coordinator took the person out


def _organisation():
    return current_coordinator().organisation


def _team_names() -> dict[str, str]:
    return {team.key: team.name(language()) for team in teams_of(_organisation())}


def describe_window(window: Window, lang: str) -> str:
    """« mardi de 12 h 00 à 13 h 00 » / "Tuesday from 12:00 p.m. to 1:00 p.m." (the organisation's local time),
    times written as on every other page (service/formatting.py)."""
    day = get_day_names("wide", locale=locale_for(lang))[window.weekday - 1]

    def clock(minutes: int) -> str:
        # Non-breaking spaces: « 13 h 30 » stays whole when the column wraps.
        if minutes >= 24 * 60:
            return "24\u00a0h\u00a000" if lang == "fr" else "midnight"
        return wall_time(time(*divmod(minutes, 60)), lang).replace(" ", "\u00a0")

    return gettext(lang, N_("%(day)s de %(start)s à %(end)s"), day=day, start=clock(window.start), end=clock(window.end))


def _default_names(checks: Sequence[groupings.GroupCheck], teams: dict[str, str]) -> list[str]:
    """« Urgence 1 », « Urgence 2 » for groups of one team, « Groupe 1 »… for the others."""
    counts: Counter[str | None] = Counter()
    names = []
    for check in checks:
        team = check.team if check.team and check.team_share == 1.0 else None
        counts[team] += 1
        names.append(f"{teams.get(team, team)} {counts[team]}" if team else _("Groupe %(number)s", number=counts[team]))
    return names


def groupings_page():
    form = ConfirmForm()
    lang = language()
    if request.method == "GET" or not form.validate_on_submit():
        status = 400 if request.method == "POST" else 200
        return render_template("coordinator/groupings.html", form=form, shown=None, target_size=DEFAULT_TARGET_SIZE,
                               available=_available_count(), min_members=MIN_MEMBERS,
                               max_members=MAX_MEMBERS), status
    action = request.form.get("action", "check")
    target_size = _target_size()
    if action == "propose":
        proposal = groupings.propose(_organisation(), target_size=target_size)
        teams = _team_names()
        shown = [ShownGroup(number, name, check) for number, (name, check)
                 in enumerate(zip(_default_names(proposal.groups, teams), proposal.groups, strict=True), start=1)]
        outsiders = [ShownOutsider(item.volunteer, item.reason) for item in proposal.unplaced]
        return _render(form, shown, outsiders, target_size, lang)
    names, groups, outsiders = _edited()
    errors: list[str] = []
    if action == "accept":
        try:
            created = groupings.accept(_organisation(), [groupings.AcceptedGroup(name, tuple(ids))
                                                         for name, ids in zip(names, groups, strict=True)], actor())
        except DomainError as error:
            errors = error.messages(lang)
        else:
            flash(ngettext("%(num)s groupe est formé. Ses membres reçoivent leurs invitations dès que vous "
                           "planifiez la rencontre de démarrage.",
                           "%(num)s groupes sont formés. Leurs membres reçoivent leurs invitations dès que vous "
                           "planifiez leur rencontre de démarrage.", len(created)), "success")
            return redirect(url_for("coordinator.groups"))
    try:
        checks = groupings.check(_organisation(), groups) if groups else ()
    except DomainError as error:  # a volunteer withdrew (their row is erased) since the page was shown
        return _render(form, [], [], target_size, lang, error.messages(lang), status=422)
    shown = [ShownGroup(number, name, check)
             for number, (name, check) in enumerate(zip(names, checks, strict=True), start=1)]
    return _render(form, shown, outsiders, target_size, lang, errors, status=422 if errors else 200)


def _render(form, shown, outsiders, target_size, lang, errors=(), status=200):
    template = ("coordinator/_grouping_proposal.html" if request.headers.get("X-Fragment") == "proposal"
                else "coordinator/groupings.html")
    return render_template(template, form=form, shown=shown, outsiders=outsiders, target_size=target_size,
                           errors=list(errors), teams=_team_names(), describe_window=describe_window,
                           zone=zone_name(_organisation().timezone, lang), available=_available_count(),
                           min_members=MIN_MEMBERS, max_members=MAX_MEMBERS,
                           reason_messages=groupings.REASON_MESSAGES,
                           all_valid=bool(shown) and all(group.check.valid for group in shown)), status


def _available_count() -> int:
    return groupings.count_available(_organisation())


def _target_size() -> int:
    raw = request.form.get("target_size", "")
    value = int(raw) if raw.isdigit() and len(raw) < 3 else DEFAULT_TARGET_SIZE
    return min(max(value, MIN_MEMBERS), MAX_MEMBERS)


def _edited() -> tuple[list[str], list[list[int]], list[ShownOutsider]]:
    """The proposal as the coordinator left it: group names, each person's chosen group, and who is outside."""
    ids = [int(raw) for raw in request.form.getlist("volunteer")[:MAX_PEOPLE] if _ID.match(raw)]
    count = request.form.get("count", "0")
    count = min(int(count), MAX_PEOPLE) if count.isdigit() and len(count) < 6 else 0
    chosen: dict[int, int | None] = {}
    extra = False
    for volunteer_id in dict.fromkeys(ids):
        value = request.form.get(f"group-{volunteer_id}", OUT)
        if value == NEW:
            chosen[volunteer_id], extra = count, True
        elif value.isdigit() and int(value) < count:
            chosen[volunteer_id] = int(value)
        else:
            chosen[volunteer_id] = None
    numbers = range(count + (1 if extra else 0))
    members = {number: [volunteer_id for volunteer_id, group in chosen.items() if group == number]
               for number in numbers}
    kept = [number for number in numbers if members[number]]
    names = [request.form.get(f"name-{number}", "")[:200] or _("Groupe %(number)s", number=position)
             for position, number in enumerate(kept, start=1)]
    everyone = groupings.volunteers_by_id(_organisation(), [i for i, group in chosen.items() if group is None])
    outsiders = []
    for volunteer_id, group in chosen.items():
        if group is None and volunteer_id in everyone:
            reason = request.form.get(f"reason-{volunteer_id}", "")
            outsiders.append(ShownOutsider(everyone[volunteer_id],
                                           reason if reason in groupings.REASON_MESSAGES else ""))
    return names, [members[number] for number in kept], outsiders

