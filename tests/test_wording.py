"""The English catalogue reads as written, not translated: typographic apostrophes like the rest of it, and the
person someone reports to is never called a "supervisor" (the service's supervisors are the moderators' support)."""

import re

from tests.test_i18n import _catalogue

STRAIGHT_APOSTROPHE = re.compile(r"[A-Za-z]'[A-Za-z]|[a-z]s'[ ,.:;]")


def _pairs():
    for message in _catalogue():
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for text in strings:
            yield ids[0], text


def test_english_apostrophes_are_typographic_like_the_rest_of_the_catalogue():
    assert [text for _, text in _pairs() if STRAIGHT_APOSTROPHE.search(text)] == []


def test_the_person_someone_reports_to_is_never_called_a_supervisor_in_english():
    reporting_line = [(french, english) for french, english in _pairs()
                      if "rapport" in french and "supervis" not in french]
    assert reporting_line, "the catalogue speaks of the person one reports to"
    assert [english for _, english in reporting_line if "supervisor" in english.lower()] == []


def test_french_names_moderators_in_epicene_words():
    """« Personne modératrice », as the rest of the interface does (issue 17, item 6), never « Modérateur »."""
    masculine = re.compile(r"\b[Mm]odérateurs?\b")
    assert [french for french, _ in _pairs() if masculine.search(french)] == []


def test_english_writes_e_mail_one_way():
    """« e-mail » as in the rest of the English catalogue (not « email » here and there)."""
    assert [text for _, text in _pairs() if re.search(r"\b[Ee]mails?\b(?![,_])", text.replace("%(email)s", ""))] == []
