"""The sign-up form. Values only: the rules live in ``domain.signup`` and ``domain.volunteers``."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, SelectMultipleField, StringField, SubmitField
from wtforms.fields import EmailField
from wtforms.widgets import CheckboxInput, ListWidget

from service.coordinator.forms import LANGUAGE_CHOICES, choices
from service.domain.volunteers import VolunteerDraft

# The times people choose from: each weekday × these windows (the organisation's time zone). Non-breaking spaces
# keep « 13 h 30 » whole in the narrow weekday columns.
WINDOWS = (
    ("morning", "08:00", "12:00", _l("Matin (8\u00a0h à 12\u00a0h)")),
    ("noon", "12:00", "13:30", _l("Midi (12\u00a0h à 13\u00a0h\u00a030)")),
    ("afternoon", "13:30", "17:00", _l("Après-midi (13\u00a0h\u00a030 à 17\u00a0h)")),
    ("evening", "17:00", "21:00", _l("Soir (17\u00a0h à 21\u00a0h)")),
)
WEEKDAYS = ((1, _l("Lundi")), (2, _l("Mardi")), (3, _l("Mercredi")), (4, _l("Jeudi")), (5, _l("Vendredi")),
            (6, _l("Samedi")), (7, _l("Dimanche")))
_WINDOW = {key: (start, end) for key, start, end, _label in WINDOWS}


class WindowsField(SelectMultipleField):
    """One weekday's windows, as checkboxes (a fieldset each on the page)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class SignupForm(FlaskForm):
    display_name = StringField(_l("Votre nom"), render_kw={"autocomplete": "name"})
    email = EmailField(_l("Votre courriel de travail"), render_kw={"autocomplete": "email"})
    language = SelectField(_l("Langue des rencontres et des courriels"), choices=LANGUAGE_CHOICES, default="fr")
    team = SelectField(_l("Votre équipe, secteur ou direction"), validate_choice=False)
    reports_to_email = EmailField(
        _l("Courriel de la personne à qui vous vous rapportez (facultatif)"), render_kw={"autocomplete": "off"},
        description=_l("Il sert seulement à ne jamais placer dans le même groupe une personne et celle à qui elle se "
                       "rapporte. Personne ne lui écrit."))
    is_trained_moderator = BooleanField(_l("Je suis formée ou formé pour animer un groupe"))
    wants_training = BooleanField(_l("J’aimerais être formée ou formé pour animer"))
    consent = BooleanField(_l("J’accepte que ces renseignements soient utilisés pour former des groupes de soutien "
                              "entre pairs et m’inviter à leurs rencontres, comme décrit ci-dessus."))
    submit = SubmitField(_l("M’inscrire"))

    def __init__(self, teams, page_language: str, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.team.choices = choices([("", _l("Choisissez…"))] + [(t.key, t.name(page_language)) for t in teams])

    @property
    def days(self) -> list[tuple[int, WindowsField]]:
        return [(weekday, getattr(self, f"day_{weekday}")) for weekday, _label in WEEKDAYS]

    def availability(self) -> list[dict]:
        slots = []
        for weekday, field in self.days:
            for key in field.data or []:
                if key in _WINDOW:
                    start, end = _WINDOW[key]
                    slots.append({"weekday": weekday, "start": start, "end": end})
        return slots

    def draft(self) -> VolunteerDraft:
        return VolunteerDraft(
            display_name=self.display_name.data or "", email=(self.email.data or "").strip(),
            language=self.language.data or "fr", team_key=self.team.data or None,
            reports_to_email=(self.reports_to_email.data or "").strip() or None,
            availability=tuple(self.availability()), is_trained_moderator=bool(self.is_trained_moderator.data),
            wants_training=bool(self.wants_training.data),
        )


for _weekday, _label in WEEKDAYS:
    setattr(SignupForm, f"day_{_weekday}", WindowsField(_label, choices=choices((key, text) for key, _s, _e, text in WINDOWS),
                                                         validate_choice=False))


class ButtonForm(FlaskForm):
    """A bare POST (confirm, withdraw): the CSRF token is its only field."""
