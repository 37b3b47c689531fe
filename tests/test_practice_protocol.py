"""The community of practice's protocol, from the pure engine, in French and in English."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from service.protocol import (
    DURATION_RULES,
    MAX_MEMBERS_EXCEPTION,
    MIN_MEMBERS_EXCEPTION,
    Phase,
    SessionKind,
    build_timeline,
    render_agenda_html,
    render_agenda_text,
)
from service.protocol import practice_script

RULE = DURATION_RULES[SessionKind.PRACTICE]
ORDER = ["welcome", "p1", "p2", "p3", "learning", "practice_closing", "key_message"]
QUESTIONS_FR = [
    "Qu’est-ce qui s’est bien passé dans mon animation?",
    "Qu’est-ce qui a été difficile, ou où ai-je hésité?",
    "Qu’est-ce que j’essaierai la prochaine fois?",
]
QUESTIONS_EN = ["What went well in my moderating?", "What was difficult, or where did I hesitate?",
                "What will I try next time?"]
THEMES = {
    "fr": ["orienter une personne vers une autre ressource", "les silences", "les émotions fortes",
           "la gestion du temps", "nos propres limites"],
    "en": ["referring someone to another resource", "silences", "strong emotions", "keeping time", "our own limits"],
}


@settings(max_examples=300, deadline=None)
@given(st.integers(RULE.minimum_minutes, RULE.maximum_minutes),
       st.integers(MIN_MEMBERS_EXCEPTION, MAX_MEMBERS_EXCEPTION), st.sampled_from(["fr", "en"]),
       st.integers(0, 40))
def test_the_practice_timeline_is_complete_contiguous_and_in_order(minutes, members, language, variant):
    timeline = build_timeline(SessionKind.PRACTICE, minutes, members, language, variant)
    assert [step.key for step in timeline.steps] == ORDER
    assert timeline.steps[0].offset_seconds == 0 and timeline.steps[-1].end_seconds == minutes * 60
    for previous, step in zip(timeline.steps, timeline.steps[1:]):
        assert step.offset_seconds == previous.end_seconds
    for step in timeline.steps:
        assert step.duration_seconds >= 60 and step.title and step.moderator_text and step.chat_text
        assert "%(" not in step.chat_text + step.moderator_text
    # The difficult question weighs most, and carries the reminder that nobody is named.
    assert timeline.step("p2").duration_seconds >= max(timeline.step(k).duration_seconds for k in ("p1", "p3"))
    assert timeline.step("learning").phase is Phase.LEARNING
    # Only what participants may see is in the agenda.
    agenda = render_agenda_text(timeline)
    html = render_agenda_html(timeline)
    for step in timeline.steps:
        assert step.moderator_text not in agenda and step.moderator_text not in html


def test_thirty_minutes_in_french_with_the_questions_as_written():
    timeline = build_timeline("practice", 30, 6, "fr")
    assert [(s.key, s.duration_seconds // 60) for s in timeline.steps] == [
        ("welcome", 3), ("p1", 6), ("p2", 7), ("p3", 5), ("learning", 5), ("practice_closing", 3),
        ("key_message", 1)]
    assert [timeline.step(k).question for k in ("p1", "p2", "p3")] == QUESTIONS_FR
    assert timeline.step("p2").chat_text == ("Question 2 : Qu’est-ce qui a été difficile, ou où ai-je hésité? "
                                             "Rappel : on ne nomme personne et on ne donne aucun détail qui "
                                             "permettrait de reconnaître une personne ou un groupe.")
    assert "superviseure" in timeline.step("learning").moderator_text
    assert timeline.step("learning").summary == "Thème proposé : orienter une personne vers une autre ressource"
    assert timeline.step("key_message").summary == practice_script.KEY_MESSAGE
    assert "Déroulement de la communauté de pratique (30\u00a0min)" in render_agenda_text(timeline)


def test_english_says_the_same():
    timeline = build_timeline("practice", 30, 6, "en")
    assert [timeline.step(k).question for k in ("p1", "p2", "p3")] == QUESTIONS_EN
    assert "Reminder: we name nobody" in timeline.step("p2").chat_text
    assert timeline.step("learning").summary == "Suggested theme: referring someone to another resource"
    assert render_agenda_text(timeline).startswith("Community of practice agenda (30\u00a0min)")
    texts = " ".join(s.chat_text + s.moderator_text + s.title for s in timeline.steps)
    assert not any(word in texts for word in ("Bienvenue", "personne", "Thème", "Rappel"))


def test_the_theme_rotates_through_all_five_and_the_centring_still_rotates():
    for language in ("fr", "en"):
        themes = [build_timeline("practice", 30, 6, language, n).step("learning").summary for n in range(5)]
        assert [t.split(": ", 1)[1] if language == "en" else t.split(" : ", 1)[1] for t in themes] == THEMES[language]
    welcomes = {build_timeline("practice", 30, 6, "fr", n).step("welcome").chat_text for n in range(3)}
    assert len(welcomes) == 3


def test_flask_agenda_kind_practice(runner):
    result = runner.invoke(args=["agenda", "--kind", "practice", "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "What was difficult, or where did I hesitate?" in result.output
    result = runner.invoke(args=["agenda", "--kind", "practice", "--minutes", "90"])
    assert result.exit_code != 0 and "20-60" in result.output
