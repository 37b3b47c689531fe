"""The protocol engine: properties over every kind, duration, group size and language, and the guide's words."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.protocol import (
    DURATION_RULES,
    MAX_MEMBERS_EXCEPTION,
    MIN_MEMBERS_EXCEPTION,
    ZOOM_AGENDA_LIMIT,
    ProtocolError,
    SessionKind,
    build_timeline,
    render_agenda_html,
    render_agenda_text,
    render_zoom_agenda,
)

QUESTIONS = ("q1", "q2", "q3", "q4", "q5")
SEEDS = Path(__file__).resolve().parent.parent.parent / "shared" / "seeds"

# The guide's words (CISSS de Laval, « Le déroulement d'une rencontre »), whitespace normalised.
GUIDE_QUESTIONS_FR = {
    "q1": "Que trouvez-vous le plus difficile?",
    "q2": "Qu’est-ce qui vous aide ou peut vous aider maintenant?",
    # The guide's words; its typography before « ? » varies, ours is one (no space, as the whole catalogue).
    "q3": "Avez-vous observé des choses positives à travers le chaos? Quelque chose pour laquelle vous êtes "
    "reconnaissants aujourd’hui?",
    "q4": "Qu’est-ce que nous avons généré ensemble comme soutien?",
    "q5": "Qu’est-ce que nous pouvons nous offrir comme soutien au cours de la semaine qui vient?",
}
GUIDE_KEY_MESSAGE_FR = (
    "Il est normal que les émotions douloureuses demeurent, mais visons à ce qu’elles nous entravent moins grâce à "
    "notre soutien."
)


@st.composite
def sessions(draw):
    # The community of practice has its own questions (tests/test_practice_protocol.py).
    kind = draw(st.sampled_from([k for k in SessionKind if k is not SessionKind.PRACTICE]))
    rule = DURATION_RULES[kind]
    minutes = draw(st.integers(rule.minimum_minutes, rule.maximum_minutes))
    members = draw(st.integers(MIN_MEMBERS_EXCEPTION, MAX_MEMBERS_EXCEPTION))
    language = draw(st.sampled_from(["fr", "en"]))
    centring = draw(st.integers(0, 10))
    return kind, minutes, members, language, centring


@settings(max_examples=400, deadline=None)
@given(sessions())
def test_steps_are_contiguous_ordered_and_fill_the_session(session):
    kind, minutes, members, language, centring = session
    timeline = build_timeline(kind, minutes, members, language, centring)
    assert timeline.steps[0].offset_seconds == 0
    for previous, step in zip(timeline.steps, timeline.steps[1:]):
        assert step.offset_seconds == previous.end_seconds
    assert all(step.duration_seconds > 0 for step in timeline.steps)
    assert timeline.steps[-1].end_seconds == minutes * 60 == timeline.duration_seconds
    assert sum(step.duration_seconds for step in timeline.steps) == minutes * 60
    assert len({step.key for step in timeline.steps}) == len(timeline.steps)
    assert timeline.steps[0].key == "welcome" and timeline.steps[-1].key == "key_message"


@settings(max_examples=400, deadline=None)
@given(sessions())
def test_each_question_exactly_once_and_q1_gets_the_largest_share(session):
    kind, minutes, members, language, centring = session
    timeline = build_timeline(kind, minutes, members, language, centring)
    keys = [step.key for step in timeline.steps]
    for question in QUESTIONS:
        assert keys.count(question) == 1
    assert [k for k in keys if k in QUESTIONS] == list(QUESTIONS)
    q1 = timeline.step("q1").duration_seconds
    assert all(q1 > timeline.step(q).duration_seconds for q in QUESTIONS[1:])
    if kind is not SessionKind.KICKOFF:
        assert all(q1 >= step.duration_seconds for step in timeline.steps)


@settings(max_examples=400, deadline=None)
@given(sessions())
def test_chat_texts_cues_and_per_person_budget(session):
    kind, minutes, members, language, centring = session
    timeline = build_timeline(kind, minutes, members, language, centring)
    for step in timeline.steps:
        assert step.title and step.moderator_text
        if step.key.startswith("cue_"):
            assert step.chat_text is None  # moderator-only: the chat never shows it
        else:
            assert step.chat_text
        assert "%(" not in (step.chat_text or "") + step.moderator_text  # every placeholder filled
    for question in ("q1", "q2", "q3"):
        step = timeline.step(question)
        assert step.per_person_seconds is not None and step.per_person_seconds * members <= minutes * 60
    assert {s.key for s in timeline.chat_steps()} >= {"welcome", *QUESTIONS, "key_message"}


@settings(max_examples=400, deadline=None)
@given(sessions())
def test_zoom_agenda_fits_and_renderings_show_no_moderator_text(session):
    kind, minutes, members, language, centring = session
    timeline = build_timeline(kind, minutes, members, language, centring)
    agenda = render_agenda_text(timeline)
    assert len(agenda) <= ZOOM_AGENDA_LIMIT
    assert render_zoom_agenda(timeline) == agenda  # never truncated
    html = render_agenda_html(timeline)
    for step in timeline.steps:
        assert step.moderator_text not in agenda and step.moderator_text not in html
        if step.question:
            assert step.question in agenda


def test_zoom_agenda_longest_case_fits():
    for language in ("fr", "en"):
        for kind in SessionKind:
            rule = DURATION_RULES[kind]
            agenda = render_zoom_agenda(build_timeline(kind, rule.maximum_minutes, MAX_MEMBERS_EXCEPTION, language))
            assert len(agenda) <= ZOOM_AGENDA_LIMIT


def test_regular_thirty_minutes_for_six():
    timeline = build_timeline("regular", 30, 6, "fr")
    plan = [(s.key, s.duration_seconds // 60) for s in timeline.steps]
    assert plan == [("welcome", 3), ("q1", 9), ("q2", 5), ("q3", 3), ("cue_closing", 2), ("q4", 4), ("q5", 3),
                    ("key_message", 1)]
    assert timeline.step("q1").per_person_seconds == 90
    assert "1\u00a0min 30\u00a0s" in timeline.step("q1").moderator_text
    assert "reconnaît, on nomme, on valide et on normalise" in timeline.step("q1").moderator_text
    assert timeline.step("cue_closing").question == timeline.step("q3").question


def test_kickoff_frames_the_group_then_a_shorter_round():
    timeline = build_timeline("kickoff", 60, 6, "fr")
    keys = [s.key for s in timeline.steps]
    assert keys[:5] == ["welcome", "context", "winning_conditions", "foundations", "agreements"]
    assert "confidentialité" in timeline.step("winning_conditions").chat_text
    assert "fréquence" in timeline.step("agreements").chat_text
    assert "Première ronde" in timeline.step("q1").moderator_text
    round_table = sum(timeline.step(q).duration_seconds for q in QUESTIONS)
    regular = build_timeline("regular", 60, 6, "fr")
    assert round_table < sum(regular.step(q).duration_seconds for q in QUESTIONS)


def test_rehearsal_is_the_regular_timeline_compressed():
    timeline = build_timeline("rehearsal", 3, 6, "en")
    assert [s.key for s in timeline.steps] == ["welcome", *QUESTIONS, "key_message"]
    assert timeline.duration_seconds == 180
    assert all(s.duration_seconds % 15 == 0 for s in timeline.steps)


def test_questions_use_one_spacing_before_question_marks():
    for language in ("fr", "en"):
        timeline = build_timeline("regular", 30, 6, language)
        for key in GUIDE_QUESTIONS_FR:
            question = timeline.step(key).question
            assert question.endswith("?") and not re.search(r"\s\?", question), question


def test_french_words_are_the_guides():
    timeline = build_timeline("regular", 30, 6, "fr")
    for key, words in GUIDE_QUESTIONS_FR.items():
        assert timeline.step(key).question == words
        assert words in timeline.step(key).chat_text
    assert GUIDE_KEY_MESSAGE_FR in timeline.step("key_message").chat_text


@pytest.mark.skipif(not SEEDS.exists(), reason="the seed documents sit beside the repository (../shared/seeds)")
def test_french_words_match_the_seed_document():
    seed_text = " ".join(" ".join(path.read_text(encoding="utf-8").split()) for path in SEEDS.glob("*.txt"))
    seed_text = seed_text.replace(" ?", "?")  # the same words; the spacing before « ? » is the catalogue's
    for words in [*GUIDE_QUESTIONS_FR.values(), GUIDE_KEY_MESSAGE_FR]:
        assert words in seed_text


def test_english_is_a_faithful_translation():
    timeline = build_timeline("regular", 30, 6, "en")
    assert timeline.step("q1").question == "What do you find the most difficult?"
    assert timeline.step("q5").question == "What support can we offer one another over the coming week?"
    assert timeline.step("key_message").summary.startswith("It is normal for painful emotions to remain")
    for step in timeline.steps:  # no French left in the English timeline
        assert not re.search(r"\b(le|la|les|des|une|vous|nous)\b", f"{step.title} {step.chat_text} "
                             f"{step.moderator_text}")


def test_centring_practices_rotate():
    practices = {build_timeline("regular", 30, 6, "fr", centring=i).step("welcome").chat_text for i in range(3)}
    assert len(practices) == 3
    assert "Gymnopédie" in build_timeline("regular", 30, 6, "fr", centring=0).step("welcome").chat_text


def test_agenda_with_clock_times_in_the_groups_zone():
    timeline = build_timeline("regular", 30, 6, "fr")
    start = datetime(2027, 1, 12, 17, 0, tzinfo=timezone.utc)  # 12 h 00 in Toronto (EST)
    agenda = render_agenda_text(timeline, start, "America/Toronto")
    assert "12\u00a0h\u00a000 · Accueil et centrage (3\u00a0min)" in agenda
    assert "12\u00a0h\u00a003 · Tour de table — Question 1 (9\u00a0min)" in agenda
    english = render_agenda_text(build_timeline("regular", 30, 6, "en"), start, "America/Vancouver")
    # CLDR writes a narrow no-break space there; every time label uses the catalogue's U+00A0 (service.dates)
    assert "9:00\u00a0a.m. · Welcome and centring" in english


def test_html_agenda_is_a_list_of_the_visible_steps():
    html = render_agenda_html(build_timeline("regular", 30, 6, "fr"))
    assert html.count("<li>") == 7  # cues are folded into their question
    assert "Encore 2\u00a0min" not in html
    assert "’" in html  # typographic apostrophes kept


@pytest.mark.parametrize(
    "kind, minutes, members",
    [("regular", 19, 6), ("regular", 91, 6), ("kickoff", 44, 6), ("rehearsal", 11, 6), ("regular", 30, 2),
     ("regular", 30, 11)],
)
def test_out_of_range_requests_are_refused(kind, minutes, members):
    with pytest.raises(ProtocolError):
        build_timeline(kind, minutes, members, "fr")


def test_the_core_is_pure():
    """The protocol engine imports no web framework, database, queue, Zoom or mail library."""
    code = (
        "import sys; import service.protocol as p; p.build_timeline('kickoff', 60, 6, 'en');"
        "p.render_agenda_html(p.build_timeline('regular', 30, 6, 'fr'));"
        "bad = [m for m in sys.modules if m.split('.')[0] in "
        "{'flask', 'flask_babel', 'sqlalchemy', 'redis', 'rq', 'requests', 'zoomus', 'smtplib', 'icalendar', "
        "'werkzeug', 'jinja2'}];"
        "print(','.join(sorted(bad)))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            cwd=Path(__file__).resolve().parent.parent)
    assert result.stdout.strip() == ""


# ---- stretching what is left of a session up to its planned end (protocol.stretch) ----

from service.protocol import stretch  # noqa: E402

planned_lengths = st.lists(st.integers(min_value=0, max_value=3600), min_size=1, max_size=12)


@settings(max_examples=300, deadline=None)
@given(planned_lengths, st.integers(min_value=0, max_value=4 * 3600))
def test_stretch_shares_exactly_the_time_available_in_order(planned, available):
    lengths = stretch(planned, available)
    assert len(lengths) == len(planned)
    assert sum(lengths) == available
    assert all(length >= 0 for length in lengths)
    if sum(planned):
        assert all(length == 0 for length, plan in zip(lengths, planned) if plan == 0)


@settings(max_examples=300, deadline=None)
@given(planned_lengths.filter(sum), st.integers(min_value=0, max_value=3600))
def test_stretching_never_shortens_a_step_and_keeps_the_proportions(planned, extra):
    available = sum(planned) + extra
    lengths = stretch(planned, available)
    assert all(length >= plan for length, plan in zip(lengths, planned))
    for length, plan in zip(lengths, planned):
        assert abs(length - available * plan / sum(planned)) < 1  # whole seconds, never a second off


def test_stretch_after_two_skipped_steps_gives_each_remaining_step_its_share():
    timeline = build_timeline("regular", 30, 6, "fr")
    remaining = [step.duration_seconds for step in timeline.steps[3:]]  # from Q3 on
    lengths = stretch(remaining, sum(remaining) + 12 * 60)
    assert sum(lengths) == sum(remaining) + 12 * 60
    assert lengths[-1] > remaining[-1]  # the key message too keeps its share
    with pytest.raises(ValueError):
        stretch(remaining, -1)
    assert stretch([], 0) == [] and stretch([0, 0], 30) == [0, 30]
