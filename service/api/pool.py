"""The JSON API for the organisation's settings and its pool of volunteers (same services as the pages)."""

from __future__ import annotations

from flask import jsonify, request

from service.api import representations as rep
from service.api import schemas
from service.api.controllers import _actor, _coordinator, authenticated, body
from service.domain import organisation_settings, volunteer_import, volunteers
from service.domain.errors import NotFound
from service.domain.volunteers import VolunteerDraft
from service.extensions import current_settings, db
from service.i18n import LANGUAGES
from service.models import Organisation, VolunteerStatus


def _organisation() -> Organisation:
    return db.session.get(Organisation, _coordinator().organisation_id)


def organisation_json(organisation: Organisation) -> dict:
    key = organisation.signup_key
    return {**organisation_settings.as_dict(organisation),
            "signup_url": f"{current_settings().BASE_URL}/inscription/{key}" if key else None}


@authenticated
def get_organisation():
    return jsonify(organisation_json(_organisation()))


@authenticated
def update_organisation():
    data = body(schemas.OrganisationIn)
    changes = data.model_dump(exclude_unset=True)
    organisation = organisation_settings.update(_organisation(), changes, _actor())
    return jsonify(organisation_json(organisation))


@authenticated
def rotate_signup_key():
    organisation = _organisation()
    organisation_settings.rotate_signup_key(organisation, _actor())
    return jsonify(organisation_json(organisation))


def _draft(item: schemas.VolunteerIn) -> VolunteerDraft:
    return VolunteerDraft(
        display_name=item.display_name, email=item.email, language=item.language, team_key=item.team or None,
        reports_to_email=item.reports_to_email, availability=tuple(slot.model_dump() for slot in item.availability),
        is_trained_moderator=item.is_trained_moderator, consent_already_given=item.consent_already_given,
    )


@authenticated
def list_volunteers():
    status = request.args.get("status")
    language = request.args.get("language")
    found = volunteers.list_volunteers(
        _organisation(), team=request.args.get("team") or None,
        language=language if language in LANGUAGES else None,
        status=VolunteerStatus(status) if status in {s.value for s in VolunteerStatus} else None)
    return jsonify(volunteers=[rep.volunteer_json(v) for v in found])


@authenticated
def add_volunteer():
    (volunteer,) = volunteers.add_volunteers(_organisation(), [_draft(body(schemas.VolunteerIn))], _actor())
    return jsonify(rep.volunteer_json(volunteer)), 201


@authenticated
def import_volunteers():
    data = body(schemas.VolunteerImportIn)
    added = volunteer_import.import_file(_organisation(), data.csv.encode("utf-8", "surrogatepass"), _actor())
    return jsonify(imported=len(added), volunteers=[rep.volunteer_json(v) for v in added]), 201


def _volunteer(volunteer_id: int):
    volunteer = volunteers.volunteer_for(_organisation(), volunteer_id)
    if volunteer is None:
        raise NotFound()
    return volunteer


@authenticated
def get_volunteer(volunteer_id: int):
    return jsonify(rep.volunteer_json(_volunteer(volunteer_id)))


@authenticated
def withdraw_volunteer(volunteer_id: int):
    volunteers.withdraw(_volunteer(volunteer_id), _actor())
    return "", 204
