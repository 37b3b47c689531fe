"""On a moderator's own page: their place in the community of practice, and stepping out of it (or back in).

Membership is kept by the service (``domain.practice``); this is the moderator's say in it. Stepping out is
remembered for the organisation, so the service does not bring them back; stepping back in lets it.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import flash, g, redirect, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from sqlalchemy import select

from service import links
from service.domain import practice
from service.domain.audit import Actor
from service.errors import invalid_link
from service.extensions import current_settings, db
from service.models import ActorKind, Group, Member, MemberStatus, PracticeOptOut


class PracticeChoiceForm(FlaskForm):
    pass


@dataclass(frozen=True)
class PracticePlace:
    shown: bool  # a member of the community, or someone who stepped out of it
    member: bool
    form: PracticeChoiceForm


def practice_place(member: Member) -> PracticePlace:
    """For the participant page (a Jinja global). Nothing to show on the community's own page."""
    group = member.group
    if group.practice:
        return PracticePlace(False, True, PracticeChoiceForm())
    inside = db.session.execute(
        select(Member.id).join(Group, Group.id == Member.group_id)
        .where(Group.organisation_id == group.organisation_id, Group.practice.is_(True),
               Member.email_key == member.email_key, Member.status == MemberStatus.ACTIVE)
    ).first() is not None
    stepped_out = db.session.get(PracticeOptOut, (group.organisation_id, member.email_key)) is not None
    return PracticePlace(inside or stepped_out, inside, PracticeChoiceForm())


def choose(token: str, stay: bool):
    try:
        member = links.member_from_participant_token(current_settings(), token)
    except links.InvalidLink:
        return invalid_link()
    g.page_language = member.language
    if not PracticeChoiceForm().validate_on_submit():
        return redirect(url_for("participant.page", token=token), 303)
    actor = Actor(ActorKind.MEMBER, member.id, member.group.organisation_id)
    if stay:
        practice.step_back_in(member.group.organisation_id, member.email_key, actor)
        flash(_("C’est noté : vous faites de nouveau partie de la communauté de pratique tant que vous animez."),
              "success")
    else:
        practice.step_out(member.group.organisation_id, member.email_key, actor)
        flash(_("C’est noté : vous ne faites plus partie de la communauté de pratique; ses rencontres à venir sont "
                "annulées dans votre calendrier."), "success")
    return redirect(url_for("participant.page", token=token) + "#communaute", 303)


def step_out(token: str):
    return choose(token, stay=False)


def step_in(token: str):
    return choose(token, stay=True)
