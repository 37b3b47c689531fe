"""The grouping on small pools one can check by hand: reporting chains, slots, reasons, preferences."""

from __future__ import annotations

from service.grouping import (
    Person,
    Window,
    all_superiors,
    check_partition,
    find_cycle,
    mask_windows,
    propose,
    slot_mask,
    superiors_of,
    window_from_mapping,
    window_to_mapping,
)
from service.grouping.rules import DUPLICATE, HIERARCHY, MIXED_LANGUAGES, NO_COMMON_SLOT, TOO_LARGE, TOO_SMALL

LUNCH = (Window(2, 720, 780),)  # Tuesday 12:00-13:00


def person(key, *, language="fr", team="a", reports_to=None, availability=LUNCH, moderator=False):
    return Person(key=key, email=f"{key}@org", language=language, team=team,
                  reports_to=f"{reports_to}@org" if reports_to else None, availability=availability,
                  is_trained_moderator=moderator)


def test_a_loop_in_the_chain_is_found_and_named_in_order():
    assert find_cycle({"a": "b", "b": "c", "c": None}) is None
    assert find_cycle({"a": "b", "b": "c", "c": "b"}) == ["b", "c"]
    assert find_cycle({"x": "x"}) == ["x"]


def test_everyone_above_counts_people_outside_the_pool_as_links():
    chain = {"ana": "ben", "ben": "chloe", "chloe": None, "dan": "ben"}
    assert superiors_of(chain, "ana") == {"ben", "chloe"}
    assert all_superiors(chain)["dan"] == {"ben", "chloe"}
    assert superiors_of({"a": "b", "b": "a"}, "a") == {"b"}  # a loop stops the walk


def test_nobody_is_grouped_with_someone_above_them_even_through_an_outsider():
    # 0 reports to "boss" (not a volunteer), who reports to 1: 1 is above 0.
    pool = [person(0, reports_to="boss")] + [person(key) for key in range(1, 8)]
    proposal = propose(pool, {"boss@org": "1@org"}, target_size=4)
    for group in proposal.groups:
        assert not {0, 1} <= set(group.members)
    assert check_partition(pool, [[0, 1, 2, 3]], {"boss@org": "1@org"})[0][0].code == HIERARCHY


def test_slots_are_whole_sessions_inside_the_windows():
    mask = slot_mask([Window(1, 735, 800)])  # 12:15-13:20: only the 12:30 start holds 30 minutes
    assert mask_windows(mask) == (Window(1, 750, 780),)
    assert slot_mask([Window(1, 720, 780)], session_minutes=60).bit_count() == 1
    assert window_from_mapping({"weekday": 8, "start": "09:00", "end": "10:00"}) is None
    assert window_from_mapping({"weekday": 1, "start": "10:00", "end": "09:00"}) is None
    assert window_to_mapping(window_from_mapping({"weekday": 7, "start": "23:00", "end": "24:00"})) == {
        "weekday": 7, "start": "23:00", "end": "24:00"}


def test_each_unplaced_person_gets_the_rule_that_left_them_out():
    english = [person(f"en{n}", language="en") for n in range(3)]
    no_time = [person("idle", availability=())]
    evening = [person("late", availability=(Window(5, 1200, 1260),))]
    boss = [person("boss")] + [person(f"r{n}", reports_to="boss") for n in range(4)]
    proposal = propose(english + no_time + evening + boss)
    reasons = {item.key: item.reason for item in proposal.unplaced}
    assert reasons == {"en0": "no_common_language_group", "en1": "no_common_language_group",
                       "en2": "no_common_language_group", "idle": "no_availability",
                       "late": "no_compatible_slot", "boss": "hierarchy"}
    assert [sorted(group.members) for group in proposal.groups] == [["r0", "r1", "r2", "r3"]]


def test_teams_stay_together_and_moderators_are_spread():
    pool = [person(f"a{n}", team="a", moderator=n < 2) for n in range(8)]
    pool += [person(f"b{n}", team="b") for n in range(8)]
    proposal = propose(pool, target_size=4)
    assert len(proposal.groups) == 4 and not proposal.unplaced
    assert all(group.team_share == 1.0 for group in proposal.groups)
    assert sum(group.has_trained_moderator for group in proposal.groups) == 2
    team_a = [group for group in proposal.groups if group.team == "a"]
    assert all(group.has_trained_moderator for group in team_a)


def test_a_group_forms_around_the_time_its_members_share():
    morning, lunch = (Window(3, 480, 540),), LUNCH
    pool = [person(f"m{n}", availability=morning) for n in range(5)]
    pool += [person(f"l{n}", availability=lunch) for n in range(5)]
    proposal = propose(pool)
    assert sorted(sorted(group.members) for group in proposal.groups) == [
        [f"l{n}" for n in range(5)], [f"m{n}" for n in range(5)]]
    assert {group.common_windows for group in proposal.groups} == {(Window(3, 480, 540),), LUNCH}


def test_an_edited_partition_names_every_broken_rule():
    pool = [person(f"p{n}") for n in range(10)] + [person("en", language="en"), person("night", availability=(
        Window(1, 0, 60),))]
    problems = check_partition(pool, [["p0", "p1", "p2"], [f"p{n}" for n in range(1, 10)],
                                      ["p3", "p4", "p5", "en", "night"], ["p6", "p7", "p8", "p9"]])
    assert [problem.code for problem in problems[0]] == [TOO_SMALL]
    assert [problem.code for problem in problems[1]] == [DUPLICATE, TOO_LARGE]
    assert [problem.code for problem in problems[2]] == [DUPLICATE, MIXED_LANGUAGES, NO_COMMON_SLOT]
    assert problems[3] == [problems[3][0]] and problems[3][0].code == DUPLICATE
