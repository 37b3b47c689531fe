"""The coordinator's page for supporting moderators: supervisors, the community of practice and its series, the
load threshold, and the debriefs as monthly counts (never who answered what)."""

from __future__ import annotations

from datetime import date

from babel.dates import format_date
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, SubmitField
from wtforms.fields import EmailField

from service.coordinator.forms import (
    LANGUAGE_CHOICES,
    SUPERVISOR_HINT,
    SUPERVISOR_LABEL,
    SeriesForm,
    parse_date,
    parse_int,
    parse_time,
    place_errors,
    timezone_choices,
)
from service.coordinator.identity import actor, current_coordinator, language
from service.domain import organisation_settings, practice, scheduling, supervisor_links, supervisors
from service.domain.clock import next_weekday_on_or_after, now_utc
from service.domain.debrief_retention import monthly_counts
from service.domain.errors import DomainError, NotFound
from service.domain.scheduling import SeriesPlan
from service.extensions import db
from service.formatting import local_date
from service.i18n import locale_for
from service.models import Organisation

class SupervisorForm(FlaskForm):
    display_name = StringField(_l("Nom"))
    email = EmailField(_l("Adresse courriel"))
    language = SelectField(_l("Langue"), choices=LANGUAGE_CHOICES, default="fr")
    submit = SubmitField(_l("Ajouter"))


class PracticeSettingsForm(FlaskForm):
    moderator_load_threshold = StringField(
        _l("Seuil de charge d’animation"), render_kw={"type": "number", "inputmode": "numeric", "min": 1, "max": 30},
        description=_l("Au-delà de ce nombre de rencontres animées en 4 semaines (passées ou à venir), la page des "
                       "personnes superviseures le signale doucement. 4 par défaut."))
    practice_includes_external = BooleanField(
        _l("Inviter aussi les personnes modératrices externes à la communauté de pratique"))
    submit = SubmitField(_l("Enregistrer"))


class PracticeSeriesForm(SeriesForm):
    language = SelectField(_l("Langue de la communauté"), choices=LANGUAGE_CHOICES, default="fr")
    timezone = SelectField(_l("Fuseau horaire"), choices=[], default="America/Toronto")
    supervisor_agreement = BooleanField(SUPERVISOR_LABEL, description=SUPERVISOR_HINT)
    submit = SubmitField(_l("Planifier la série"))


class ConfirmRemovalForm(FlaskForm):
    pass


def _organisation() -> Organisation:
    return db.session.get(Organisation, current_coordinator().organisation_id)


def _forms(formdata=None):
    forms = {
        "supervisor": SupervisorForm(prefix="supervisor", formdata=formdata),
        "settings": PracticeSettingsForm(prefix="settings", formdata=formdata),
        "series": PracticeSeriesForm(prefix="series", formdata=formdata),
    }
    forms["series"].timezone.choices = timezone_choices()
    return forms


def page():
    return _render(_forms())


def _render(forms, general=(), status=200):
    organisation = _organisation()
    if request.method == "GET":
        forms["settings"].moderator_load_threshold.data = str(organisation.moderator_load_threshold)
        forms["settings"].practice_includes_external.data = organisation.practice_includes_external
    communities = practice.communities(organisation.id)
    people = practice.supervisors_of(organisation.id)
    return render_template(
        "coordinator/practice.html", forms=forms, general_errors=list(general), supervisors=people,
        in_groups={s.id: supervisors.also_in_groups(s) for s in people},
        links={s.id: _link_line(s, organisation.timezone) for s in people},
        communities=[(group, practice.hierarchy_notes(group)) for group in communities.values()],
        sessions=practice.practice_sessions(organisation.id, now_utc(), upcoming_only=True)[:8],
        series=practice.active_series(organisation.id),
        unattended=supervisors.unattended_requests(organisation.id),
        open_requests=supervisors.count_open_requests(organisation.id),
        debriefs=[(format_date(month, "LLLL yyyy", locale=locale_for(language())), counts)
                  for month, counts in monthly_counts(organisation.id, now_utc()).items()],
        remove_form=ConfirmRemovalForm(),
        role_of=practice.role_of, today=date.today().isoformat(),
    ), status


def add_supervisor():
    forms = _forms()
    forms["supervisor"] = form = SupervisorForm(prefix="supervisor")
    if not form.validate_on_submit():
        return _render(forms, status=400)
    try:
        supervisors.add_supervisor(_organisation().id, form.display_name.data or "", form.email.data or "",
                                   form.language.data or "fr", actor())
    except DomainError as error:
        return _render(forms, place_errors(form, error, language()), 422)
    flash(_("%(name)s fait maintenant partie des personnes superviseures : un courriel lui transmet le lien de sa "
            "page, et la communauté de pratique l’accueille.", name=form.display_name.data.strip()), "success")
    return redirect(url_for("coordinator.practice") + "#superviseures")


def _link_line(supervisor, zone: str) -> tuple[str, str] | None:
    """Where the e-mail with the supervisor's link stands: (state, sentence), or None when nothing was recorded."""
    state = supervisor_links.link_delivery(supervisor)
    if state is None:
        return None
    if state is supervisor_links.LinkDelivery.SENT:
        day = local_date(supervisor.link_sent_at, zone, language(), "long")
        return state.value, _("Lien envoyé par courriel le %(date)s.", date=day)
    if state is supervisor_links.LinkDelivery.REFUSED:
        return state.value, _("Le serveur de courriel a refusé cette adresse : vérifiez-la. Pour la corriger, "
                              "retirez la personne et nommez-la de nouveau.")
    return state.value, _("Envoi du lien par courriel en cours.")


def _posted_supervisor(supervisor_id: int):
    """The supervisor a button of the list was pressed for (400 without its form's token, 404 if not ours)."""
    if not ConfirmRemovalForm().validate_on_submit():
        abort(400)
    try:
        return supervisors.supervisor_for(_organisation().id, supervisor_id)
    except NotFound:
        abort(404)


def send_link_again(supervisor_id: int):
    supervisor = _posted_supervisor(supervisor_id)
    supervisor_links.send_again(supervisor, actor())
    flash(_("%(name)s va recevoir de nouveau le lien de sa page par courriel.", name=supervisor.display_name),
          "success")
    return redirect(url_for("coordinator.practice") + "#superviseures")


def remove_supervisor(supervisor_id: int):
    supervisor = _posted_supervisor(supervisor_id)
    name = supervisor.display_name
    left_open = supervisors.remove_supervisor(supervisor, actor())
    flash(_("%(name)s ne fait plus partie des personnes superviseures; son lien personnel ne fonctionne plus.",
            name=name),
          "success")
    if left_open and supervisors.unattended_requests(_organisation().id):
        flash(_("Des demandes de personnes modératrices qui aimeraient parler restent ouvertes et plus aucune "
                "personne superviseure ne les reçoit : nommez-en une."), "warning")
    return redirect(url_for("coordinator.practice") + "#superviseures")


def save_settings():
    forms = _forms()
    forms["settings"] = form = PracticeSettingsForm(prefix="settings")
    if not form.validate_on_submit():
        return _render(forms, status=400)
    threshold = parse_int(form.moderator_load_threshold)
    violations = organisation_settings.check_moderator_load_threshold(threshold)
    if violations:
        form.moderator_load_threshold.errors = list(form.moderator_load_threshold.errors or [])
        return _render(forms, place_errors(form, DomainError(violations), language()), 422)
    practice.update_settings(_organisation(), threshold, bool(form.practice_includes_external.data), actor())
    flash(_("Les réglages sont enregistrés."), "success")
    return redirect(url_for("coordinator.practice") + "#reglages")


def schedule_series():
    forms = _forms()
    forms["series"] = form = PracticeSeriesForm(prefix="series")
    form.timezone.choices = timezone_choices()
    if not form.validate_on_submit():
        return _render(forms, status=400)
    starting, at = parse_date(form.starts_on), parse_time(form.at)
    duration, count = parse_int(form.duration_minutes), parse_int(form.occurrence_count)
    if not (starting and at and duration and count is not None):
        return _render(forms, status=422)
    plan = SeriesPlan(first_date=next_weekday_on_or_after(starting, int(form.weekday.data or 0)), local_time=at,
                      duration_minutes=duration, interval_weeks=int(form.interval_weeks.data or 1),
                      occurrence_count=count)
    try:
        series = practice.schedule_practice_series(_organisation().id, plan, form.language.data or "fr",
                                                   form.timezone.data or "America/Toronto", actor(),
                                                   supervisor_agreement=bool(form.supervisor_agreement.data))
    except DomainError as error:
        return _render(forms, place_errors(form, error, language()), 422)
    flash(_("%(count)s rencontres de la communauté de pratique sont planifiées. Chaque membre reçoit une invitation "
            "pour toute la série; les personnes qui deviendront membres la recevront à partir de la rencontre "
            "suivante.", count=len(series.sessions)), "success")
    return redirect(url_for("coordinator.practice") + "#communaute")


def cancel_series(series_id: int):
    if not ConfirmRemovalForm().validate_on_submit():
        abort(400)
    try:
        series = practice.series_for(_organisation().id, series_id)
    except NotFound:
        abort(404)
    scheduling.cancel_series(series, actor())
    flash(_("La série de la communauté de pratique est annulée : chaque membre reçoit l’annulation."), "success")
    return redirect(url_for("coordinator.practice") + "#communaute")
