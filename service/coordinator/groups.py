"""Groups and their members: list, create, check as one types, change, share, delete."""

from __future__ import annotations

import hashlib

from flask import flash, jsonify, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _

from service.coordinator.forms import (
    ConfirmForm,
    BLANK_MEMBER_ROWS,
    NEW_GROUP_ROWS,
    DeleteGroupForm,
    GroupForm,
    GroupSettingsForm,
    MemberForm,
    ModeratorArrangementForm,
    ShareForm,
    field_errors,
    parse_int,
    place_errors,
)
from service.coordinator.polls import polls_of as group_polls
from service.coordinator.identity import actor, current_coordinator, language, reach, reach_group
from service.domain import access, groups, overview
from service.domain.errors import DomainError
from service.elision import elide
from service.models import GroupStatus, MemberStatus

# A member edited on their own form: the domain names their fields after their row in the group.
MEMBER_ROW = r"^members-\d+-"


def group_list():
    summaries = overview.group_summaries(access.coordinated_groups(current_coordinator()))
    return render_template("coordinator/groups.html", summaries=summaries)


def new_group():
    form = GroupForm()
    general: list[str] = []
    status = 200
    if request.method == "POST" and form.validate_on_submit():
        if form.add_row.data:
            blanks = sum(1 for entry in form.members.entries if entry.form.is_blank())
            form.keep_blank_rows(max(BLANK_MEMBER_ROWS, blanks) + 1)
        else:
            draft, renames = form.draft()
            try:
                group = groups.create_group(draft, actor())
            except DomainError as error:
                general = place_errors(form, error, language(), renames)
                status = 422
            else:
                flash(_("Le groupe « %(name)s » est créé. Prochaine étape : planifier sa rencontre de démarrage.",
                        name=group.name), "success")
                return redirect(url_for("coordinator.schedule", group_id=group.id))
    elif request.method == "POST":
        status = 400
    if request.method == "GET":
        form.keep_blank_rows(NEW_GROUP_ROWS)
    else:
        form.keep_blank_rows()
    return render_template("coordinator/group_new.html", form=form, general_errors=general), status


def validate_new_group():
    """The live check as the coordinator types: the same rules as on submit, messages by field name."""
    form = GroupForm()
    if not form.validate_on_submit():
        return jsonify(errors={}, general=[_("Le formulaire a expiré. Rechargez la page et réessayez.")]), 400
    draft, renames = form.draft()
    violations = groups.validate_group(draft)
    general = place_errors(form, DomainError(violations), language(), renames) if violations else []
    as_posted = form.posted_row_prefixes(request.form)
    errors = {}
    for name, messages in field_errors(form).items():
        prefix = next((p for p in as_posted if name.startswith(p)), None)
        errors[as_posted[prefix] + name[len(prefix):] if prefix else name] = messages
    return jsonify(errors=errors, general=general)


def group_page(group_id: int):
    group = reach_group(group_id)
    views = overview.session_views(group, include_all=request.args.get("all") == "1")
    return render_template("coordinator/group.html", group=group, views=views,
                           series=overview.active_series(group), has_kickoff=overview.has_kickoff(group),
                           coordinators=access.coordinators_of(group), show_all=request.args.get("all") == "1",
                           polls=group_polls(group))


def sessions_fragment(group_id: int):
    """The sessions table alone, for the page's periodic refresh; 304 when nothing changed."""
    group = reach_group(group_id)
    views = overview.session_views(group, include_all=request.args.get("all") == "1")
    body = render_template("coordinator/_sessions.html", group=group, views=views)
    etag = hashlib.sha256(body.encode()).hexdigest()[:32]
    if etag in request.if_none_match:
        return "", 304, {"ETag": f'"{etag}"'}
    response = make_response(body)
    response.set_etag(etag)
    return response


def edit_group(group_id: int):
    group = reach_group(group_id)
    form = GroupSettingsForm(obj=group)
    general: list[str] = []
    status = 200
    if form.validate_on_submit():
        try:
            groups.update_group_settings(group, form.name.data or "", form.language.data or "", form.timezone.data
                                         or "", bool(form.neutral_invite_title.data),
                                         bool(form.chat_prompts_enabled.data),
                                         bool(form.size_exception_confirmed.data), actor())
        except DomainError as error:
            general = place_errors(form, error, language())
            status = 422
        else:
            flash(_("Les réglages du groupe sont enregistrés."), "success")
            return redirect(url_for("coordinator.group", group_id=group.id))
    return _edit_page(group, settings_form=form, general=general), status


def _edit_page(group, settings_form=None, member_form=None, arrangement_form=None, share_form=None, general=None):
    external = group.external_moderator
    if arrangement_form is None:
        arrangement_form = ModeratorArrangementForm(
            formdata=None, external_moderator_sessions=str(group.external_moderator_sessions) if external else "0",
            external_moderator={"display_name": external.display_name, "email": external.email,
                                "language": external.language} if external else None)
    return render_template(
        "coordinator/group_edit.html", group=group,
        settings_form=settings_form or GroupSettingsForm(formdata=None, obj=group),
        member_form=member_form or MemberForm(formdata=None),
        arrangement_form=arrangement_form,
        share_form=share_form or ShareForm(formdata=None), confirm_form=ConfirmForm(formdata=None),
        coordinators=access.coordinators_of(group), general_errors=general or [],
        former=[m for m in group.members if m.status is MemberStatus.LEFT],
    )


def add_member(group_id: int):
    group = reach_group(group_id)
    form = MemberForm()
    if form.validate_on_submit():
        try:
            member = groups.add_member(group, form.draft(), actor())
        except DomainError as error:
            general = place_errors(form, error, language(), strip=MEMBER_ROW)
            return _edit_page(group, member_form=form, general=general), 422
        flash(_("%(name)s fait maintenant partie du groupe et recevra les invitations des rencontres à venir.",
                name=member.display_name), "success")
    return redirect(url_for("coordinator.edit_group", group_id=group.id) + "#membres")


def edit_member(group_id: int, member_id: int):
    group = reach_group(group_id)
    member = reach(access.member_for, group, member_id)
    if member.status is MemberStatus.LEFT:
        return redirect(url_for("coordinator.edit_group", group_id=group.id))
    form = MemberForm(obj=member)
    general: list[str] = []
    status = 200
    if form.validate_on_submit():
        try:
            groups.update_member(member, form.draft(), actor())
        except DomainError as error:
            general = place_errors(form, error, language(), strip=MEMBER_ROW)
            status = 422
        else:
            flash(elide(_("Les renseignements de %(name)s sont enregistrés.", name=member.display_name),
                        [member.display_name], language()), "success")
            return redirect(url_for("coordinator.edit_group", group_id=group.id) + "#membres")
    return render_template("coordinator/member_edit.html", group=group, member=member, form=form,
                           general_errors=general), status


def member_leaves(group_id: int, member_id: int):
    group = reach_group(group_id)
    member = reach(access.member_for, group, member_id)
    if ConfirmForm().validate_on_submit():
        groups.member_leaves(member, actor())
        flash(_("%(name)s ne fait plus partie du groupe : les rencontres à venir sont annulées dans son calendrier "
                "et plus rien ne lui sera envoyé.", name=member.display_name), "success")
    return redirect(url_for("coordinator.edit_group", group_id=group.id) + "#membres")


def moderator_arrangement(group_id: int):
    group = reach_group(group_id)
    form = ModeratorArrangementForm()
    if form.validate_on_submit():
        subform = form.external_moderator.form
        external = None if subform.is_blank() else subform.draft()
        sessions = parse_int(form.external_moderator_sessions, default=0)
        try:
            groups.set_moderator_arrangement(group, external, -1 if sessions is None else sessions, actor())
        except DomainError as error:
            general = place_errors(form, error, language())
            return _edit_page(group, arrangement_form=form, general=general), 422
        flash(_("L’animation est enregistrée; les personnes modératrices des rencontres à venir sont mises à jour."), "success")
    return redirect(url_for("coordinator.edit_group", group_id=group.id) + "#animation")


def share_group(group_id: int):
    group = reach_group(group_id)
    form = ShareForm()
    if form.validate_on_submit():
        try:
            other = access.share_group(group, form.email.data or "", actor())
        except DomainError as error:
            general = place_errors(form, error, language())
            return _edit_page(group, share_form=form, general=general), 422
        flash(_("%(name)s peut maintenant voir et modifier ce groupe.", name=other.display_name), "success")
    return redirect(url_for("coordinator.edit_group", group_id=group.id) + "#partage")


def stop_sharing(group_id: int, coordinator_id: int):
    group = reach_group(group_id)
    if ConfirmForm().validate_on_submit():
        try:
            access.stop_sharing(group, coordinator_id, actor())
        except DomainError as error:
            flash(" ".join(error.messages(language())), "error")
        else:
            if coordinator_id == current_coordinator().id:
                flash(_("Vous ne coordonnez plus ce groupe."), "success")
                return redirect(url_for("coordinator.groups"))
    return redirect(url_for("coordinator.edit_group", group_id=group.id) + "#partage")


def delete_group(group_id: int):
    group = reach_group(group_id)
    if group.status is GroupStatus.DELETING:
        flash(_("Ce groupe est déjà en cours de suppression."), "warning")
        return redirect(url_for("coordinator.groups"))
    form = DeleteGroupForm()
    status = 200
    if form.validate_on_submit():
        if form.confirm.data:
            name = group.name
            groups.delete_group(group, actor())
            flash(_("Le groupe « %(name)s » est supprimé : les rencontres à venir sont annulées et les "
                    "renseignements personnels de ses membres seront effacés dès l’envoi des annulations.",
                    name=name), "success")
            return redirect(url_for("coordinator.groups"))
        form.confirm.errors = [_("Cochez la case pour confirmer la suppression.")]
        status = 422
    views = [v for v in overview.session_views(group) if v.can_change]
    return render_template("coordinator/group_delete.html", group=group, form=form, upcoming=len(views)), status
