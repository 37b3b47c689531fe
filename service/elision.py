"""French elision before a name: « relève d’Éloïse », « au tour d’Hélène », but « de Marc », « de Yannick ».

Messages are written once with « de %(name)s »; the name is only known when the message is rendered, so the
elision is made then. Pure (no Flask): the protocol's texts, the domain's messages and the pages use it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from markupsafe import Markup, escape

# Words that lose their vowel before a vowel sound, and what they become.
_ELIDED = {"de": "d’", "que": "qu’", "jusque": "jusqu’"}
_VOWELS = set("aeiouœæ")


def _base_letters(word: str) -> str:
    """'Éloïse' -> 'eloise': the letters without their accents, lower case."""
    decomposed = unicodedata.normalize("NFD", word)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).lower()


def starts_with_vowel_sound(name: str) -> bool:
    """Whether French elides before ``name``: a vowel (Éloïse, Anne), a mute h (Hélène, Hugo), or a y sounded as a
    vowel (Yves, but not Yannick). An aspirated h is rare among first names; they are treated as mute."""
    letters = _base_letters(name.strip())
    if not letters:
        return False
    first = letters[0]
    if first in _VOWELS:
        return True
    if first == "h":
        return len(letters) > 1 and letters[1] in _VOWELS | {"y"}
    if first == "y":
        return len(letters) > 1 and letters[1] not in _VOWELS
    return False


def elide(text: str, names: Iterable[str], language: str = "fr") -> str:
    """``text`` with « de Éloïse » written « d’Éloïse » for each of ``names`` (French only; other text untouched)."""
    if language != "fr":
        return text
    for name in {name for name in names if name and starts_with_vowel_sound(name)}:
        pattern = re.compile(r"\b(" + "|".join(_ELIDED) + r") " + re.escape(name) + r"(?!\w)", re.IGNORECASE)
        text = pattern.sub(lambda match: _elided(match.group(1)) + name, text)
    return text


def _elided(word: str) -> str:
    elided = _ELIDED[word.lower()]
    return elided[0].upper() + elided[1:] if word[0].isupper() else elided


def elide_markup(text: str, names: Iterable[str], language: str = "fr") -> str:
    """``elide`` as a template filter: a translated message that is already safe HTML (its names escaped) stays
    safe, so that « Santé & Co » is not escaped twice."""
    if isinstance(text, Markup):
        return Markup(elide(str(text), [str(escape(name)) for name in names], language))
    return elide(text, names, language)
