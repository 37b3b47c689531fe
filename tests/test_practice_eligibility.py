"""Who belongs to the community of practice (pure), and each moderator's load: properties over plain values."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from service.domain.moderator_load import moderator_loads
from service.domain.practice_eligibility import (
    MODERATOR,
    SUPERVISOR,
    WINDOW,
    Eligible,
    Moderation,
    Person,
    community_for,
    eligible_members,
)

NOW = datetime(2026, 12, 6, 12, tzinfo=timezone.utc)
KEYS = ["a@x.ca", "b@x.ca", "c@x.ca", "d@x.ca"]

moderation = st.builds(
    lambda key, days, external: Moderation(key, key.split("@")[0].upper(), key, "fr", external,
                                           NOW + timedelta(days=days)),
    st.sampled_from(KEYS), st.integers(-120, 120), st.booleans())


@settings(max_examples=300, deadline=None)
@given(st.lists(moderation, max_size=12), st.sets(st.sampled_from(KEYS)), st.booleans(), st.booleans())
def test_members_are_exactly_the_recent_or_upcoming_moderators_not_opted_out_plus_supervisors(
        items, opted_out, include_external, with_supervisor):
    supervisors = [(7, Person("sup@x.ca", "Sup", "sup@x.ca", "fr"))] if with_supervisor else []
    members = eligible_members(items, supervisors, opted_out, include_external, NOW)
    expected = {m.email_key for m in items if abs(m.starts_at - NOW) <= WINDOW and m.email_key not in opted_out
                and (include_external or not m.external)}
    assert {k for k, e in members.items() if e.role == MODERATOR} == expected
    assert ("sup@x.ca" in members) == with_supervisor
    if with_supervisor:
        assert members["sup@x.ca"].role == SUPERVISOR and members["sup@x.ca"].supervisor_id == 7


def test_joins_when_scheduled_and_leaves_eight_weeks_after_the_last_session():
    item = Moderation("a@x.ca", "Amélie", "a@x.ca", "fr", False, NOW + timedelta(weeks=9))
    assert eligible_members([item], [], set(), False, NOW) == {}  # too far ahead yet
    assert "a@x.ca" in eligible_members([item], [], set(), False, NOW + timedelta(weeks=1))  # now within 8 weeks
    assert "a@x.ca" in eligible_members([item], [], set(), False, NOW + timedelta(weeks=17))  # moderated 8 weeks ago
    assert eligible_members([item], [], set(), False, NOW + timedelta(weeks=17, days=1)) == {}  # left


def test_a_supervisor_who_also_moderates_belongs_once_as_supervisor():
    item = Moderation("a@x.ca", "Amélie", "a@x.ca", "fr", False, NOW)
    members = eligible_members([item], [(3, Person("a@x.ca", "Amélie", "a@x.ca", "fr"))], set(), False, NOW)
    assert list(members) == ["a@x.ca"] and members["a@x.ca"].role == SUPERVISOR


def test_each_person_goes_to_the_community_in_their_language_or_the_only_one():
    english = Eligible("e@x.ca", "E", "e@x.ca", "en", MODERATOR)
    assert community_for(english, {"fr", "en"}) == "en"
    assert community_for(english, {"fr"}) == "fr"
    assert community_for(Eligible("s@x.ca", "S", "s@x.ca", "en", SUPERVISOR, 1), {"fr", "en"}) is None


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(KEYS), st.integers(-60, 60)), max_size=20), st.integers(1, 8))
def test_load_counts_each_window_and_flags_above_the_threshold(sessions, threshold):
    rows = [(key, key, NOW + timedelta(days=days)) for key, days in sessions]
    loads = {load.email_key: load for load in moderator_loads(rows, NOW, threshold)}
    for key in KEYS:
        past = sum(1 for k, d in sessions if k == key and -28 <= d <= 0)
        ahead = sum(1 for k, d in sessions if k == key and 0 < d <= 28)
        if past or ahead:
            load = loads[key]
            assert (load.moderated, load.scheduled) == (past, ahead)
            assert load.heavy == (past > threshold or ahead > threshold)
        else:
            assert key not in loads


def test_the_pure_modules_import_nothing_of_the_service():
    import ast

    import service.domain.moderator_load as load
    import service.domain.practice_eligibility as eligibility

    for module in (eligibility, load):
        tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
        imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        imported |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
        assert imported <= {"__future__", "collections.abc", "dataclasses", "datetime"}, imported
