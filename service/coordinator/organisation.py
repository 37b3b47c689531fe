"""The organisation's settings page: who may sign up, teams, privacy officer, support resources, working hours,
and the public sign-up page's address (rotated on demand)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from service.coordinator.forms import ConfirmForm
from service.coordinator.identity import actor, current_coordinator, language
from service.coordinator.pool_forms import OrganisationForm, place_organisation_errors
from service.domain import organisation_settings
from service.domain.errors import DomainError
from service.extensions import current_settings, db
from service.models import Organisation


def _organisation() -> Organisation:
    return db.session.get(Organisation, current_coordinator().organisation_id)


def signup_url(organisation: Organisation) -> str | None:
    key = organisation.signup_key
    return f"{current_settings().BASE_URL}/inscription/{key}" if key else None


def settings_page():
    organisation = _organisation()
    form = OrganisationForm()
    general: list[str] = []
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                organisation_settings.update(organisation, form.changes(), actor())
            except DomainError as error:
                db.session.rollback()
                general = place_organisation_errors(form, error, language())
                status = 422
            else:
                flash(_("Les paramètres de l’organisation sont enregistrés."), "success")
                return redirect(url_for("coordinator.organisation"))
        else:
            status = 400
    else:
        form.fill(organisation_settings.as_dict(organisation))
    return render_template("coordinator/organisation.html", form=form, general_errors=general,
                           organisation=organisation, signup_url=signup_url(organisation),
                           confirm_form=ConfirmForm()), status


def rotate_signup_key():
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("coordinator.organisation"))
    organisation_settings.rotate_signup_key(_organisation(), actor())
    flash(_("La page d’inscription a une nouvelle adresse; l’ancienne ne fonctionne plus."), "success")
    return redirect(url_for("coordinator.organisation") + "#inscription")
