"""The grouping's promises, whatever the pool: no proposed group ever breaks a rule, everyone is placed exactly
once or listed with a reason, and the same pool gives the same proposal."""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.grouping import REASONS, Person, Window, check_partition, propose, slot_mask
from service.grouping.pool import Pool
from service.grouping.values import MAX_MEMBERS, MIN_MEMBERS

# A small week (two days, a few half-hours) so that people overlap often and the search has real choices.
windows = st.builds(Window, weekday=st.integers(1, 2), start=st.sampled_from([480, 510, 540, 570, 600]),
                    end=st.sampled_from([540, 570, 600, 630, 660, 690]))


@st.composite
def pools(draw):
    count = draw(st.integers(0, 40))
    emails = [f"p{index}@org" for index in range(count)]
    outsiders = ["boss@org", "big.boss@org"]
    people = []
    for index in range(count):
        people.append(Person(
            key=index,
            email=emails[index],
            language=draw(st.sampled_from(["fr", "fr", "en"])),
            availability=tuple(draw(st.lists(windows, max_size=3))),
            team=draw(st.sampled_from(["a", "b", "c", None])),
            reports_to=draw(st.none() | st.sampled_from(emails + outsiders)),
            is_trained_moderator=draw(st.booleans()),
        ))
    # The outsiders' own lines (they are not in the pool but still link the chain), loops included: the
    # service refuses loops, the search must still never hang or break a rule on one.
    outside = {"boss@org": draw(st.none() | st.sampled_from(emails + ["big.boss@org"])),
               "big.boss@org": draw(st.none() | st.sampled_from(emails + ["boss@org"]))}
    target = draw(st.integers(MIN_MEMBERS, MAX_MEMBERS))
    return people, outside, target


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pools(), st.integers(0, 3))
def test_no_proposed_group_ever_breaks_a_rule(pool, seed):
    people, outside, target = pool
    proposal = propose(people, outside, target_size=target, seed=seed)
    groups = [list(group.members) for group in proposal.groups]
    assert check_partition(people, groups, outside) == [[] for _ in groups]
    by_key = {person.key: person for person in people}
    for group in proposal.groups:
        assert MIN_MEMBERS <= len(group.members) <= MAX_MEMBERS
        assert {by_key[key].language for key in group.members} == {group.language}
        common = -1
        for key in group.members:
            common &= slot_mask(by_key[key].availability)
        assert group.common_slot_count == common.bit_count() > 0
        assert group.common_windows
        assert group.has_trained_moderator == any(by_key[key].is_trained_moderator for key in group.members)
        assert 0 < group.team_share <= 1 or group.team is None


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pools())
def test_everyone_is_placed_exactly_once_or_listed_with_a_reason(pool):
    people, outside, target = pool
    proposal = propose(people, outside, target_size=target)
    placed = [key for group in proposal.groups for key in group.members]
    unplaced = [item.key for item in proposal.unplaced]
    assert len(placed) == len(set(placed))
    assert sorted(placed + unplaced) == sorted(person.key for person in people)
    for item in proposal.unplaced:
        assert item.reason in REASONS
        has_slot = bool(slot_mask(next(p for p in people if p.key == item.key).availability))
        assert (item.reason == "no_availability") == (not has_slot)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pools(), st.integers(0, 3), st.randoms(use_true_random=False))
def test_the_same_pool_gives_the_same_proposal_in_any_order(pool, seed, shuffler):
    people, outside, target = pool
    shuffled = list(people)
    shuffler.shuffle(shuffled)
    first = propose(people, outside, target_size=target, seed=seed)
    assert propose(shuffled, dict(reversed(list(outside.items()))), target_size=target, seed=seed) == first


@settings(max_examples=80, deadline=None)
@given(pools())
def test_a_group_that_could_form_is_never_left_out(pool):
    """If a language has at least four people with a common slot and no reporting line between them, the
    proposal places someone of that language: the search never gives up on an easy pool."""
    people, outside, target = pool
    proposal = propose(people, outside, target_size=target)
    positions = Pool(people, outside)
    for language in ("fr", "en"):
        speakers = [index for index in range(len(positions)) if positions.language[index] == language]
        for bit in range(7 * 48):
            free = [index for index in speakers if positions.mask[index] >> bit & 1]
            chosen: list[int] = []
            for index in free:
                if not positions.related[index] & set(chosen):
                    chosen.append(index)
            if len(chosen) >= MIN_MEMBERS:
                assert any(group.language == language for group in proposal.groups)
                break


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pools())
def test_nobody_is_left_out_who_could_simply_join_a_proposed_group(pool):
    people, outside, target = pool
    proposal = propose(people, outside, target_size=target)
    groups = [list(group.members) for group in proposal.groups]
    for item in proposal.unplaced:
        for group in groups:
            if len(group) < MAX_MEMBERS:
                assert check_partition(people, [group + [item.key]], outside) != [[]], (item, group)


def test_a_large_random_pool_is_grouped_without_breaking_a_rule():
    rng = random.Random(7)
    people = [Person(key=index, email=f"p{index}@org", language=rng.choice(["fr", "en"]),
                     team=f"t{rng.randrange(6)}", reports_to=f"p{rng.randrange(index)}@org" if index else None,
                     availability=(Window(rng.randint(1, 5), 720, 780), Window(rng.randint(1, 5), 480, 600)),
                     is_trained_moderator=rng.random() < 0.2)
              for index in range(300)]
    proposal = propose(people)
    assert all(problems == [] for problems in check_partition(people, [g.members for g in proposal.groups]))
    assert sum(len(group.members) for group in proposal.groups) + len(proposal.unplaced) == 300
