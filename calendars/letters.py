"""The words around an invitation: the e-mail's subject and bodies, and the calendar event's description.

Plain values in (:class:`Letter`, :class:`Description`), text out, in the recipient's language. Templates live
in ``calendars/templates/``: ``letter.txt`` and ``letter.html`` for the e-mail, ``description.txt`` for the
DESCRIPTION. Names and every other value are escaped in the HTML body; headers are the caller's business
(see :mod:`calendars.imip`).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Protocol
from zoneinfo import ZoneInfo

from babel.dates import format_date, get_timezone_name
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from service.dates import time_label
from service.i18n import N_, gettext, locale_for, normalise_language, translations

TEMPLATES = Path(__file__).resolve().parent / "templates"


class Change(str, enum.Enum):
    INVITED = "invited"  # the first request this person receives for this event
    UPDATED = "updated"  # a later request: new time, new link, new moderator...
    CANCELLED = "cancelled"  # the whole series or the single session is cancelled
    OCCURRENCE_CANCELLED = "occurrence_cancelled"  # one occurrence of a series is cancelled
    REMOVED = "removed"  # the person is no longer expected (left the group, no longer leads it)


SUBJECTS = {
    Change.INVITED: N_("Invitation : %(title)s, %(when)s"),
    Change.UPDATED: N_("Mise à jour : %(title)s, %(when)s"),
    Change.CANCELLED: N_("Annulation : %(title)s, %(when)s"),
    Change.OCCURRENCE_CANCELLED: N_("Annulation : %(title)s, %(when)s"),
    Change.REMOVED: N_("Retrait de votre agenda : %(title)s"),
}


class ResourceLike(Protocol):
    name: str
    contact: str
    detail: str


@dataclass(frozen=True)
class Schedule:
    """When the event happens, for the sentences that describe it."""

    timezone: str
    start: datetime  # a single event's start, or the first occurrence in this person's copy
    duration_minutes: int
    interval_weeks: int | None = None  # a series
    occurrences: int | None = None
    last_start: datetime | None = None


@dataclass(frozen=True)
class LedSession:
    """A session the recipient moderates, with their personal console link."""

    start: datetime
    console_url: str


@dataclass(frozen=True)
class Description:
    """The calendar event's DESCRIPTION. Only the moderator's own events carry a ``console_url``."""

    language: str
    join_url: str | None = None
    passcode: str | None = None
    console_url: str | None = None
    agenda_text: str = ""
    resources: tuple[ResourceLike, ...] = ()
    participant_url: str | None = None
    # A series copy of someone who leads some of its sessions: their personal page has the console link.
    leads_some: bool = False


@dataclass(frozen=True)
class Letter:
    """The e-mail that carries one calendar message to one person."""

    language: str
    change: Change
    title: str
    recipient_name: str
    schedule: Schedule
    join_url: str | None = None
    passcode: str | None = None
    led_sessions: tuple[LedSession, ...] = ()
    participant_url: str | None = None
    agenda_text: str = ""
    agenda_html: str = ""  # HTML already escaped by the protocol engine
    resources: tuple[ResourceLike, ...] = ()
    # An occurrence moved or cancelled on its own: where the series had placed it.
    original_start: datetime | None = None


# --- formatting ------------------------------------------------------------------------------------------

def _local(moment: datetime, zone: str) -> datetime:
    return moment.astimezone(ZoneInfo(zone))


def format_day(language: str, moment: datetime, zone: str) -> str:
    """« mardi 3 mars 2026 » / "Tuesday, March 3, 2026"."""
    return format_date(_local(moment, zone), "full", locale=locale_for(language))


def format_clock(language: str, moment: datetime, zone: str) -> str:
    """« 18 h 30 » / "6:30 p.m."."""
    return time_label(_local(moment, zone), language)


def format_moment(language: str, moment: datetime, zone: str) -> str:
    return gettext(language, N_("%(day)s à %(time)s"), day=format_day(language, moment, zone),
                   time=format_clock(language, moment, zone))


def zone_label(language: str, zone: str) -> str:
    """« heure de l’Est » / "Eastern Time": how the times in the message are to be read."""
    return get_timezone_name(ZoneInfo(zone), "long", locale=locale_for(language))


def schedule_lines(language: str, schedule: Schedule) -> list[str]:
    """One or two sentences saying when the event takes place, in the group's time zone."""
    zone = schedule.timezone
    end = schedule.start + timedelta(minutes=schedule.duration_minutes)
    hours = gettext(language, N_("de %(start)s à %(end)s (%(zone)s)"), start=format_clock(language, schedule.start, zone),
                    end=format_clock(language, end, zone), zone=zone_label(language, zone))
    if schedule.interval_weeks is None:
        return [f"{format_day(language, schedule.start, zone)}, {hours}"]
    weekday = format_date(_local(schedule.start, zone), "EEEE", locale=locale_for(language))
    pattern = (N_("Chaque semaine, le %(weekday)s, %(hours)s") if schedule.interval_weeks == 1
               else N_("Aux deux semaines, le %(weekday)s, %(hours)s"))
    lines = [gettext(language, pattern, weekday=weekday, hours=hours)]
    first = format_day(language, schedule.start, zone)
    if schedule.occurrences == 1 or schedule.last_start is None:
        lines.append(gettext(language, N_("Une rencontre, le %(first)s."), first=first))
    else:
        lines.append(gettext(language, N_("%(count)s rencontres, du %(first)s au %(last)s."),
                             count=schedule.occurrences, first=first,
                             last=format_day(language, schedule.last_start, zone)))
    return lines


def lead(letter: Letter) -> str:
    """The sentence that says what this message does to the person's calendar."""
    language, zone = letter.language, letter.schedule.timezone
    series = letter.schedule.interval_weeks is not None
    if letter.change is Change.INVITED:
        return gettext(language, N_("Voici votre invitation aux rencontres de votre groupe de soutien entre pairs. "
                                    "Elle s’ajoute à votre agenda avec le lien de la rencontre."))
    if letter.change is Change.UPDATED and letter.original_start is not None:
        return gettext(language, N_("La rencontre prévue le %(original)s a changé. Votre agenda se met à jour avec "
                                    "les informations ci-dessous."),
                       original=format_moment(language, letter.original_start, zone))
    if letter.change is Change.UPDATED:
        return gettext(language, N_("Votre invitation a changé. Votre agenda se met à jour avec les informations "
                                    "ci-dessous."))
    if letter.change is Change.OCCURRENCE_CANCELLED:
        return gettext(language, N_("La rencontre du %(original)s est annulée et retirée de votre agenda. Les autres "
                                    "rencontres de la série ne changent pas."),
                       original=format_moment(language, letter.original_start or letter.schedule.start, zone))
    if letter.change is Change.CANCELLED:
        return gettext(language, N_("Ces rencontres sont annulées et retirées de votre agenda.") if series
                       else N_("Cette rencontre est annulée et retirée de votre agenda."))
    return gettext(language, N_("Ces rencontres sont retirées de votre agenda : votre participation n’y est plus "
                                "prévue.") if series
                   else N_("Cette rencontre est retirée de votre agenda : votre participation n’y est plus prévue."))


def subject(letter: Letter) -> str:
    when = format_day(letter.language, letter.original_start or letter.schedule.start, letter.schedule.timezone)
    return gettext(letter.language, SUBJECTS[letter.change], title=letter.title, when=when)


# --- templates -------------------------------------------------------------------------------------------

@lru_cache(maxsize=None)
def _environment(language: str) -> Environment:
    environment = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.install_gettext_translations(translations(language), newstyle=True)  # type: ignore[attr-defined]
    environment.globals.update(
        moment=lambda value, zone: format_moment(language, value, zone),
        day=lambda value, zone: format_day(language, value, zone),
        clock=lambda value, zone: format_clock(language, value, zone),
    )
    return environment


def _render(template: str, language: str, **values: object) -> str:
    language = normalise_language(language)
    return _environment(language).get_template(template).render(language=language, **values)


def render_description(description: Description) -> str:
    return _render("description.txt", description.language, d=description).strip()


def render_letter(letter: Letter) -> tuple[str, str]:
    """The e-mail's plain-text and HTML bodies."""
    values = {
        "letter": letter,
        "lead": lead(letter),
        # A cancelled occurrence is named by the lead sentence; its old time would only repeat it.
        "schedule": [] if letter.change is Change.OCCURRENCE_CANCELLED else schedule_lines(letter.language,
                                                                                           letter.schedule),
        "agenda_html": Markup(letter.agenda_html),  # built and escaped by service.protocol
    }
    text = _render("letter.txt", letter.language, **values)
    html = _render("letter.html", letter.language, **values)
    return text, html
