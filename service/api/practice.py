"""The JSON API for supporting moderators: the organisation's supervisors and its community of practice.

Coordinators see who is a member and which sessions are planned; never the debriefs nor who asked to talk (a count
of requests no supervisor can receive, so that someone names one).
"""

from __future__ import annotations

from flask import jsonify

from service.api.controllers import _actor, _coordinator, authenticated, body, move_series, show_series_move
from service.api.representations import scheduled_json, series_json
from service.api.schemas import PracticeSeriesIn, SupervisorIn
from service.domain import practice, supervisor_links, supervisors
from service.domain.scheduling import SeriesPlan, cancel_series
from service.models import Supervisor


def supervisor_json(supervisor: Supervisor) -> dict:
    return {
        "id": supervisor.id,
        "display_name": supervisor.display_name,
        "email": supervisor.email,
        "language": supervisor.language,
        # Also a member of this many of the organisation's groups: allowed, shown.
        "member_of_groups": supervisors.also_in_groups(supervisor),
        # The e-mail with their link: sending, sent or refused (null: named before this was recorded).
        "link_delivery": state.value if (state := supervisor_links.link_delivery(supervisor)) else None,
    }


def _organisation_id() -> int:
    return _coordinator().organisation_id


@authenticated
def list_supervisors():
    organisation_id = _organisation_id()
    return jsonify(supervisors=[supervisor_json(s) for s in practice.supervisors_of(organisation_id)],
                   unattended_requests=supervisors.unattended_requests(organisation_id))


@authenticated
def add_supervisor():
    data = body(SupervisorIn)
    supervisor = supervisors.add_supervisor(_organisation_id(), data.display_name, data.email, data.language, _actor())
    return jsonify(supervisor_json(supervisor)), 201


@authenticated
def send_link_again(supervisor_id: int):
    supervisor = supervisors.supervisor_for(_organisation_id(), supervisor_id)
    supervisor_links.send_again(supervisor, _actor())
    return jsonify(supervisor_json(supervisor))


@authenticated
def remove_supervisor(supervisor_id: int):
    supervisors.remove_supervisor(supervisors.supervisor_for(_organisation_id(), supervisor_id), _actor())
    return "", 204


@authenticated
def get_practice():
    organisation_id = _organisation_id()
    groups = practice.communities(organisation_id)
    members = [{"id": m.id, "display_name": m.display_name, "email": m.email, "language": m.language,
                "community": language_code, "role": practice.role_of(m)}
               for language_code, group in groups.items() for m in group.active_members]
    sessions = [{**scheduled_json(s), "language": s.language}
                for s in practice.practice_sessions(organisation_id)]
    return jsonify(communities=[{"id": g.id, "language": code, "timezone": g.timezone,
                                 "hierarchy_notes": practice.hierarchy_notes(g)} for code, g in groups.items()],
                   members=members, sessions=sessions,
                   unattended_requests=supervisors.unattended_requests(organisation_id))


@authenticated
def schedule_practice_series():
    data = body(PracticeSeriesIn)
    plan = SeriesPlan(first_date=data.first_date, local_time=data.local_time, duration_minutes=data.duration_minutes,
                      interval_weeks=data.interval_weeks, occurrence_count=data.occurrence_count)
    series = practice.schedule_practice_series(_organisation_id(), plan, data.language, data.timezone, _actor(),
                                               supervisor_agreement=data.supervisor_agreement)
    return jsonify(series_json(series)), 201


@authenticated
def cancel_practice_series(series_id: int):
    """The whole series is cancelled for every member (calendar cancellations, the Zoom meeting deleted)."""
    cancel_series(practice.series_for(_organisation_id(), series_id), _actor())
    return "", 204


@authenticated
def reschedule_practice_series(series_id: int):
    return move_series(practice.series_for(_organisation_id(), series_id))


@authenticated
def preview_practice_series_move(series_id: int):
    return show_series_move(practice.series_for(_organisation_id(), series_id))
