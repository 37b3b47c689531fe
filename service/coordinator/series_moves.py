"""Moving every session still ahead of a series, from a form: show the new dates first, move only what was shown.

Shared by the group's session page (``coordinator.sessions``) and the community of practice's page
(``coordinator.practice``); the rules and the move itself are ``service.domain.scheduling``'s.
"""

from __future__ import annotations

from flask import flash
from flask_babel import gettext as _

from service.coordinator.forms import RescheduleSeriesForm, parse_int, parse_time, place_errors
from service.coordinator.identity import actor, language
from service.domain import scheduling
from service.domain.errors import DomainError
from service.models import SessionSeries


def submit(series: SessionSeries, form: RescheduleSeriesForm
           ) -> tuple[bool, scheduling.SeriesMove | None, list[str], bool]:
    """A validated form: :func:`move_or_show`, and after a refusal (a question unanswered, the series changed
    meanwhile) the dates as they now stand, with a fresh fingerprint, while the coordinator answers. Flashes the
    news once the series moved."""
    try:
        moved, move, general, stale = move_or_show(series, form)
    except DomainError as error:
        return False, shown_again(series, form), place_errors(form, error, language()), False
    if moved:
        flash(_("Toutes les rencontres à venir de la série sont déplacées. Chaque membre reçoit une invitation mise "
                "à jour."), "success")
    return moved, move, general, stale


def move_or_show(series: SessionSeries, form: RescheduleSeriesForm
                 ) -> tuple[bool, scheduling.SeriesMove | None, list[str], bool]:
    """Show the move unless these very moves were shown (and the coordinator confirms them), else move.

    Returns whether the series moved, the moves to show, the messages of no field, and whether the moves
    differ from the ones confirmed (a session cancelled meanwhile, values changed after the preview)."""
    move = preview(series, form)
    if move is None:
        return False, None, [], False
    confirmed = form.previewed.data
    if form.preview.data or confirmed != move.fingerprint:
        form.previewed.data = move.fingerprint
        general = place_errors(form, DomainError(move.violations), language())
        return False, move, general, bool(confirmed) and not form.preview.data
    scheduling.reschedule_series(series, move.occurrences[0].requested, move.duration_minutes, actor(),
                                 weekday=int(form.weekday.data or 0),
                                 supervisor_agreement=bool(form.supervisor_agreement.data),
                                 daylight_saving_confirmed=bool(form.daylight_saving_confirmed.data),
                                 previewed=confirmed)
    return True, None, [], False


def preview(series: SessionSeries, form: RescheduleSeriesForm) -> scheduling.SeriesMove | None:
    """Where the sessions still ahead would go with the form's values (None: a field is wrong)."""
    at, duration = parse_time(form.at), parse_int(form.duration_minutes)
    if at is None or duration is None:
        return None
    return scheduling.preview_series_move(series, at, duration, weekday=int(form.weekday.data or 0),
                                          supervisor_agreement=bool(form.supervisor_agreement.data),
                                          daylight_saving_confirmed=bool(form.daylight_saving_confirmed.data))


def shown_again(series: SessionSeries, form: RescheduleSeriesForm) -> scheduling.SeriesMove | None:
    """After a refusal: the dates as they now stand, with a fresh fingerprint, while the coordinator answers."""
    try:
        move = preview(series, form)
    except DomainError:  # the series cannot move at all (cancelled, over): its refusal is already shown
        return None
    if move is not None:
        form.previewed.data = move.fingerprint
    return move
