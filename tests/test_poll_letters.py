"""The poll e-mails as a member receives them (plain text and HTML), from plain values, in French and in English.

After an intended change, ``UPDATE_SNAPSHOTS=1`` rewrites the files under ``tests/snapshots/letters`` (read them).
"""

from __future__ import annotations

from datetime import date, datetime, time, timezone

import pytest

from service.domain.poll_choice import Slot
from service.domain.poll_labels import day_label, moment_label, rhythm_label, slot_label
from service.domain.poll_letters import PollLetterView, render, subject
from tests.test_letters import _check

SLOTS = (Slot(2, time(12), 30), Slot(3, time(19, 30), 30), Slot(5, time(8), 30))
CLOSES = datetime(2026, 12, 10, 22, 0, tzinfo=timezone.utc)  # 17 h 00 in Toronto


def _view(language: str, kind: str) -> PollLetterView:
    """Written by the same label functions as a real letter (``service.domain.poll_labels``)."""
    decided = kind == "decision"
    return PollLetterView(
        language=language, kind=kind, name="Amélie", rhythm=rhythm_label(2, 8, language),
        slots=tuple(slot_label(slot, language) for slot in SLOTS),
        answer_url="https://entre-pairs.exemple/p/TOKEN/sondage",
        closes=moment_label(CLOSES, "America/Toronto", language),
        participant_url="https://entre-pairs.exemple/p/TOKEN",
        chosen=slot_label(SLOTS[1], language) if decided else None,
        first_date=day_label(date(2026, 12, 16), language) if decided else None)


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("kind", ["invitation", "reminder", "decision"])
def test_poll_letters_match_their_snapshots(kind, language):
    view = _view(language, kind)
    text, html = render(view)
    _check(f"poll-{kind}.{language}.subject.txt", subject(view) + "\n")
    _check(f"poll-{kind}.{language}.txt", text)
    _check(f"poll-{kind}.{language}.html", html)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_answer_link_is_a_button_and_the_text_keeps_it_whole(language):
    text, html = render(_view(language, "invitation"))
    assert "https://entre-pairs.exemple/p/TOKEN/sondage" in text
    assert 'href="https://entre-pairs.exemple/p/TOKEN/sondage"' in html
    assert f'<html lang="{language}">' in html
    assert ("Donner mes disponibilités" in html) == (language == "fr")


def test_names_are_escaped_in_the_html():
    view = PollLetterView(language="fr", kind="invitation", name="<b>Amélie</b>", rhythm="r", slots=("s",),
                          answer_url="https://e.example/p/T/sondage", closes="c",
                          participant_url="https://e.example/p/T")
    text, html = render(view)
    assert "<b>Amélie</b>" in text and "<b>Amélie</b>" not in html and "&lt;b&gt;Amélie&lt;/b&gt;" in html
