"""The translation catalogue, usable with or without Flask.

French is the source language: message ids *are* the French text (the seed documents are French, and a
missing translation then falls back to French, the default language). ``translations/en`` holds English.
Flask-Babel reads the same folder for templates and views; code that runs outside a request (the protocol
engine, the worker, e-mails) asks :func:`translations` for a language explicitly.

This module must not import Flask: the protocol engine depends on it.
"""

from __future__ import annotations

import os
import tempfile
from functools import lru_cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

TRANSLATIONS_DIR = Path(__file__).resolve().parent / "translations"
DOMAIN = "messages"
SOURCE_LANGUAGE = "fr"
LANGUAGES = ("fr", "en")
LANGUAGE_NAMES = {"fr": "Français", "en": "English"}
# Babel locales used to format dates, times and numbers for each language (Canadian conventions).
LOCALES = {"fr": "fr_CA", "en": "en_CA"}


def N_(message: str) -> str:
    """Mark a string for extraction without translating it now (gettext_noop)."""
    return message


def normalise_language(language: str | None, default: str = SOURCE_LANGUAGE) -> str:
    """'fr-CA', 'EN_us', 'en' -> 'fr' / 'en'; anything else -> ``default``."""
    if not language:
        return default
    short = language.replace("_", "-").split("-", 1)[0].strip().lower()
    return short if short in LANGUAGES else default


def locale_for(language: str) -> str:
    return LOCALES[normalise_language(language)]


def compile_catalogues(directory: Path = TRANSLATIONS_DIR) -> list[Path]:
    """Compile every ``.po`` whose ``.mo`` is missing or older. Safe when several processes race."""
    compiled = []
    for po_path in sorted(directory.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalogue = read_po(po_file, locale=po_path.parent.parent.name)
        handle, temporary = tempfile.mkstemp(dir=po_path.parent, suffix=".mo.tmp")
        with os.fdopen(handle, "wb") as mo_file:
            write_mo(mo_file, catalogue, use_fuzzy=False)
        os.replace(temporary, mo_path)
        compiled.append(mo_path)
    if compiled:
        translations.cache_clear()
    return compiled


@lru_cache(maxsize=None)
def translations(language: str) -> NullTranslations:
    """The compiled catalogue for ``language`` ('fr' needs none: the source text is French)."""
    language = normalise_language(language)
    if language == SOURCE_LANGUAGE:
        return NullTranslations()
    mo_path = TRANSLATIONS_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.mo"
    if not mo_path.exists():
        compile_catalogues()
    loaded = Translations.load(str(TRANSLATIONS_DIR), [language], domain=DOMAIN)
    return loaded


def gettext(language: str, message: str, **params: object) -> str:
    """Translate ``message`` into ``language`` and fill its ``%(name)s`` placeholders."""
    text = translations(language).gettext(message)
    return text % params if params else text


def ngettext(language: str, singular: str, plural: str, n: int, **params: object) -> str:
    text = translations(language).ngettext(singular, plural, n)
    return text % {"num": n, **params}
