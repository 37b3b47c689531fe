"""Moving the community of practice's series (a supervisor's week changed): the same preview-then-move as a
group's series (``coordinator.series_moves``), on a page of its own reached from the support page."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from service.coordinator import series_moves
from service.coordinator.forms import RescheduleSeriesForm, field_errors
from service.coordinator.identity import current_coordinator
from service.domain import practice
from service.domain.clock import now_utc
from service.domain.errors import NotFound
from service.models import SeriesStatus, SessionStatus


def move_series(series_id: int):
    try:
        series = practice.series_for(current_coordinator().organisation_id, series_id)
    except NotFound:
        abort(404)
    upcoming = _upcoming(series)
    if series.status is not SeriesStatus.ACTIVE or not upcoming:
        flash(_("Il ne reste aucune rencontre à venir dans cette série."), "warning")
        return redirect(url_for("coordinator.practice") + "#communaute")
    form = RescheduleSeriesForm()
    move, general, stale = None, [], False
    if form.is_submitted():
        if form.validate():
            moved, move, general, stale = series_moves.submit(series, form)
            if moved:
                return redirect(url_for("coordinator.practice") + "#communaute")
        shown = move is not None and not general and not field_errors(form)
        status = 200 if shown else 422
    else:
        form = RescheduleSeriesForm(formdata=None, weekday=str(series.weekday),
                                    at=series.local_time.strftime("%H:%M"),
                                    duration_minutes=str(series.duration_minutes))
        status = 200
    return render_template("coordinator/practice_series_move.html", series=series, form=form, move=move,
                           stale=stale, general_errors=general,
                           upcoming=upcoming), status


def _upcoming(series) -> list:
    now = now_utc()
    return [s for s in series.sessions if s.status is SessionStatus.SCHEDULED and s.starts_at > now]
