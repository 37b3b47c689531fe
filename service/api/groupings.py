"""The JSON API for groups proposed from the pool: propose, check an edited proposal, accept."""

from __future__ import annotations

from flask import jsonify

from service.api import representations as rep
from service.api import schemas
from service.api.controllers import _actor, _coordinator, authenticated, body, language
from service.domain import groupings
from service.grouping.slots import window_to_mapping
from service.i18n import gettext


def proposed_group_json(check: groupings.GroupCheck, lang: str) -> dict:
    return {
        "volunteer_ids": [volunteer.id for volunteer in check.volunteers],
        "language": check.language,
        "common_slots": [window_to_mapping(window) for window in check.common_windows],
        "common_slot_count": check.common_slot_count,
        "team": check.team,
        "team_share": check.team_share,
        "has_trained_moderator": check.has_trained_moderator,
        "valid": check.valid,
        "problems": [problem.as_dict(lang) for problem in check.problems],
    }


@authenticated
def propose_groupings():
    data = body(schemas.GroupingIn)
    lang = language()
    proposal = groupings.propose(_coordinator().organisation, data.volunteer_ids, data.target_size)
    return jsonify(
        groups=[proposed_group_json(group, lang) for group in proposal.groups],
        unplaced=[{"volunteer_id": item.volunteer.id, "reason": item.reason,
                   "message": gettext(lang, item.message_id)} for item in proposal.unplaced])


@authenticated
def check_groupings():
    data = body(schemas.GroupingCheckIn)
    lang = language()
    checks = groupings.check(_coordinator().organisation, [group.volunteer_ids for group in data.groups])
    return jsonify(valid=all(check.valid for check in checks),
                   groups=[proposed_group_json(check, lang) for check in checks])


@authenticated
def accept_groupings():
    data = body(schemas.GroupingAcceptIn)
    created = groupings.accept(_coordinator().organisation,
                               [groupings.AcceptedGroup(group.name, tuple(group.volunteer_ids))
                                for group in data.groups], _actor())
    return jsonify(groups=[rep.group_json(group) for group in created]), 201
