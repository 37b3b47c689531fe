"""The coordinator's forms.

The forms only carry values: every rule lives in the domain services, whose violations name the form field
they belong to (``name``, ``members-2-reports_to_email``, ``supervisor_agreement``...). :func:`place_errors`
puts each message on its field; the rest go to the summary at the top of the page. Dates, times and numbers
are plain text inputs (typed ``date``/``time``/``number`` for the browser) parsed here, so a bad value gets our
own translated message rather than a generic one.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from datetime import date, datetime, time
from functools import lru_cache
from zoneinfo import available_timezones

from babel.dates import get_timezone_location
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, Field, FieldList, FormField, HiddenField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms import Form as SubForm
from wtforms.fields import EmailField

from service.domain.errors import DomainError
from service.domain.groups import GroupDraft
from service.domain.rules import MemberDraft
from service.i18n import N_, gettext, locale_for, normalise_language
from service.protocol import DURATION_RULES, SessionKind

BLANK_MEMBER_ROWS = 2
NEW_GROUP_ROWS = 6

def choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


LANGUAGE_CHOICES = choices([("fr", _l("Français")), ("en", _l("Anglais"))])

# Canadian zones first, named the way people say them (America/Montreal is now the same zone as Toronto).
CANADIAN_TIMEZONES = [
    ("America/Toronto", _l("Heure de l’Est — Montréal, Québec, Toronto, Ottawa")),
    ("America/Halifax", _l("Heure de l’Atlantique — Halifax")),
    ("America/Moncton", _l("Heure de l’Atlantique — Moncton")),
    ("America/St_Johns", _l("Heure de Terre-Neuve — St. John’s")),
    ("America/Winnipeg", _l("Heure du Centre — Winnipeg")),
    ("America/Regina", _l("Heure de la Saskatchewan — Regina")),
    ("America/Edmonton", _l("Heure des Rocheuses — Edmonton, Calgary")),
    ("America/Vancouver", _l("Heure du Pacifique — Vancouver")),
    ("America/Whitehorse", _l("Heure du Yukon — Whitehorse")),
    ("America/Iqaluit", _l("Heure de l’Est — Iqaluit")),
    ("America/Blanc-Sablon", _l("Heure de l’Atlantique — Blanc-Sablon (Basse-Côte-Nord)")),
]


# The other zones, grouped by region and named « Europe — Paris » (the value stays the IANA identifier).
# Only the regions of the time-zone database proper: aliases such as US/Eastern or Etc/GMT+5 are left out.
TIMEZONE_REGIONS = {
    "Africa": N_("Afrique"), "America": N_("Amérique"), "Antarctica": N_("Antarctique"), "Arctic": N_("Arctique"),
    "Asia": N_("Asie"), "Atlantic": N_("Atlantique"), "Australia": N_("Australie"), "Europe": N_("Europe"),
    "Indian": N_("Océan Indien"), "Pacific": N_("Pacifique"),
}


@lru_cache(maxsize=1)
def _other_timezones() -> tuple[str, ...]:
    canadian = {zone for zone, _label in CANADIAN_TIMEZONES}
    return tuple(sorted(zone for zone in available_timezones()
                        if zone not in canadian and zone.split("/", 1)[0] in TIMEZONE_REGIONS and "/" in zone))


def _city(zone: str, language: str) -> str:
    """« Le Caire », « Buenos Aires (Argentina) »: the city as Babel names it in the reader's language."""
    city = get_timezone_location(zone, locale=locale_for(language), return_city=True)
    *within, last = city.split("/")
    return f"{last} ({', '.join(within)})" if within else city


@lru_cache(maxsize=4)
def _other_timezone_labels(language: str) -> tuple[tuple[str, str], ...]:
    labelled = []
    for zone in _other_timezones():
        region = gettext(language, TIMEZONE_REGIONS[zone.split("/", 1)[0]])
        labelled.append((zone, f"{region} — {_city(zone, language)}"))
    return tuple(sorted(labelled, key=lambda pair: pair[1].casefold()))


def timezone_choices(current: str | None = None) -> list[SelectChoice]:
    """Grouped choices (rendered as <optgroup>): the Canadian zones, then « Autres fuseaux » by region and city.

    ``current`` (a group's zone) is kept even when the list leaves it out (an alias chosen before)."""
    canada, others = _("Canada"), _("Autres fuseaux")
    options = [SelectChoice(zone, label, optgroup=canada) for zone, label in CANADIAN_TIMEZONES]
    options += [SelectChoice(zone, label, optgroup=others) for zone, label in _other_timezone_labels(
        normalise_language(str(get_locale() or "")))]
    if current and current not in {option.value for option in options}:
        options.append(SelectChoice(current, current.replace("_", " "), optgroup=others))
    return options


WEEKDAY_CHOICES = choices([
    ("0", _l("lundi")), ("1", _l("mardi")), ("2", _l("mercredi")), ("3", _l("jeudi")), ("4", _l("vendredi")),
    ("5", _l("samedi")), ("6", _l("dimanche")),
])


def duration_hint(kind: SessionKind) -> str:
    rule = DURATION_RULES[kind]
    return _("De %(min)s à %(max)s minutes.", min=rule.minimum_minutes, max=rule.maximum_minutes)


# ---------------------------------------------------------------------------------------------------- groups

class MemberRow(SubForm):
    display_name = StringField(_l("Nom"), render_kw={"autocomplete": "off"})
    email = EmailField(_l("Courriel"), render_kw={"autocomplete": "off"})
    language = SelectField(_l("Langue"), choices=LANGUAGE_CHOICES, default="fr")
    reports_to_email = EmailField(_l("Courriel de la personne à qui elle se rapporte"), render_kw={"autocomplete": "off"})
    is_trained_moderator = BooleanField(_l("Formation en animation"))
    consent_already_given = BooleanField(_l("Consentement déjà obtenu (formulaire papier)"),
                                         description=_l("Sinon, la personne reçoit un courriel pour confirmer et "
                                                        "aucune invitation avant d’avoir confirmé."))

    def is_blank(self) -> bool:
        return not ((self.display_name.data or "").strip() or (self.email.data or "").strip()
                    or (self.reports_to_email.data or "").strip())

    def draft(self) -> MemberDraft:
        return MemberDraft(
            display_name=self.display_name.data or "",
            email=(self.email.data or "").strip(),
            language=self.language.data or "fr",
            reports_to_email=(self.reports_to_email.data or "").strip() or None,
            is_trained_moderator=bool(self.is_trained_moderator.data),
            consent_already_given=bool(self.consent_already_given.data),
        )


class ExternalModeratorFields(SubForm):
    display_name = StringField(_l("Nom de la personne modératrice externe"), render_kw={"autocomplete": "off"})
    email = EmailField(_l("Courriel de la personne modératrice externe"), render_kw={"autocomplete": "off"})
    language = SelectField(_l("Langue"), choices=LANGUAGE_CHOICES, default="fr")

    def is_blank(self) -> bool:
        return not ((self.display_name.data or "").strip() or (self.email.data or "").strip())

    consent_already_given = MemberRow.consent_already_given

    def draft(self) -> MemberDraft:
        return MemberDraft(self.display_name.data or "", (self.email.data or "").strip(), self.language.data or "fr",
                           None, True, consent_already_given=bool(self.consent_already_given.data))


class GroupSettingsFields:
    name = StringField(_l("Nom du groupe"), description=_l("Un nom que seules les personnes coordonnatrices voient, "
                                                            "par exemple « Soins intensifs — soir »."))
    language = SelectField(_l("Langue des rencontres"), choices=LANGUAGE_CHOICES, default="fr",
                           description=_l("L’ordre du jour, les messages et l’invitation sont rédigés dans cette "
                                          "langue; chaque personne reçoit ses courriels dans la sienne."))
    timezone = SelectField(_l("Fuseau horaire"), default="America/Toronto", validate_choice=False,
                           description=_l("Les heures des rencontres sont celles de ce fuseau."))
    size_exception_confirmed = BooleanField(_l("Je confirme cette exception à la taille recommandée (4 à 8 "
                                               "membres)"))
    neutral_invite_title = BooleanField(_l("Titre neutre dans les calendriers (« Rencontre d’équipe »)"),
                                        default=True)
    chat_prompts_enabled = BooleanField(_l("Publier les questions dans la conversation Zoom"), default=True,
                                        description=_l("Sinon, elles s’affichent seulement dans la console de la "
                                                       "personne modératrice."))


class GroupForm(GroupSettingsFields, FlaskForm):
    members = FieldList(FormField(MemberRow), min_entries=0, max_entries=60)
    external_moderator = FormField(ExternalModeratorFields)
    external_moderator_sessions = StringField(_l("Nombre de rencontres animées par la personne modératrice externe"),
                                              default="0", render_kw={"type": "number", "min": 0, "max": 60,
                                                                      "inputmode": "numeric"},
                                              description=_l("Ensuite, les membres ayant une formation en animation animent à "
                                                             "tour de rôle. Mettez 0 s’il n’y a pas de personne "
                                                             "modératrice externe."))
    add_row = SubmitField(_l("Ajouter une personne"))
    submit = SubmitField(_l("Créer le groupe"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = timezone_choices(self.timezone.data)

    def keep_blank_rows(self, wanted: int = BLANK_MEMBER_ROWS) -> None:
        """Without JavaScript, a few empty rows are always there to type into."""
        blanks = sum(1 for entry in self.members.entries if entry.form.is_blank())
        room = self.members.max_entries - len(self.members.entries)
        for _index in range(max(0, min(wanted - blanks, room))):
            self.members.append_entry()

    def member_rows(self) -> list[tuple[str, MemberRow]]:
        """(the row's field-name prefix, row) of the rows someone filled in."""
        return [(entry.name + "-", entry.form) for entry in self.members.entries if not entry.form.is_blank()]

    def draft(self) -> tuple[GroupDraft, dict[str, str]]:
        """The group as typed, and how the draft's member fields map back to the form's row numbers."""
        rows = self.member_rows()
        renames = {}
        for draft_index, (row_prefix, _row) in enumerate(rows):
            renames[f"members-{draft_index}-"] = row_prefix
        external = None if self.external_moderator.form.is_blank() else self.external_moderator.form.draft()
        sessions = parse_int(self.external_moderator_sessions, default=0)
        draft = GroupDraft(
            name=self.name.data or "",
            language=self.language.data or "fr",
            timezone=self.timezone.data or "",
            members=[row.draft() for _prefix, row in rows],
            size_exception_confirmed=bool(self.size_exception_confirmed.data),
            neutral_invite_title=bool(self.neutral_invite_title.data),
            chat_prompts_enabled=bool(self.chat_prompts_enabled.data),
            external_moderator=external,
            external_moderator_sessions=sessions if sessions is not None else -1,
        )
        return draft, renames


    def posted_row_prefixes(self, formdata) -> dict[str, str]:
        """Each row's prefix here -> the prefix the browser used (WTForms numbers rows 0, 1, 2... on reading).

        The page re-rendered by the server uses the new numbers; the live check answers the page as it is
        in the browser, so it names fields the way the browser did.
        """
        posted = sorted({int(match.group(1)) for key in formdata
                         if (match := re.match(r"members-(\d+)-", key))})[: self.members.max_entries]
        return {f"{entry.name}-": f"members-{index}-" for entry, index in zip(self.members.entries, posted)}


class GroupSettingsForm(GroupSettingsFields, FlaskForm):
    submit = SubmitField(_l("Enregistrer"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = timezone_choices(self.timezone.data)


class MemberForm(FlaskForm):
    """One person, added to a group or changed."""

    display_name = MemberRow.display_name
    email = MemberRow.email
    language = MemberRow.language
    reports_to_email = MemberRow.reports_to_email
    is_trained_moderator = MemberRow.is_trained_moderator
    consent_already_given = MemberRow.consent_already_given
    submit = SubmitField(_l("Enregistrer"))

    draft = MemberRow.draft


class ModeratorArrangementForm(FlaskForm):
    external_moderator = FormField(ExternalModeratorFields)
    external_moderator_sessions = GroupForm.external_moderator_sessions
    submit = SubmitField(_l("Enregistrer"))


class ShareForm(FlaskForm):
    email = EmailField(_l("Courriel de la personne coordonnatrice"))
    submit = SubmitField(_l("Partager le groupe"))


class ConfirmForm(FlaskForm):
    """A bare POST button (the CSRF token is its only field)."""

    submit = SubmitField(_l("Confirmer"))


class DeleteGroupForm(FlaskForm):
    confirm = BooleanField(_l("Je comprends que les noms et les courriels des membres seront effacés et que les "
                              "rencontres à venir seront annulées."))
    submit = SubmitField(_l("Supprimer le groupe et ses données"))


# ------------------------------------------------------------------------------------------------ scheduling

# Dates and times are typed as text with their format said next to them: a browser's own picker shows the
# format of the computer's locale (mm/dd/yyyy, AM/PM), which contradicts the « 18 h 30 » shown everywhere else.
DATE_HINT = _l("Format AAAA-MM-JJ, par exemple 2027-03-16.")
TIME_HINT = _l("Sur 24 heures, par exemple 18 h 30.")


def date_field(label, description=DATE_HINT):
    return StringField(label, description=description, render_kw={"inputmode": "numeric", "autocomplete": "off",
                                                                  "maxlength": 10, "size": 10})


def time_field(label, description=TIME_HINT):
    return StringField(label, description=description, render_kw={"autocomplete": "off", "maxlength": 8, "size": 8})


# Answers to the questions the domain asks (scheduling.QUESTIONS): shown only once asked.
def _daylight_saving_question():
    return BooleanField(_l("Je confirme cette heure malgré le changement d’heure"))


def _number_field(label, default, description=None):
    return StringField(label, default=str(default), description=description,
                       render_kw={"type": "number", "inputmode": "numeric", "min": 1})


SUPERVISOR_LABEL = _l("L’accord des personnes à qui les membres se rapportent a été obtenu")
SUPERVISOR_HINT = _l("Obligatoire si la rencontre a lieu pendant les heures de travail (du lundi au vendredi, de "
                     "8 h à 17 h). Cette confirmation est conservée au dossier et n’est transmise à personne.")


class KickoffForm(FlaskForm):
    starts_on = date_field(_l("Date"))
    at = time_field(_l("Heure"))
    duration_minutes = _number_field(_l("Durée (minutes)"), DURATION_RULES[SessionKind.KICKOFF].default_minutes)
    supervisor_agreement = BooleanField(SUPERVISOR_LABEL, description=SUPERVISOR_HINT)
    daylight_saving_confirmed = _daylight_saving_question()
    second_kickoff_confirmed = BooleanField(_l("Je confirme qu’il faut une deuxième rencontre de démarrage"))
    submit = SubmitField(_l("Planifier la rencontre de démarrage"))


class SeriesForm(FlaskForm):
    weekday = SelectField(_l("Jour de la semaine"), choices=WEEKDAY_CHOICES, default="1")
    starts_on = date_field(_l("À partir du"), _l("Ou le jour choisi qui suit. Format AAAA-MM-JJ."))
    at = time_field(_l("Heure"))
    interval_weeks = SelectField(_l("Fréquence"), choices=choices([("1", _l("Chaque semaine")),
                                                                    ("2", _l("Aux deux semaines"))]), default="1")
    duration_minutes = _number_field(_l("Durée (minutes)"), DURATION_RULES[SessionKind.REGULAR].default_minutes)
    occurrence_count = _number_field(_l("Nombre de rencontres"), 8, _l("De 1 à 60."))
    supervisor_agreement = BooleanField(SUPERVISOR_LABEL, description=SUPERVISOR_HINT)
    daylight_saving_confirmed = _daylight_saving_question()
    before_kickoff_confirmed = BooleanField(_l("Je confirme : des rencontres régulières avant la rencontre de "
                                               "démarrage"))
    # The series is saved only from a preview of these very values (the dates, every one, are shown first).
    previewed = HiddenField()
    preview = SubmitField(_l("Voir les dates"))
    submit = SubmitField(_l("Planifier ces rencontres"))

    def fingerprint(self, zone: str) -> str:
        values = [self.weekday.data, self.starts_on.data, self.at.data, self.interval_weeks.data,
                  self.duration_minutes.data, self.occurrence_count.data, zone]
        return hashlib.sha256(repr([str(v or "").strip() for v in values]).encode()).hexdigest()[:16]


class SingleSessionForm(FlaskForm):
    kind = SelectField(_l("Type de rencontre"), choices=choices([
        (SessionKind.REGULAR.value, _l("Rencontre régulière (une seule fois)")),
        (SessionKind.REHEARSAL.value, _l("Répétition pour une nouvelle personne modératrice")),
    ]), default=SessionKind.REGULAR.value)
    starts_on = date_field(_l("Date"))
    at = time_field(_l("Heure"))
    duration_minutes = _number_field(_l("Durée (minutes)"), DURATION_RULES[SessionKind.REGULAR].default_minutes)
    moderator = SelectField(_l("Personne modératrice"), choices=[], validate_choice=False,
                            description=_l("Pour une répétition : la personne qui s’exerce (elle seule est "
                                           "invitée). Sinon, laissez le choix automatique."))
    supervisor_agreement = BooleanField(SUPERVISOR_LABEL, description=SUPERVISOR_HINT)
    daylight_saving_confirmed = _daylight_saving_question()
    before_kickoff_confirmed = BooleanField(_l("Je confirme : une rencontre régulière avant la rencontre de "
                                               "démarrage"))
    submit = SubmitField(_l("Planifier cette rencontre"))


class RescheduleSessionForm(FlaskForm):
    starts_on = date_field(_l("Nouvelle date"))
    at = time_field(_l("Nouvelle heure"))
    duration_minutes = _number_field(_l("Durée (minutes)"), 30)
    supervisor_agreement = BooleanField(SUPERVISOR_LABEL, description=SUPERVISOR_HINT)
    daylight_saving_confirmed = _daylight_saving_question()
    submit = SubmitField(_l("Déplacer cette rencontre"))


class RescheduleSeriesForm(FlaskForm):
    weekday = SeriesForm.weekday
    at = time_field(_l("Nouvelle heure"))
    duration_minutes = _number_field(_l("Durée (minutes)"), 30)
    supervisor_agreement = BooleanField(SUPERVISOR_LABEL, description=SUPERVISOR_HINT)
    daylight_saving_confirmed = _daylight_saving_question()
    # The series moves only from a preview of these very moves (scheduling.SeriesMove.fingerprint).
    previewed = HiddenField()
    preview = SubmitField(_l("Voir les nouvelles dates"))
    submit = SubmitField(_l("Déplacer toutes les rencontres à venir"))


class ModeratorForm(FlaskForm):
    moderator = SelectField(_l("Personne modératrice de cette rencontre"), choices=[], validate_choice=False)
    submit = SubmitField(_l("Changer la personne modératrice"))


# ----------------------------------------------------------------------------------------- parsing, errors

def parse_int(field: Field, default: int | None = None) -> int | None:
    raw = (field.data or "").strip()
    if not raw:
        return default
    if not re.fullmatch(r"-?\d{1,4}", raw):
        field.errors = list(field.errors or []) + [_("Inscrivez un nombre entier, par exemple 30.")]
        return None
    return int(raw)


def parse_date(field: Field) -> date | None:
    raw = (field.data or "").strip()
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        message = _("Indiquez une date (aaaa-mm-jj), par exemple 2026-03-17.") if raw else _("Indiquez une date.")
        field.errors = list(field.errors or []) + [message]
        return None
    if not 2000 <= day.year <= 2100:
        field.errors = list(field.errors or []) + [_("Vérifiez l’année de cette date.")]
        return None
    return day


def parse_time(field: Field) -> time | None:
    raw = (field.data or "").strip()
    match = re.fullmatch(r"(\d{1,2})\s*[:hH]\s*(\d{2})?", raw)
    if match and int(match.group(1)) < 24 and int(match.group(2) or 0) < 60:
        return time(int(match.group(1)), int(match.group(2) or 0))
    message = _("Indiquez une heure, par exemple 12:15 ou 12 h 15.") if raw else _("Indiquez une heure.")
    field.errors = list(field.errors or []) + [message]
    return None


def local_moment(form: FlaskForm) -> datetime | None:
    """The wall-clock moment of a form's ``starts_on`` + ``at`` (both parsed, each error on its field)."""
    day, at = parse_date(form.starts_on), parse_time(form.at)
    return datetime.combine(day, at) if day and at else None


def all_fields(form) -> Iterator[Field]:
    """Every input field of a form, nested ones included (member rows, the external moderator).

    A list of rows is yielded too: a rule about the whole list (the group's size) is placed on it.
    """
    for field in form:
        if isinstance(field, FieldList):
            yield field
            for entry in field.entries:
                yield from all_fields(entry.form)
        elif isinstance(field, FormField):
            yield from all_fields(field.form)
        else:
            yield field


def _short_name(field: Field, form: FlaskForm) -> str:
    prefix = getattr(form, "_prefix", "") or ""
    return field.name[len(prefix):] if prefix and field.name.startswith(prefix) else field.name


def place_errors(form: FlaskForm, error: DomainError, language: str, renames: dict[str, str] | None = None,
                 strip: str | None = None) -> list[str]:
    """Attach each violation to the form field it names; return the messages that belong to no field.

    ``renames`` maps a field-name prefix of the domain to the form's (member rows typed with blank rows in
    between); ``strip`` removes a prefix (``members-3-`` when one member is edited on its own form).
    """
    by_name = {_short_name(field, form): field for field in all_fields(form)}
    general = []
    for violation in error.violations:
        name = violation.field or ""
        if strip and re.match(strip, name):
            name = re.sub(strip, "", name, count=1)
        for old, new in (renames or {}).items():
            if name.startswith(old):
                name = new + name[len(old):]
                break
        field = by_name.get(name)
        message = violation.message(language)
        if field is None:
            general.append(message)
        else:
            field.errors = list(field.errors or []) + [message]
    return general


def field_errors(form: FlaskForm) -> dict[str, list[str]]:
    """Every field's messages by the field's full input name (for the JSON check as one types)."""
    return {field.name: messages(field) for field in all_fields(form) if messages(field)}


def summary_message(field_id: str, message: str) -> str:
    """A message as the error summary lists it: a member row's message says which row (« Personne 3 : … »),
    since « Indiquez le nom de cette personne » alone does not say who."""
    row = re.match(r"(?:\w+-)?members-(\d+)-", field_id)
    if row:
        return _("%(row)s : %(message)s", row=_("Personne %(number)s", number=int(row.group(1)) + 1),
                 message=message)
    if re.match(r"(?:\w+-)?external_moderator-", field_id):
        return _("%(row)s : %(message)s", row=_("Personne modératrice externe"), message=message)
    return message


def messages(field: Field) -> list[str]:
    """A field's own messages (a list of rows also holds its rows' error dicts: those are not its own)."""
    return [message for message in field.errors or [] if isinstance(message, str)]
