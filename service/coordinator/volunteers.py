"""The pool of volunteers: filters by team, language and status; adding a person; a CSV import with its report."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from service.coordinator.forms import ConfirmForm, place_errors
from service.coordinator.identity import actor, current_coordinator, language
from service.coordinator.organisation import signup_url
from service.coordinator.pool_forms import (
    STATUS_LABELS,
    ImportForm,
    VolunteerFilterForm,
    VolunteerForm,
    team_choices,
)
from service.domain import volunteer_import, volunteers
from service.domain.errors import DomainError
from service.domain.organisation_settings import teams_of
from service.extensions import db
from service.models import Organisation, VolunteerStatus


def _organisation() -> Organisation:
    return db.session.get(Organisation, current_coordinator().organisation_id)


def _render(organisation: Organisation, form: VolunteerForm, import_form: ImportForm, general=(), problems=(),
            status: int = 200):
    teams = teams_of(organisation)
    filters = VolunteerFilterForm(request.args)
    filters.team.choices = team_choices(teams, language(), _("Toutes"))
    wanted_status = request.args.get("status")
    found = volunteers.list_volunteers(
        organisation, team=request.args.get("team") or None,
        language=request.args.get("language") if request.args.get("language") in ("fr", "en") else None,
        status=VolunteerStatus(wanted_status) if wanted_status in {s.value for s in VolunteerStatus} else None)
    return render_template(
        "coordinator/volunteers.html", organisation=organisation, volunteers=found, filters=filters,
        counts=volunteers.counts_by_status(organisation), status_labels=STATUS_LABELS,
        team_names={t.key: t.name(language()) for t in teams}, form=form, import_form=import_form,
        general_errors=list(general), problems=list(problems), confirm_form=ConfirmForm(),
        signup_url=signup_url(organisation)), status


def _forms(organisation: Organisation) -> tuple[VolunteerForm, ImportForm]:
    form = VolunteerForm()
    form.team.choices = team_choices(teams_of(organisation), language(), _("Aucune"))
    return form, ImportForm()


def pool_page():
    organisation = _organisation()
    form, import_form = _forms(organisation)
    return _render(organisation, form, import_form)


def add_volunteer():
    organisation = _organisation()
    form, import_form = _forms(organisation)
    if not form.validate_on_submit():
        return _render(organisation, form, import_form, status=400)
    try:
        volunteers.add_volunteers(organisation, [form.draft()], actor())
    except DomainError as error:
        db.session.rollback()
        general = place_errors(form, error, language())
        return _render(organisation, form, import_form, general, status=422)
    flash(_("La personne est ajoutée aux volontaires.") if form.consent_already_given.data else
          _("La personne est ajoutée; elle reçoit un courriel pour confirmer sa participation."), "success")
    return redirect(url_for("coordinator.volunteers"))


def import_volunteers():
    organisation = _organisation()
    form, import_form = _forms(organisation)
    if not import_form.validate_on_submit() or not import_form.file.data:
        import_form.file.errors = [_("Choisissez un fichier CSV.")]
        return _render(organisation, form, import_form, status=400)
    try:
        added = volunteer_import.import_file(organisation, import_form.file.data.read(volunteer_import.MAX_BYTES + 1),
                                             actor())
    except DomainError as error:
        db.session.rollback()
        problems = volunteer_import.report(error, language())
        return _render(organisation, form, import_form, problems=problems, status=422)
    flash(ngettext("%(num)s personne importée.", "%(num)s personnes importées.", len(added)), "success")
    return redirect(url_for("coordinator.volunteers"))


def withdraw_volunteer(volunteer_id: int):
    organisation = _organisation()
    volunteer = volunteers.volunteer_for(organisation, volunteer_id)
    if volunteer is None or not ConfirmForm().validate_on_submit():
        return redirect(url_for("coordinator.volunteers"))
    volunteers.withdraw(volunteer, actor())
    flash(_("La personne est retirée et ses renseignements sont effacés."), "success")
    return redirect(url_for("coordinator.volunteers"))
