"""The coordinator's poll forms: opening a poll (up to 12 candidate slots), deciding."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, FormField, SelectField, StringField, SubmitField
from wtforms import Form as SubForm

from service.coordinator.forms import SUPERVISOR_HINT, SUPERVISOR_LABEL, choices, date_field, time_field
from service.domain.polls import MAX_SLOTS

ISO_WEEKDAY_CHOICES = choices([
    ("", _l("—")), ("1", _l("lundi")), ("2", _l("mardi")), ("3", _l("mercredi")), ("4", _l("jeudi")),
    ("5", _l("vendredi")), ("6", _l("samedi")), ("7", _l("dimanche")),
])


class SlotRow(SubForm):
    weekday = SelectField(_l("Jour"), choices=ISO_WEEKDAY_CHOICES, default="")
    # Typed on the 24-hour clock like every other time (a browser's time picker may show AM/PM); the hint is
    # given once, above the rows.
    local_time = time_field(_l("Heure"), description=None)
    duration_minutes = StringField(_l("Durée (minutes)"), default="30",
                                   render_kw={"type": "number", "inputmode": "numeric", "min": 1})


class OpenPollForm(FlaskForm):
    """Twelve rows ``slot_0`` ... ``slot_11`` (plain fields, not a FieldList: a row left blank in the middle must
    keep its place, so that a message lands on the row the coordinator typed)."""

    interval_weeks = SelectField(_l("Fréquence"), choices=choices([("1", _l("Chaque semaine")),
                                                                    ("2", _l("Aux deux semaines"))]), default="1")
    occurrence_count = StringField(_l("Nombre de rencontres"), default="8", description=_l("De 1 à 60."),
                                   render_kw={"type": "number", "inputmode": "numeric", "min": 1})
    closes_on = date_field(_l("Le sondage ferme le"),
                           _l("Format AAAA-MM-JJ. Idéalement peu après la rencontre de démarrage, où le groupe décide."))
    closes_time = time_field(_l("Heure de fermeture"))
    submit = SubmitField(_l("Ouvrir le sondage et l’envoyer aux membres"))

    @property
    def slot_rows(self) -> list:
        return [getattr(self, f"slot_{index}") for index in range(MAX_SLOTS)]


for _index in range(MAX_SLOTS):
    setattr(OpenPollForm, f"slot_{_index}", FormField(SlotRow))


class DecisionForm(FlaskForm):
    slot = SelectField(_l("Moment choisi"), choices=[], validate_choice=False)
    first_date = date_field(_l("Date de la première rencontre"))
    supervisor_agreement = BooleanField(SUPERVISOR_LABEL, description=SUPERVISOR_HINT)
    submit = SubmitField(_l("Décider et planifier la série"))


class PollActionForm(FlaskForm):
    """Reminder or close: only the CSRF token."""
