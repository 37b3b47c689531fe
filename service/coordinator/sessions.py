"""Scheduling a group's sessions, and changing, cancelling or following each one."""

from __future__ import annotations

from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from service.coordinator import series_moves
from service.coordinator.forms import (
    ConfirmForm,
    KickoffForm,
    ModeratorForm,
    RescheduleSeriesForm,
    RescheduleSessionForm,
    SeriesForm,
    SingleSessionForm,
    field_errors,
    local_moment,
    parse_date,
    parse_int,
    parse_time,
    place_errors,
)
from service.coordinator.identity import actor, language, reach, reach_group
from service.domain import access, invitations, meetings, overview, schedule_questions, scheduling
from service.domain.clock import next_weekday_on_or_after, now_utc, to_local
from service.domain.errors import DomainError
from service.models import Group, GroupSession, GroupStatus
from service.protocol import SessionKind

FORMS = {"kickoff": KickoffForm, "series": SeriesForm, "single": SingleSessionForm}


def _moderator_choices(group: Group, automatic: bool) -> list[SelectChoice]:
    people = list(group.active_members)
    if group.external_moderator is not None:
        people.append(group.external_moderator)
    options = [SelectChoice("", _("Choix automatique (selon l’animation prévue)"))] if automatic else []
    for member in people:
        label = member.display_name
        if member is group.external_moderator:
            label = _("%(name)s (personne modératrice externe)", name=label)
        elif member.is_trained_moderator:
            label = _("%(name)s (formation en animation)", name=label)
        options.append(SelectChoice(str(member.id), label))
    return options


def _blank_forms(group: Group) -> dict:
    forms = {name: form_class(prefix=name, formdata=None) for name, form_class in FORMS.items()}
    forms["single"].moderator.choices = _moderator_choices(group, automatic=True)
    return forms


def schedule(group_id: int):
    group = reach_group(group_id)
    if group.status is GroupStatus.DELETING:
        flash(_("Ce groupe est en cours de suppression."), "warning")
        return redirect(url_for("coordinator.groups"))
    forms = _blank_forms(group)
    general: list[str] = []
    preview = None
    status = 200
    which = request.form.get("which") if request.method == "POST" else None
    if which in FORMS:
        form = FORMS[which](prefix=which)
        if which == "single":
            form.moderator.choices = _moderator_choices(group, automatic=True)
        forms[which] = form
        status = 422
        if form.validate_on_submit():
            done, preview, general = _submit(group, which, form)
            if done:
                flash(done, "success")
                return redirect(url_for("coordinator.group", group_id=group.id) + "#rencontres")
            if preview is not None and not general and not field_errors(form):
                status = 200  # the dates, shown for the coordinator to confirm
    kickoff = schedule_questions.kickoff_of(group)
    return render_template("coordinator/schedule.html", group=group, forms=forms, which=which,
                           general_errors=general, kickoff=kickoff, preview=preview,
                           kickoff_view=overview.session_view(kickoff) if kickoff else None,
                           series=overview.active_series(group), today=date.today().isoformat()), status


def _submit(group: Group, which: str, form) -> tuple[str | None, scheduling.SeriesPreview | None, list[str]]:
    """Preview a series not yet seen with these very values, else schedule.

    Returns the success message (None: not saved), the series' dates to show, and the messages of no field."""
    try:
        if which == "series" and (form.preview.data or form.previewed.data != form.fingerprint(group.timezone)):
            preview = _preview_series(group, form)
            general = place_errors(form, DomainError(preview.violations), language()) if preview else []
            return None, preview, general
        return _schedule(group, which, form), None, []
    except DomainError as error:
        general = place_errors(form, error, language())
        # A series refused (a question unanswered, say): its dates stay in view while the coordinator answers.
        return None, _preview_series(group, form) if which == "series" else None, general


def _series_plan(form) -> scheduling.SeriesPlan | None:
    starting, at = parse_date(form.starts_on), parse_time(form.at)
    duration, count = parse_int(form.duration_minutes), parse_int(form.occurrence_count)
    if not (starting and at and duration and count is not None):
        return None
    first = next_weekday_on_or_after(starting, int(form.weekday.data or 0))
    return scheduling.SeriesPlan(first_date=first, local_time=at, duration_minutes=duration,
                                 interval_weeks=int(form.interval_weeks.data or 1), occurrence_count=count)


def _preview_series(group: Group, form) -> scheduling.SeriesPreview | None:
    """Every date of the series as typed, and what to ask before saving it; the form then carries its
    fingerprint, so « Planifier » saves exactly what was shown."""
    plan = _series_plan(form)
    if plan is None:
        return None
    preview = scheduling.preview_series(group, plan, bool(form.supervisor_agreement.data),
                                        bool(form.daylight_saving_confirmed.data),
                                        bool(form.before_kickoff_confirmed.data))
    form.previewed.data = form.fingerprint(group.timezone)
    return preview


def _schedule(group: Group, which: str, form) -> str | None:
    """Call the domain for the submitted form; a message for the coordinator, or ``None`` if a field is wrong."""
    duration = parse_int(form.duration_minutes)
    agreement = bool(form.supervisor_agreement.data)
    daylight_saving = bool(form.daylight_saving_confirmed.data)
    if which == "series":
        plan = _series_plan(form)
        if plan is None:
            return None
        series = scheduling.schedule_series(group, plan, actor(), supervisor_agreement=agreement,
                                            daylight_saving_confirmed=daylight_saving,
                                            before_kickoff_confirmed=bool(form.before_kickoff_confirmed.data))
        return _("%(count)s rencontres sont planifiées. Le service prépare la réunion Zoom, puis envoie à chaque "
                 "membre une seule invitation pour toute la série. Suivez leur état ci-dessous.",
                 count=len(series.sessions))
    moment = local_moment(form)
    if moment is None or duration is None:
        return None
    kind = SessionKind.KICKOFF if which == "kickoff" else SessionKind(form.kind.data or "regular")
    moderator = None
    if which == "single" and form.moderator.data:
        moderator = reach(access.member_for, group, parse_int(form.moderator))
    scheduling.schedule_session(
        group, kind, moment, duration, actor(), moderator=moderator, supervisor_agreement=agreement,
        daylight_saving_confirmed=daylight_saving,
        before_kickoff_confirmed=which == "single" and bool(form.before_kickoff_confirmed.data),
        second_kickoff_confirmed=which == "kickoff" and bool(form.second_kickoff_confirmed.data))
    return _("La rencontre est planifiée. Le service prépare la réunion Zoom, puis envoie les invitations. Suivez "
             "leur état ci-dessous.")


def session_page(group_id: int, session_id: int):
    group = reach_group(group_id)
    session = reach(access.session_for, group, session_id)
    return _session_page(group, session)


def _session_page(group: Group, session: GroupSession, general=None, reschedule_form=None, series_form=None,
                  moderator_form=None, series_move=None, series_stale=False, status: int = 200):
    local = to_local(session.starts_at, session.timezone)
    if reschedule_form is None:
        reschedule_form = RescheduleSessionForm(formdata=None, starts_on=local.date().isoformat(),
                                                at=local.strftime("%H:%M"),
                                                duration_minutes=str(session.duration_minutes))
    if series_form is None and session.series is not None:
        series = session.series
        series_form = RescheduleSeriesForm(formdata=None, weekday=str(series.weekday),
                                           at=series.local_time.strftime("%H:%M"),
                                           duration_minutes=str(series.duration_minutes))
    if moderator_form is None:
        moderator_form = ModeratorForm(formdata=None, moderator=str(session.moderator_id or ""))
    moderator_form.moderator.choices = _moderator_choices(group, automatic=False)
    return render_template("coordinator/session.html", group=group, view=overview.session_view(session),
                           reschedule_form=reschedule_form, series_form=series_form, moderator_form=moderator_form,
                           confirm_form=ConfirmForm(formdata=None), general_errors=general or [],
                           series_move=series_move, series_stale=series_stale), status


def reschedule_session(group_id: int, session_id: int):
    group = reach_group(group_id)
    session = reach(access.session_for, group, session_id)
    form = RescheduleSessionForm()
    general: list[str] = []
    if form.validate_on_submit():
        moment, duration = local_moment(form), parse_int(form.duration_minutes)
        if moment is not None and duration is not None:
            try:
                scheduling.reschedule_session(session, moment, duration, actor(),
                                              supervisor_agreement=bool(form.supervisor_agreement.data),
                                              daylight_saving_confirmed=bool(form.daylight_saving_confirmed.data))
            except DomainError as error:
                general = place_errors(form, error, language())
            else:
                flash(_("La rencontre est déplacée. Chaque personne reçoit une invitation mise à jour."), "success")
                return redirect(url_for("coordinator.session", group_id=group.id, session_id=session.id))
    return _session_page(group, session, general, reschedule_form=form, status=422)


def reschedule_series(group_id: int, series_id: int):
    group = reach_group(group_id)
    series = reach(access.series_for, group, series_id)
    form = RescheduleSeriesForm()
    move, general, stale = None, [], False
    if form.validate_on_submit():
        moved, move, general, stale = series_moves.submit(series, form)
        if moved:
            return redirect(url_for("coordinator.group", group_id=group.id) + "#rencontres")
    back_to = _first_changeable(series)
    if back_to is None:
        flash(_("Il ne reste aucune rencontre à venir dans cette série."), "warning")
        return redirect(url_for("coordinator.group", group_id=group.id))
    shown = move is not None and not general and not field_errors(form)
    return _session_page(group, back_to, general, series_form=form, series_move=move, series_stale=stale,
                         status=200 if shown else 422)


def _first_changeable(series) -> GroupSession | None:
    """The page to show a series' form on again: its next session still ahead."""
    now = now_utc()
    return next((s for s in series.sessions if s.starts_at > now), None)


def cancel_session(group_id: int, session_id: int):
    group = reach_group(group_id)
    session = reach(access.session_for, group, session_id)
    if ConfirmForm().validate_on_submit():
        try:
            scheduling.cancel_session(session, actor())
        except DomainError as error:
            flash(" ".join(error.messages(language())), "error")
        else:
            flash(_("La rencontre est annulée. Chaque personne reçoit l’annulation dans son calendrier."), "success")
    return redirect(url_for("coordinator.group", group_id=group.id) + "#rencontres")


def cancel_series(group_id: int, series_id: int):
    group = reach_group(group_id)
    series = reach(access.series_for, group, series_id)
    if ConfirmForm().validate_on_submit():
        scheduling.cancel_series(series, actor())
        flash(_("La série est annulée : ses rencontres à venir disparaissent des calendriers et la réunion Zoom est "
                "supprimée."), "success")
    return redirect(url_for("coordinator.group", group_id=group.id) + "#rencontres")


def change_moderator(group_id: int, session_id: int):
    group = reach_group(group_id)
    session = reach(access.session_for, group, session_id)
    form = ModeratorForm()
    form.moderator.choices = _moderator_choices(group, automatic=False)
    if form.validate_on_submit():
        member = reach(access.member_for, group, parse_int(form.moderator))
        try:
            scheduling.change_moderator(session, member, actor())
        except DomainError as error:
            return _session_page(group, session, place_errors(form, error, language()), moderator_form=form,
                                 status=422)
        flash(_("%(name)s animera cette rencontre et reçoit le lien de la console de la personne modératrice.",
                name=member.display_name), "success")
    return redirect(url_for("coordinator.session", group_id=group.id, session_id=session.id))


def recreate_meeting(group_id: int, session_id: int):
    """The meeting was deleted in Zoom (or Zoom refused it): ask for a new one, hence a new join link."""
    group = reach_group(group_id)
    session = reach(access.session_for, group, session_id)
    if ConfirmForm().validate_on_submit() and session.zoom_meeting is not None:
        meetings.recreate_meeting(session.zoom_meeting, actor())
        flash(_("Une nouvelle réunion Zoom est en préparation; les invitations mises à jour partiront dès qu’elle "
                "sera prête."), "success")
    return redirect(url_for("coordinator.session", group_id=group.id, session_id=session.id))


def resend_invite(group_id: int, session_id: int, invite_id: int):
    group = reach_group(group_id)
    session = reach(access.session_for, group, session_id)
    invite = reach(access.invite_for, group, invite_id)
    if ConfirmForm().validate_on_submit():
        invitations.resend_invite(invite, actor())
        flash(_("L’invitation repart. Son état s’affiche ci-dessous dans quelques instants."), "success")
    return redirect(url_for("coordinator.session", group_id=group.id, session_id=session.id))
