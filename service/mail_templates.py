"""The e-mails the service writes itself (welcome-and-consent, polls): Jinja templates under
``service/templates/mail``, a plain-text and an HTML body each, in the reader's language.

The calendar invitations have their own templates (``calendars.letters``), next to the calendar they carry.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from service.elision import elide_markup
from service.i18n import normalise_language, translations

TEMPLATES = Path(__file__).resolve().parent / "templates" / "mail"


@lru_cache(maxsize=None)
def environment(language: str) -> Environment:
    environment = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]),
                              extensions=["jinja2.ext.i18n"], undefined=StrictUndefined, trim_blocks=True,
                              lstrip_blocks=True, keep_trailing_newline=True)
    environment.install_gettext_translations(translations(language), newstyle=True)  # type: ignore[attr-defined]
    # « de Organisation X » reads « d’Organisation X » in French, as on the pages (service/elision.py).
    environment.filters["elide"] = lambda text, *names: elide_markup(text, names, language)
    return environment


def render(name: str, language: str, **values: object) -> tuple[str, str]:
    """``name.txt`` and ``name.html``, rendered with ``values`` and ``language``."""
    language = normalise_language(language)
    templates = environment(language)
    values = {**values, "language": language}
    return (templates.get_template(f"{name}.txt").render(**values),
            templates.get_template(f"{name}.html").render(**values))
