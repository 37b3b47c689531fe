"""Importing volunteers from a CSV file: a report line by line, and nothing saved unless every line is valid.

The file is UTF-8 (a spreadsheet's « CSV UTF-8 »; a byte-order mark is fine), separated by commas or semicolons,
with a header line naming the columns (the API's field names):

    display_name, email, language, team, reports_to_email, availability, is_trained_moderator, wants_training,
    consent_already_given

``display_name`` and ``email`` are required; ``availability`` reads ``1 09:00-12:00; 3 13:00-17:00`` (weekday,
Monday = 1, then the hours); yes/no columns take ``oui``/``non``, ``yes``/``no``, ``1``/``0`` or nothing (no).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from service.domain.audit import Actor
from service.domain.errors import DomainError, Violation
from service.domain.volunteers import VolunteerDraft, add_volunteers, check_new
from service.i18n import N_
from service.models import Organisation, Volunteer

COLUMNS = ("display_name", "email", "language", "team", "reports_to_email", "availability", "is_trained_moderator",
           "wants_training", "consent_already_given")
REQUIRED = ("display_name", "email")
MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
_TRUE = {"oui", "o", "yes", "y", "1", "true", "vrai", "x"}
_FALSE = {"non", "n", "no", "0", "false", "faux", ""}
_SLOT = re.compile(r"^\s*([1-7])\s+(\d{1,2}:\d{2})\s*-\s*(\d{1,2}:\d{2})\s*$")
LINE_FIELD = re.compile(r"^line-(\d+)-(.*)$")


@dataclass(frozen=True)
class RowProblem:
    line: int | None  # the file's line (the header is line 1); None: the file as a whole
    field: str | None
    code: str
    message: str


def _file_error(code: str, message_id: str, **params: object) -> DomainError:
    return DomainError(Violation(code, message_id, "file", params))


def _decode(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise _file_error("file_too_large", N_("Le fichier dépasse %(max)s Mo : importez-le en plusieurs parties."),
                          max=MAX_BYTES // (1024 * 1024))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise _file_error("encoding", N_("Ce fichier n’est pas encodé en UTF-8 (octet illisible à la position "
                                         "%(position)s). Dans votre tableur, enregistrez-le en « CSV UTF-8 », puis "
                                         "importez-le de nouveau."), position=error.start + 1) from error


def _boolean(value: str, line: int, column: str, problems: list[Violation]) -> bool:
    text = value.strip().lower()
    if text in _TRUE:
        return True
    if text not in _FALSE:
        problems.append(Violation("boolean_invalid", N_("Écrivez « oui » ou « non »."), f"line-{line}-{column}"))
    return False


def _availability(value: str, line: int, problems: list[Violation]) -> list[dict]:
    slots = []
    for part in filter(None, (p.strip() for p in value.split(";"))):
        match = _SLOT.match(part)
        if match is None:
            problems.append(Violation("availability_invalid",
                                      N_("Écrivez les disponibilités ainsi : « 1 09:00-12:00; 3 13:00-17:00 » "
                                         "(1 = lundi … 7 = dimanche)."), f"line-{line}-availability"))
            return []
        weekday, start, end = match.groups()
        slots.append({"weekday": int(weekday), "start": start.zfill(5), "end": end.zfill(5)})
    return slots


def parse(data: bytes) -> tuple[list[VolunteerDraft], list[Violation]]:
    """The drafts in file order and the problems of their cells; a DomainError if the file cannot be read."""
    text = _decode(data)
    if not text.strip():
        raise _file_error("file_empty", N_("Le fichier est vide."))
    first_line = text.splitlines()[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [(name or "").strip().lower() for name in reader.fieldnames or []]
    reader.fieldnames = header
    missing = [column for column in REQUIRED if column not in header]
    if missing:
        raise _file_error("columns_missing", N_("Colonnes manquantes : %(columns)s. La première ligne nomme les "
                                                "colonnes, par exemple : display_name,email,language,team."),
                          columns=", ".join(missing))
    unknown = [column for column in header if column and column not in COLUMNS]
    if unknown:
        raise _file_error("columns_unknown", N_("Colonnes inconnues : %(columns)s. Colonnes possibles : "
                                                "%(known)s."), columns=", ".join(unknown)[:200],
                          known=", ".join(COLUMNS))
    try:
        return _rows(reader)
    except csv.Error as error:  # a cell past the csv module's size limit, a stray quote at the end...
        raise _file_error("csv_unreadable", N_("Ce fichier CSV est illisible : une cellule est trop longue ou un "
                                               "guillemet n’est pas fermé. Vérifiez-le dans votre tableur et "
                                               "enregistrez-le de nouveau en « CSV UTF-8 ».")) from error


def _rows(reader: csv.DictReader) -> tuple[list[VolunteerDraft], list[Violation]]:
    drafts, problems = [], []
    for index, row in enumerate(reader):
        line = index + 2
        if index >= MAX_ROWS:
            raise _file_error("too_many_rows", N_("Importez au plus %(max)s personnes à la fois."), max=MAX_ROWS)
        if None in row:  # more cells than columns
            problems.append(Violation("row_too_long", N_("Cette ligne a plus de cellules que l’en-tête n’a de "
                                                         "colonnes."), f"line-{line}-"))
        cell = {column: (row.get(column) or "").strip() for column in COLUMNS}
        drafts.append(VolunteerDraft(
            display_name=cell["display_name"], email=cell["email"], language=cell["language"].lower() or "fr",
            team_key=cell["team"] or None, reports_to_email=cell["reports_to_email"] or None,
            availability=tuple(_availability(cell["availability"], line, problems)),
            is_trained_moderator=_boolean(cell["is_trained_moderator"], line, "is_trained_moderator", problems),
            wants_training=_boolean(cell["wants_training"], line, "wants_training", problems),
            consent_already_given=_boolean(cell["consent_already_given"], line, "consent_already_given", problems),
        ))
    if not drafts:
        raise _file_error("file_empty", N_("Le fichier ne contient aucune personne sous l’en-tête."))
    return drafts, problems


def import_file(organisation: Organisation, data: bytes, actor: Actor) -> list[Volunteer]:
    """Add everyone in the file, or no one. Returns the people added."""
    drafts, problems = parse(data)
    problems += check_new(organisation, drafts, _line_prefix)
    if problems:
        raise DomainError(problems)
    return add_volunteers(organisation, drafts, actor, prefix_of=_line_prefix)


def _line_prefix(index: int) -> str:
    return f"line-{index + 2}-"


def report(error: DomainError, language: str) -> list[RowProblem]:
    """The violations as the per-line report the page and the API show, in file order."""
    problems = []
    for violation in error.violations:
        match = LINE_FIELD.match(violation.field or "")
        line, field = (int(match.group(1)), match.group(2) or None) if match else (None, violation.field)
        problems.append(RowProblem(line, field, violation.code, violation.message(language)))
    return sorted(problems, key=lambda p: (p.line or 0, p.field or ""))
