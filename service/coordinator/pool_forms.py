"""The coordinator's forms for the organisation's settings and the pool of volunteers (values only)."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.fields import EmailField
from wtforms.widgets import CheckboxInput, ListWidget

from service.coordinator.forms import LANGUAGE_CHOICES, TIME_HINT, MemberRow, choices, timezone_choices
from service.domain.errors import DomainError
from service.domain.organisation_settings import Team
from service.domain.volunteers import VolunteerDraft
from service.models import VolunteerStatus
from service.signup.forms import WEEKDAYS

_SEPARATOR = re.compile(r"\s*\|\s*")


def _clock(text: str | None) -> str:
    """« 8 h 30 », « 8h », « 08:30 » → « 08:30 »; anything else is passed on for the domain to refuse by name."""
    raw = (text or "").strip()
    match = re.fullmatch(r"(\d{1,2})\s*[:hH]\s*(\d{2})?", raw)
    return f"{int(match.group(1)):02d}:{match.group(2) or '00'}" if match else raw


def _whole_number(text: str | None) -> int | str:
    """The number typed, or the text as it is for the domain to refuse by name."""
    raw = (text or "").strip()
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 6 else raw


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class OrganisationForm(FlaskForm):
    name = StringField(_l("Nom de l’organisation"))
    timezone = SelectField(_l("Fuseau horaire de l’organisation"), validate_choice=False,
                           description=_l("Les disponibilités des personnes volontaires se lisent dans ce fuseau."))
    signup_domains = TextAreaField(_l("Domaines de courriel acceptés à l’inscription"), render_kw={"rows": 3},
                                   description=_l("Un par ligne, sans @ (exemple : cisss-exemple.gouv.qc.ca)."))
    teams = TextAreaField(_l("Équipes, secteurs ou directions"), render_kw={"rows": 6},
                          description=_l("Une par ligne : code | nom en français | nom en anglais (exemple : "
                                         "urgence | Urgence | Emergency)."))
    privacy_officer_name = StringField(_l("Responsable de la protection des renseignements personnels"),
                                       description=_l("La loi exige de nommer cette personne; l’avis de "
                                                      "confidentialité de la page d’inscription la nomme."))
    privacy_officer_contact = StringField(_l("Pour la joindre (courriel ou téléphone)"))
    resources_fr = TextAreaField(_l("Ressources d’aide de l’organisation, en français"), render_kw={"rows": 4},
                                 description=_l("Une par ligne : nom | contact | précision (facultative). Elles "
                                                "passent avant les ressources publiques (9-8-8, 811)."))
    resources_en = TextAreaField(_l("Ressources d’aide de l’organisation, en anglais"), render_kw={"rows": 4})
    working_days = CheckboxesField(_l("Jours de travail"), choices=choices((str(d), label) for d, label in WEEKDAYS),
                                   validate_choice=False)
    # Typed as text with the format said next to them, like every time in the coordinator's forms (no AM/PM).
    working_start = StringField(_l("Début des heures de travail"), description=TIME_HINT,
                                render_kw={"autocomplete": "off", "maxlength": 8, "size": 8})
    working_end = StringField(_l("Fin des heures de travail"),
                              description=_l("Sur 24 heures. Une rencontre pendant ces heures demande de confirmer "
                                             "l’accord des personnes à qui les membres se rapportent."),
                              render_kw={"autocomplete": "off", "maxlength": 8, "size": 8})
    moderator_load_threshold = StringField(
        _l("Seuil de charge d’animation"), render_kw={"type": "number", "inputmode": "numeric", "min": 1, "max": 30},
        description=_l("Au-delà de ce nombre de rencontres animées en 4 semaines (passées ou à venir), la page des "
                       "personnes superviseures le signale doucement. 4 par défaut."))
    submit = SubmitField(_l("Enregistrer"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = timezone_choices()

    def fill(self, settings: dict) -> None:
        self.name.data = settings["name"]
        self.timezone.data = settings["timezone"]
        self.signup_domains.data = "\n".join(settings["signup_domains"])
        self.teams.data = "\n".join(f"{t['key']} | {t['name_fr']} | {t['name_en']}" for t in settings["teams"])
        self.privacy_officer_name.data = settings["privacy_officer_name"]
        self.privacy_officer_contact.data = settings["privacy_officer_contact"]
        for language in ("fr", "en"):
            getattr(self, f"resources_{language}").data = "\n".join(
                " | ".join(filter(None, (r["name"], r["contact"], r.get("detail", ""))))
                for r in settings["support_resources"][language])
        hours = settings["working_hours"]
        self.working_days.data = [str(day) for day in hours["weekdays"]]
        self.working_start.data, self.working_end.data = hours["start"], hours["end"]
        self.moderator_load_threshold.data = str(settings["moderator_load_threshold"])

    def changes(self) -> dict:
        teams = []
        for line in _lines(self.teams.data):
            parts = _SEPARATOR.split(line) + ["", ""]
            teams.append({"key": parts[0], "name_fr": parts[1], "name_en": parts[2] or parts[1]})
        resources = {}
        for language in ("fr", "en"):
            resources[language] = []
            for line in _lines(getattr(self, f"resources_{language}").data):
                parts = _SEPARATOR.split(line, maxsplit=2) + ["", ""]
                resources[language].append({"name": parts[0], "contact": parts[1], "detail": parts[2]})
        return {
            "name": self.name.data or "", "timezone": self.timezone.data or "",
            "signup_domains": _lines(self.signup_domains.data), "teams": teams,
            "privacy_officer_name": self.privacy_officer_name.data or "",
            "privacy_officer_contact": self.privacy_officer_contact.data or "",
            "support_resources": resources,
            "working_hours": {"weekdays": [int(d) for d in self.working_days.data or [] if d.isdigit()],
                              "start": _clock(self.working_start.data),
                              "end": _clock(self.working_end.data)},
            "moderator_load_threshold": _whole_number(self.moderator_load_threshold.data),
        }


# The domain names fields after the API's structure; each goes to the textarea or input that holds it.
ORGANISATION_FIELDS = (
    ("signup_domains", "signup_domains"), ("teams", "teams"), ("support_resources-fr", "resources_fr"),
    ("support_resources-en", "resources_en"), ("working_hours-weekdays", "working_days"),
    ("working_hours-end", "working_end"), ("working_hours", "working_start"),
)


def place_organisation_errors(form: OrganisationForm, error: DomainError, language: str) -> list[str]:
    general = []
    for violation in error.violations:
        name = violation.field or ""
        target = next((field for prefix, field in ORGANISATION_FIELDS if name.startswith(prefix)), name)
        field = getattr(form, target, None)
        if field is None or not hasattr(field, "errors"):
            general.append(violation.message(language))
        else:
            field.errors = list(field.errors or []) + [violation.message(language)]
    return general


def team_choices(teams: list[Team], language: str, blank) -> list:
    return choices([("", blank)] + [(t.key, t.name(language)) for t in teams])


STATUS_LABELS = {
    VolunteerStatus.AWAITING_CONSENT: _l("En attente de confirmation"),
    VolunteerStatus.AVAILABLE: _l("Disponible"),
    VolunteerStatus.IN_GROUP: _l("Dans un groupe"),
    VolunteerStatus.WITHDRAWN: _l("Retirée"),
}


class VolunteerFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form: filters change nothing

    team = SelectField(_l("Équipe"), validate_choice=False)
    language = SelectField(_l("Langue"), choices=choices([("", _l("Toutes")), ("fr", _l("Français")),
                                                          ("en", _l("Anglais"))]), validate_choice=False)
    status = SelectField(_l("Statut"), validate_choice=False, choices=choices(
        [("", _l("Tous"))] + [(status.value, label) for status, label in STATUS_LABELS.items()]))


class VolunteerForm(FlaskForm):
    display_name = MemberRow.display_name
    email = MemberRow.email
    language = SelectField(_l("Langue"), choices=LANGUAGE_CHOICES, default="fr")
    team = SelectField(_l("Équipe"), validate_choice=False)
    reports_to_email = EmailField(_l("Courriel de la personne à qui elle se rapporte"),
                                  render_kw={"autocomplete": "off"})
    is_trained_moderator = MemberRow.is_trained_moderator
    consent_already_given = MemberRow.consent_already_given
    submit = SubmitField(_l("Ajouter aux volontaires"))

    def draft(self) -> VolunteerDraft:
        return VolunteerDraft(
            display_name=self.display_name.data or "", email=(self.email.data or "").strip(),
            language=self.language.data or "fr", team_key=self.team.data or None,
            reports_to_email=(self.reports_to_email.data or "").strip() or None,
            is_trained_moderator=bool(self.is_trained_moderator.data),
            consent_already_given=bool(self.consent_already_given.data))


class ImportForm(FlaskForm):
    file = FileField(_l("Fichier CSV (UTF-8)"), description=_l(
        "Première ligne : display_name,email,language,team,reports_to_email,availability,is_trained_moderator,"
        "wants_training,consent_already_given. Seules les deux premières colonnes sont obligatoires."),
        render_kw={"accept": ".csv,text/csv"})
    submit = SubmitField(_l("Importer"))

