"""The e-mails' words: snapshots of rendered subjects and bodies, in French and English, and their escaping.

The stored files under ``tests/snapshots/letters`` are what a person receives; a change to them shows in the
diff. After an intended change, ``UPDATE_SNAPSHOTS=1 scripts/test -k letters`` rewrites them (then read them).
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from calendars import Change, Description, LedSession, Letter, Schedule, render_description, render_letter, subject
from service.protocol import build_timeline, render_agenda_html, render_agenda_text, support_resources

UTC = timezone.utc
SNAPSHOTS = Path(__file__).parent / "snapshots" / "letters"
ZONE = "America/Toronto"
FIRST = datetime(2027, 10, 5, 22, 30, tzinfo=UTC)  # Tuesday 18:30 in Toronto
JOIN = "https://zoom.exemple/j/123456789?pwd=abc"


def _letter(language: str, change: Change, **values) -> Letter:
    timeline = build_timeline("regular", 30, 6, language)
    series = values.pop("series", True)
    start = values.pop("start", FIRST)
    schedule = Schedule(ZONE, start, 30, interval_weeks=1, occurrences=10, last_start=start + timedelta(weeks=9)) \
        if series else Schedule(ZONE, start, 30)
    defaults = dict(
        language=language, change=change, title="Rencontre d’équipe" if language == "fr" else "Team meeting",
        recipient_name="Amélie", schedule=schedule, resources=tuple(support_resources(language)),
    )
    if change in (Change.INVITED, Change.UPDATED):
        defaults.update(join_url=JOIN, passcode="482913", participant_url="https://entre-pairs.exemple/p/TOKEN",
                        agenda_text=render_agenda_text(timeline), agenda_html=render_agenda_html(timeline))
    defaults.update(values)
    return Letter(**defaults)


CASES = {
    "series-invited-moderator": lambda lang: _letter(lang, Change.INVITED, led_sessions=(
        LedSession(FIRST, "https://entre-pairs.exemple/m/CONSOLE1"),
        LedSession(FIRST + timedelta(weeks=4), "https://entre-pairs.exemple/m/CONSOLE2"))),
    "occurrence-moved": lambda lang: _letter(lang, Change.UPDATED, series=False,
                                             start=FIRST + timedelta(weeks=2, days=1, hours=1),
                                             original_start=FIRST + timedelta(weeks=2)),
    "occurrence-cancelled": lambda lang: _letter(lang, Change.OCCURRENCE_CANCELLED, series=False,
                                                 start=FIRST + timedelta(weeks=3),
                                                 original_start=FIRST + timedelta(weeks=3)),
    "series-removed": lambda lang: _letter(lang, Change.REMOVED),
}


def _check(name: str, rendered: str) -> None:
    path = SNAPSHOTS / name
    if os.environ.get("UPDATE_SNAPSHOTS"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(rendered, encoding="utf-8")
    assert path.exists(), f"missing snapshot {path}; run with UPDATE_SNAPSHOTS=1 once and review it"
    assert rendered == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_letters_match_their_snapshots(case, language):
    letter = CASES[case](language)
    text, html = render_letter(letter)
    _check(f"{case}.{language}.subject.txt", subject(letter) + "\n")
    _check(f"{case}.{language}.txt", text)
    _check(f"{case}.{language}.html", html)


def test_the_english_letter_is_english():
    text, html = render_letter(CASES["series-invited-moderator"]("en"))
    assert "Hello Amélie," in text and "Every week on Tuesday" in text
    assert "Bonjour" not in text and "rencontre" not in text.lower()
    assert '<html lang="en">' in html


def test_names_and_titles_are_escaped_in_the_html_body():
    letter = _letter("fr", Change.INVITED, recipient_name='<script>alert("x")</script> & Cie',
                     title='Équipe <img src=x onerror=alert(1)> "nuit"')
    text, html = render_letter(letter)
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Cie" in html
    assert '<script>alert("x")</script> & Cie' in text  # plain text stays plain


def test_the_description_carries_the_link_the_agenda_the_resources_and_the_way_out():
    timeline = build_timeline("regular", 30, 6, "fr")
    description = render_description(Description(
        "fr", join_url=JOIN, passcode="482913", agenda_text=render_agenda_text(timeline),
        resources=tuple(support_resources("fr")), participant_url="https://entre-pairs.exemple/p/TOKEN"))
    assert JOIN in description and "482913" in description
    assert "Que trouvez-vous le plus difficile?" in description and "9-8-8" in description
    assert "quitter le groupe" in description and "https://entre-pairs.exemple/p/TOKEN" in description
    assert "console" not in description
    with_console = render_description(Description("fr", join_url=JOIN, console_url="https://e.exemple/m/C"))
    assert "https://e.exemple/m/C" in with_console
