"""Times of day as the service shows them: « 19 h 05 » never breaks across two lines, wherever it is written."""

from datetime import datetime, time, timezone

import pytest

from calendars.imip import header_safe
from calendars.letters import format_clock, format_moment
from service import formatting
from service.dates import NO_BREAK_SPACE, clock_label, time_label
from service.domain.poll_choice import Slot
from service.domain.poll_labels import moment_label, slot_label
from service.protocol import build_timeline, render_agenda_html, render_agenda_text

EVENING = datetime(2027, 3, 11, 0, 5, tzinfo=timezone.utc)  # 19 h 05 in Toronto (EST), 7:05 p.m.
ZONE = "America/Toronto"


def breakable_spaces(text: str) -> list[str]:
    return [character for character in text if character.isspace() and character != NO_BREAK_SPACE]


@pytest.mark.parametrize("language, expected", [("fr", "19\u00a0h\u00a005"), ("en", "7:05\u00a0p.m.")])
def test_a_time_label_is_one_unbreakable_piece(language, expected):
    assert clock_label(EVENING, ZONE, language) == expected
    assert time_label(time(19, 5), language) == expected


@pytest.mark.parametrize("at, french, english", [(time(9, 5), "9\u00a0h\u00a005", "9:05\u00a0a.m."),
                                                  (time(0, 30), "0\u00a0h\u00a030", "12:30\u00a0a.m.")])
def test_a_french_hour_has_no_leading_zero(at, french, english):
    """« 9 h 05 », as the Office québécois de la langue française writes it (Babel's fr_CA says « 09 h 05 »)."""
    assert time_label(at, "fr") == french
    assert time_label(at, "en") == english


@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_place_that_writes_a_time_uses_the_same_label(language):
    """Pages (formatting filters), polls, letters and the agenda: the time inside each is unbreakable."""
    label = clock_label(EVENING, ZONE, language)
    assert formatting.local_time(EVENING, ZONE, language) == label
    assert formatting.wall_time(time(19, 5), language) == label
    assert label in formatting.local_datetime(EVENING, ZONE, language)
    assert format_clock(language, EVENING, ZONE) == label and label in format_moment(language, EVENING, ZONE)
    assert label in slot_label(Slot(4, time(19, 5)), language) and label in moment_label(EVENING, ZONE, language)
    timeline = build_timeline("regular", 30, 6, language)
    for agenda in (render_agenda_text(timeline, EVENING, ZONE), render_agenda_html(timeline, EVENING, ZONE)):
        assert label in agenda
    for text in (label, formatting.wall_time(time(9, 0), language)):
        assert breakable_spaces(text) == []


def test_a_mail_header_keeps_the_time_whole():
    subject = f"Invitation : {format_moment('fr', EVENING, ZONE)}"
    assert "19\u00a0h\u00a005" in header_safe(subject)
