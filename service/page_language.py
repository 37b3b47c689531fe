"""The language of a page reached by a personal link, and how the visitor switches it.

Such a page speaks its owner's language (``g.page_language``: the member's, the session's for a console), which
wins over the language kept in the browser's session (``app._select_language``). So the site-wide switch
(``/language/…?next=…``) cannot change it, and it would copy the link's credential into another address's query.
These pages link to themselves with ``?lang=`` instead (``shared/_language_link.html``), and carry that choice on
in their own links, forms, redirects and script calls: the console's next poll or a click on "+2 minutes" does
not switch back.
"""

from __future__ import annotations

from flask import Blueprint, g
from flask_babel import get_locale

from service import i18n


def reader_language() -> str:
    """The language this page is read in: its own, unless the visitor chose the other one (``?lang=``)."""
    return str(get_locale())


def other_language() -> str:
    return "en" if reader_language() == "fr" else "fr"


def _keep_chosen_language(endpoint: str, values: dict) -> None:
    """URLs built for the blueprint's pages keep ``?lang=`` while the visitor reads it in another language than
    the page's own (and only then: the usual links stay as they were)."""
    page_language = getattr(g, "page_language", None)
    if "lang" in values or page_language not in i18n.LANGUAGES:
        return  # an explicit language, or no page language set yet (asking get_locale now would fix it too soon)
    chosen = reader_language()
    if chosen != page_language:
        values["lang"] = chosen


def keep_chosen_language(bp: Blueprint) -> None:
    bp.url_defaults(_keep_chosen_language)


def init_app(app) -> None:
    app.add_template_global(other_language, "other_language")
