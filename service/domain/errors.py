"""Errors the domain raises when a request breaks a rule.

A :class:`Violation` names the rule (``code``), the form field it belongs to (so a page can put the message
next to the field, and the API can point at it), and a French message id translated on demand.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Protocol, runtime_checkable

from service.elision import elide
from service.i18n import gettext, normalise_language


@runtime_checkable
class Localised(Protocol):
    """A message parameter written in the reader's language (a date, a time), rendered with the message."""

    def localised(self, language: str) -> str: ...


@dataclass(frozen=True)
class Violation:
    code: str
    message_id: str
    field: str | None = None
    params: dict[str, object] = dataclass_field(default_factory=dict)
    # The existing session the rule is about (a kick-off already scheduled): an API client can go to it.
    session_id: int | None = None

    def message(self, language: str) -> str:
        params = {key: value.localised(language) if isinstance(value, Localised) else value
                  for key, value in self.params.items()}
        text = gettext(language, self.message_id, **params)
        # « relève de %(manager)s » reads « relève d’Éloïse »: the names are only known now.
        names = [value for value in params.values() if isinstance(value, str)]
        return elide(text, names, normalise_language(language))

    def as_dict(self, language: str) -> dict[str, object]:
        answer: dict[str, object] = {"code": self.code, "field": self.field, "message": self.message(language)}
        if self.session_id is not None:
            answer["session_id"] = self.session_id
        return answer


class DomainError(Exception):
    """One or more rules refuse the request. Nothing has been changed."""

    def __init__(self, violations: Violation | Iterable[Violation]):
        self.violations = [violations] if isinstance(violations, Violation) else list(violations)
        super().__init__(", ".join(v.code for v in self.violations))

    def messages(self, language: str) -> list[str]:
        return [violation.message(language) for violation in self.violations]

    def by_field(self, language: str) -> dict[str | None, list[str]]:
        grouped: dict[str | None, list[str]] = {}
        for violation in self.violations:
            grouped.setdefault(violation.field, []).append(violation.message(language))
        return grouped


class NotFound(Exception):
    """The object does not exist, or the caller may not see it (the two are not told apart)."""


def refuse(code: str, message_id: str, field: str | None = None, **params: object) -> DomainError:
    return DomainError(Violation(code, message_id, field, params))
