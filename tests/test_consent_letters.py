"""The welcome-and-consent e-mail's words: snapshots in French and English, and the escaping of names.

After an intended change, ``UPDATE_SNAPSHOTS=1`` rewrites the files under ``tests/snapshots/letters`` (read them).
"""

from __future__ import annotations

import pytest

from service.domain.consent_mail import ConsentLetter, build, render
from service.protocol import support_resources
from tests.test_letters import _check

CASES = {
    "consent-signup": dict(is_volunteer=True, already_confirmed=False),
    "consent-added-by-coordinator": dict(is_volunteer=False, already_confirmed=False),
    "consent-reminder": dict(is_volunteer=True, already_confirmed=True),
}


def _letter(language: str, **values) -> ConsentLetter:
    return ConsentLetter(language=language, recipient_name="Amélie", organisation_name="CISSS de l’Exemple",
                         link="https://entre-pairs.exemple/v/TOKEN", privacy_officer_name="Me Line Gagnon",
                         privacy_officer_contact="vie.privee@exemple.ca",
                         resources=tuple(support_resources(language)), **values)


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_consent_letters_match_their_snapshots(case, language):
    letter = _letter(language, **CASES[case])
    text, html = render(letter)
    _check(f"{case}.{language}.subject.txt", letter.subject + "\n")
    _check(f"{case}.{language}.txt", text)
    _check(f"{case}.{language}.html", html)


def test_names_are_escaped_and_no_header_can_be_added():
    letter = ConsentLetter(language="fr", recipient_name="<b>Amélie</b>\r\nBcc: x@evil.example",
                           organisation_name="A & B", link="https://entre-pairs.exemple/v/T", is_volunteer=True,
                           already_confirmed=False, privacy_officer_name="", privacy_officer_contact="")
    _text, html = render(letter)
    assert "&lt;b&gt;Amélie&lt;/b&gt;" in html and "A &amp; B" in html
    message = build(letter, "amelie@exemple.ca", "Entre pairs <entre-pairs@exemple.ca>")
    assert message["Bcc"] is None and "\n" not in str(message["To"])
    assert message["To"].addresses[0].addr_spec == "amelie@exemple.ca"
