"""The JSON API: the same operations as the coordinator's pages, through the same domain services."""

from __future__ import annotations

from functools import wraps

from flask import abort, g, jsonify, request, url_for
from pydantic import BaseModel, ValidationError

from service.api import representations as rep
from service.api import schemas
from service.domain import access, groups, invitations, meetings, overview, polls, scheduling
from service.domain.clock import to_utc
from service.domain.poll_choice import Slot
from service.domain.audit import Actor
from service.domain.coordinators import coordinator_for_token
from service.domain.errors import DomainError, NotFound
from service.domain.groups import GroupDraft
from service.domain.rules import MemberDraft
from service.i18n import LANGUAGES, N_, gettext
from service.models import GroupStatus
from service.protocol import SessionKind


def language() -> str:
    return request.accept_languages.best_match(LANGUAGES) or "fr"


def _problem(status: int, code: str, message_id: str, violations: list[dict] | None = None):
    """An error answer: ``{"error": {status, code, message, violations?}}`` in the caller's language."""
    error = {"status": status, "code": code, "message": gettext(language(), message_id)}
    if violations is not None:
        error["violations"] = violations
    response = jsonify(error=error)
    response.status_code = status
    return response


def authenticated(view):
    """Bearer token from ``flask create-coordinator``; a missing or unknown token gets the same 401."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        coordinator = coordinator_for_token(token.strip()) if scheme.lower() == "bearer" else None
        if coordinator is None:
            response = _problem(401, "unauthorized", N_("Jeton d’accès manquant ou invalide."))
            response.headers["WWW-Authenticate"] = 'Bearer realm="entre-pairs"'
            return response
        g.api_coordinator = coordinator
        try:
            return view(*args, **kwargs)
        except NotFound:
            return _problem(404, "not_found", N_("Cette ressource n’existe pas."))
        except DomainError as error:
            return _problem(422, "rules", N_("Certaines informations ne sont pas valides."),
                            [v.as_dict(language()) for v in error.violations])

    return wrapped


# pydantic's error types, in the caller's language (its own messages are English); the ``ctx`` fills them.
SCHEMA_MESSAGES = {
    "missing": N_("Ce champ est obligatoire."),
    "extra_forbidden": N_("Ce champ n’existe pas."),
    "string_too_long": N_("Au plus %(max_length)s caractères."),
    "string_too_short": N_("Ce texte ne peut pas être vide."),
    "string_pattern_mismatch": N_("Cette valeur n’a pas la forme attendue (voir le document OpenAPI)."),
    "string_type": N_("Indiquez un texte."),
    "bool_type": N_("Indiquez true ou false."),
    "int_type": N_("Indiquez un nombre entier."),
    "greater_than_equal": N_("Au moins %(ge)s."),
    "less_than_equal": N_("Au plus %(le)s."),
    "literal_error": N_("Cette valeur ne fait pas partie des choix permis."),
    "too_long": N_("Au plus %(max_length)s éléments."),
    "list_type": N_("Indiquez une liste."),
    "model_type": N_("Indiquez un objet JSON."),
    "json_invalid": N_("Ce contenu JSON n’est pas valide."),
}


def _schema_violation(item) -> dict:
    message_id = SCHEMA_MESSAGES.get(item["type"])
    if message_id is None:  # our own validators' messages are French message ids; pydantic's others stay English
        message = gettext(language(), item["msg"])
    else:
        message = gettext(language(), message_id, **{k: v for k, v in (item.get("ctx") or {}).items()
                                                     if f"%({k})s" in message_id})
    return {"code": item["type"], "field": ".".join(str(part) for part in item["loc"]) or None, "message": message}


def body(model: type[BaseModel]):
    """The request's JSON body, validated; a 422 naming each bad field otherwise."""
    if request.get_json(silent=True) is None:
        abort(_problem(400 if request.is_json else 415, "body",
                       N_("Envoyez un corps JSON (Content-Type: application/json).")))
    try:
        # JSON mode: the strict models take JSON's own types, and dates written as strings.
        return model.model_validate_json(request.get_data())
    except ValidationError as error:
        violations = [_schema_violation(item) for item in error.errors(include_url=False, include_input=False)]
        abort(_problem(422, "schema", N_("Certaines informations ne sont pas valides."), violations))


def _coordinator():
    return g.api_coordinator


def _actor() -> Actor:
    return Actor.coordinator(_coordinator())


def _group(group_id: int):
    return access.group_for(_coordinator(), group_id)


def _member_draft(item: schemas.MemberIn | schemas.ExternalModeratorIn) -> MemberDraft:
    return MemberDraft(item.display_name, item.email, item.language, getattr(item, "reports_to_email", None),
                       getattr(item, "is_trained_moderator", True), consent_already_given=item.consent_already_given)


def _group_draft(data: schemas.GroupIn) -> GroupDraft:
    return GroupDraft(
        name=data.name, language=data.language, timezone=data.timezone,
        members=[_member_draft(m) for m in data.members], size_exception_confirmed=data.size_exception_confirmed,
        neutral_invite_title=data.neutral_invite_title, chat_prompts_enabled=data.chat_prompts_enabled,
        external_moderator=_member_draft(data.external_moderator) if data.external_moderator else None,
        external_moderator_sessions=data.external_moderator_sessions,
    )


# ------------------------------------------------------------------------------------------------- groups

@authenticated
def list_groups():
    return jsonify(groups=[rep.group_json(g) for g in access.coordinated_groups(_coordinator())])


@authenticated
def create_group():
    group = groups.create_group(_group_draft(body(schemas.GroupIn)), _actor())
    return jsonify(rep.group_json(group)), 201


@authenticated
def validate_group():
    violations = groups.validate_group(_group_draft(body(schemas.GroupIn)))
    return jsonify(valid=not violations, violations=[v.as_dict(language()) for v in violations])


@authenticated
def get_group(group_id: int):
    return jsonify(rep.group_json(_group(group_id)))


@authenticated
def update_group(group_id: int):
    group = _group(group_id)
    data = body(schemas.GroupSettingsIn)
    groups.update_group_settings(group, data.name, data.language, data.timezone, data.neutral_invite_title,
                                 data.chat_prompts_enabled, data.size_exception_confirmed, _actor())
    return jsonify(rep.group_json(group))


@authenticated
def delete_group(group_id: int):
    group = _group(group_id)
    if group.status is not GroupStatus.DELETING:
        groups.delete_group(group, _actor())
    return "", 204


@authenticated
def share_group(group_id: int):
    group = _group(group_id)
    other = access.share_group(group, body(schemas.ShareIn).email, _actor())
    return jsonify(coordinator_id=other.id), 200


# ------------------------------------------------------------------------------------------------ members

@authenticated
def add_member(group_id: int):
    member = groups.add_member(_group(group_id), _member_draft(body(schemas.MemberIn)), _actor())
    return jsonify(rep.member_json(member)), 201


@authenticated
def update_member(group_id: int, member_id: int):
    member = access.member_for(_coordinator(), _group(group_id), member_id)
    groups.update_member(member, _member_draft(body(schemas.MemberIn)), _actor())
    return jsonify(rep.member_json(member))


@authenticated
def member_leaves(group_id: int, member_id: int):
    groups.member_leaves(access.member_for(_coordinator(), _group(group_id), member_id), _actor())
    return "", 204


# ----------------------------------------------------------------------------------------------- sessions

@authenticated
def list_sessions(group_id: int):
    group = _group(group_id)
    lang = language()
    return jsonify(sessions=[rep.session_json(v, lang) for v in overview.session_views(group, include_all=True)])


@authenticated
def schedule_session(group_id: int):
    group = _group(group_id)
    data = body(schemas.SessionIn)
    moderator = access.member_for(_coordinator(), group, data.moderator_id) if data.moderator_id else None
    session = scheduling.schedule_session(group, SessionKind(data.kind), data.starts_at, data.duration_minutes,
                                          _actor(), moderator=moderator,
                                          supervisor_agreement=data.supervisor_agreement,
                                          daylight_saving_confirmed=data.daylight_saving_confirmed,
                                          before_kickoff_confirmed=data.before_kickoff_confirmed,
                                          second_kickoff_confirmed=data.second_kickoff_confirmed)
    # The plan answers at once; its statuses (meeting, invitations) are followed with GET.
    location = url_for("api.get_session", group_id=group_id, session_id=session.id)
    return jsonify(rep.scheduled_json(session)), 201, {"Location": location}


@authenticated
def schedule_series(group_id: int):
    group = _group(group_id)
    data = body(schemas.SeriesIn)
    plan = scheduling.SeriesPlan(first_date=data.first_date, local_time=data.local_time,
                                 duration_minutes=data.duration_minutes, interval_weeks=data.interval_weeks,
                                 occurrence_count=data.occurrence_count, until_date=data.until_date)
    series = scheduling.schedule_series(group, plan, _actor(), supervisor_agreement=data.supervisor_agreement,
                                        daylight_saving_confirmed=data.daylight_saving_confirmed,
                                        before_kickoff_confirmed=data.before_kickoff_confirmed)
    return jsonify(rep.series_json(series)), 201


@authenticated
def preview_series(group_id: int):
    """The dates a series would have, in the group's zone, with what scheduling it would refuse or ask; nothing
    is saved (the same checks as ``POST …/series``)."""
    group = _group(group_id)
    data = body(schemas.SeriesIn)
    plan = scheduling.SeriesPlan(first_date=data.first_date, local_time=data.local_time,
                                 duration_minutes=data.duration_minutes, interval_weeks=data.interval_weeks,
                                 occurrence_count=data.occurrence_count, until_date=data.until_date)
    preview = scheduling.preview_series(group, plan, supervisor_agreement=data.supervisor_agreement,
                                        daylight_saving_confirmed=data.daylight_saving_confirmed,
                                        before_kickoff_confirmed=data.before_kickoff_confirmed)
    return jsonify(rep.series_preview_json(preview, group.timezone, language()))


@authenticated
def get_session(group_id: int, session_id: int):
    session = access.session_for(_coordinator(), _group(group_id), session_id)
    return jsonify(rep.session_json(overview.session_view(session), language()))


@authenticated
def reschedule_session(group_id: int, session_id: int):
    session = access.session_for(_coordinator(), _group(group_id), session_id)
    data = body(schemas.RescheduleSessionIn)
    scheduling.reschedule_session(session, data.starts_at, data.duration_minutes, _actor(),
                                  supervisor_agreement=data.supervisor_agreement,
                                  daylight_saving_confirmed=data.daylight_saving_confirmed)
    return jsonify(rep.session_json(overview.session_view(session), language()))


@authenticated
def cancel_session(group_id: int, session_id: int):
    scheduling.cancel_session(access.session_for(_coordinator(), _group(group_id), session_id), _actor())
    return "", 204


@authenticated
def change_moderator(group_id: int, session_id: int):
    group = _group(group_id)
    session = access.session_for(_coordinator(), group, session_id)
    moderator = access.member_for(_coordinator(), group, body(schemas.ModeratorIn).moderator_id)
    scheduling.change_moderator(session, moderator, _actor())
    return jsonify(rep.session_json(overview.session_view(session), language()))


@authenticated
def recreate_meeting(group_id: int, session_id: int):
    session = access.session_for(_coordinator(), _group(group_id), session_id)
    if session.zoom_meeting is not None:
        meetings.recreate_meeting(session.zoom_meeting, _actor())
    return jsonify(rep.session_json(overview.session_view(session), language()))


@authenticated
def resend_invite(group_id: int, invite_id: int):
    invite = access.invite_for(_coordinator(), _group(group_id), invite_id)
    invitations.resend_invite(invite, _actor())
    return jsonify(invite_id=invite.id, status=invite.status.value)


@authenticated
def reschedule_series(group_id: int, series_id: int):
    return move_series(access.series_for(_coordinator(), _group(group_id), series_id))


def move_series(series):
    """A group's or the community of practice's series, moved as the body says."""
    data = body(schemas.RescheduleSeriesIn)
    scheduling.reschedule_series(series, data.local_time, data.duration_minutes, _actor(), weekday=data.weekday,
                                 supervisor_agreement=data.supervisor_agreement,
                                 daylight_saving_confirmed=data.daylight_saving_confirmed)
    return jsonify(rep.series_json(series))


@authenticated
def preview_series_move(group_id: int, series_id: int):
    """Where each upcoming session would move, with what moving it would refuse or ask; nothing changes (the
    same checks as ``PATCH …/series/<id>``)."""
    return show_series_move(access.series_for(_coordinator(), _group(group_id), series_id))


def show_series_move(series):
    """Where a group's or the community's series would move, as the body says; nothing changes."""
    data = body(schemas.RescheduleSeriesIn)
    move = scheduling.preview_series_move(series, data.local_time, data.duration_minutes, weekday=data.weekday,
                                          supervisor_agreement=data.supervisor_agreement,
                                          daylight_saving_confirmed=data.daylight_saving_confirmed)
    return jsonify(rep.series_move_json(move, series.timezone, language()))


@authenticated
def cancel_series(group_id: int, series_id: int):
    scheduling.cancel_series(access.series_for(_coordinator(), _group(group_id), series_id), _actor())
    return "", 204


# ------------------------------------------------------------------------------------------------- polls

@authenticated
def list_polls(group_id: int):
    return jsonify(polls=[rep.poll_summary_json(p) for p in polls.polls_of(_group(group_id))])


@authenticated
def open_poll(group_id: int):
    group = _group(group_id)
    data = body(schemas.PollIn)
    slots = [Slot(s.weekday, s.local_time.replace(second=0, microsecond=0, tzinfo=None), s.duration_minutes)
             for s in data.slots]
    draft = polls.PollDraft(slots=slots, interval_weeks=data.interval_weeks, occurrence_count=data.occurrence_count,
                            closes_at=to_utc(data.closes_at, group.timezone))
    poll = polls.open_poll(group, draft, _actor())
    location = url_for("api.get_poll", group_id=group_id, poll_id=poll.id)
    return jsonify(rep.poll_json(poll)), 201, {"Location": location}


@authenticated
def get_poll(group_id: int, poll_id: int):
    return jsonify(rep.poll_json(access.poll_for(_coordinator(), _group(group_id), poll_id)))


@authenticated
def remind_poll(group_id: int, poll_id: int):
    poll = access.poll_for(_coordinator(), _group(group_id), poll_id)
    polls.send_reminder(poll, _actor())
    return jsonify(rep.poll_json(poll))


@authenticated
def decide_poll(group_id: int, poll_id: int):
    poll = access.poll_for(_coordinator(), _group(group_id), poll_id)
    data = body(schemas.PollDecisionIn)
    series = polls.decide(poll, data.slot, data.first_date, data.supervisor_agreement, _actor())
    return jsonify(rep.series_json(series)), 201
