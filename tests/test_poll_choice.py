"""The poll's arithmetic and the daylight-saving check, as properties over plain values."""

from __future__ import annotations

from datetime import date, time, timedelta

from hypothesis import given
from hypothesis import strategies as st

from service.domain.occurrences import LocalTimeIssue, local_time_issue, occurrences
from service.domain.poll_choice import Answer, Slot, Tally, Window, leading_slot, ranking, suggest_slots, tally

ANSWERS = st.sampled_from([a.value for a in Answer])


def people(slot_count: int):
    return st.lists(st.lists(ANSWERS, min_size=slot_count, max_size=slot_count), max_size=10)


@given(st.integers(1, 12).flatmap(lambda n: st.tuples(st.just(n), people(n))))
def test_the_counts_add_up_to_the_people_who_answered(case):
    slot_count, answers = case
    tallies = tally(answers, slot_count)
    assert len(tallies) == slot_count
    for index, counted in enumerate(tallies):
        assert counted.answered == len(answers)
        assert counted.yes == sum(1 for person in answers if person[index] == "yes")


@given(st.integers(1, 12).flatmap(lambda n: st.tuples(st.just(n), people(n), st.randoms())))
def test_the_counts_do_not_depend_on_who_answered_first(case):
    slot_count, answers, random = case
    shuffled = list(answers)
    random.shuffle(shuffled)
    assert tally(shuffled, slot_count) == tally(answers, slot_count)


TALLIES = st.lists(st.builds(Tally, st.integers(0, 8), st.integers(0, 8), st.integers(0, 8)), min_size=1,
                   max_size=12)


@given(TALLIES)
def test_the_leading_slot_has_the_most_yes_then_the_most_if_need_be(tallies):
    order = ranking(tallies)
    assert sorted(order) == list(range(len(tallies)))
    keys = [(tallies[i].yes, tallies[i].if_need_be) for i in order]
    assert keys == sorted(keys, reverse=True)
    lead = leading_slot(tallies)
    if lead is not None:
        assert lead == order[0]
        assert all((t.yes, t.if_need_be) <= (tallies[lead].yes, tallies[lead].if_need_be) for t in tallies)


@given(TALLIES)
def test_ties_keep_the_order_the_coordinator_proposed(tallies):
    order = ranking(tallies)
    for before, after in zip(order, order[1:]):
        if (tallies[before].yes, tallies[before].if_need_be) == (tallies[after].yes, tallies[after].if_need_be):
            assert before < after


def test_no_leading_slot_while_nobody_can_come():
    assert leading_slot([Tally(0, 0, 3), Tally(0, 0, 1)]) is None
    assert leading_slot([]) is None
    assert leading_slot([Tally(0, 2, 0), Tally(1, 0, 5)]) == 1  # one « oui » beats two « si nécessaire »


def test_unknown_answers_count_for_nothing():
    assert tally([["yes", "maybe"], ["no"]], 2) == [Tally(1, 0, 1), Tally(0, 0, 0)]


WINDOWS = st.builds(
    lambda weekday, start, length: Window(weekday, time(start // 60, start % 60),
                                          time(min(start + length, 1439) // 60, min(start + length, 1439) % 60)),
    st.integers(1, 7), st.integers(0, 22 * 60), st.integers(30, 240))
AVAILABILITY = st.dictionaries(st.integers(1, 8), st.lists(WINDOWS, max_size=3), max_size=8)


def _free(windows, slot: Slot) -> bool:
    start = slot.local_time.hour * 60 + slot.local_time.minute
    return any(w.weekday == slot.weekday and w.start.hour * 60 + w.start.minute <= start
               and start + slot.duration_minutes <= w.end.hour * 60 + w.end.minute for w in windows)


@given(AVAILABILITY, st.integers(1, 6))
def test_suggestions_count_the_members_free_and_come_best_first(availability, limit):
    suggestions = suggest_slots(availability, 30, limit)
    assert len(suggestions) <= limit
    frees = [free for _slot, free in suggestions]
    assert frees == sorted(frees, reverse=True)
    for slot, free in suggestions:
        assert free == sum(1 for windows in availability.values() if _free(windows, slot)) >= 1
    assert len({slot for slot, _ in suggestions}) == len(suggestions)


@given(AVAILABILITY)
def test_no_slot_left_out_is_better_than_one_suggested(availability):
    suggestions = suggest_slots(availability, 30, 3)
    suggested = {slot for slot, _ in suggestions}
    worst = suggestions[-1][1] if len(suggestions) == 3 else 0
    for weekday in range(1, 8):
        for start in range(0, 24 * 60 - 29, 30):
            slot = Slot(weekday, time(start // 60, start % 60), 30)
            if slot not in suggested:
                assert sum(1 for w in availability.values() if _free(w, slot)) <= worst


def test_suggestions_prefer_the_slot_most_members_share():
    availability = {
        1: [Window(2, time(12), time(13))],
        2: [Window(2, time(12), time(13)), Window(4, time(19), time(20))],
        3: [Window(4, time(19), time(21))],
        4: [Window(2, time(11, 30), time(12, 30))],
    }
    (best, free), *_ = suggest_slots(availability, 30, 2)
    assert (best, free) == (Slot(2, time(12), 30), 3)
    assert suggest_slots({}, 30, 4) == []


def _sundays(start: date, weeks: int) -> list[date]:
    first = start + timedelta(days=(6 - start.weekday()) % 7)
    return [first + timedelta(weeks=i) for i in range(weeks)]


def test_daylight_saving_gap_and_repeat_in_toronto():
    assert local_time_issue(date(2027, 3, 14), time(2, 30), "America/Toronto") is LocalTimeIssue.NONEXISTENT
    assert local_time_issue(date(2027, 11, 7), time(1, 30), "America/Toronto") is LocalTimeIssue.AMBIGUOUS
    assert local_time_issue(date(2027, 3, 14), time(19, 0), "America/Toronto") is None
    assert local_time_issue(date(2027, 3, 14), time(2, 30), "America/Regina") is None  # no DST there


# From 2008: North America moved its clock changes in 2007, so a year of Sundays from April 2006 met two springs
# forward (2 April 2006 and 11 March 2007). The property is about a year under one set of rules.
@given(st.dates(date(2008, 1, 1), date(2090, 1, 1)), st.sampled_from(["America/Toronto", "America/St_Johns",
                                                                       "America/Vancouver", "Europe/Paris"]))
def test_a_year_of_sundays_at_any_hour_has_one_gap_and_one_repeat_at_most(start, zone):
    days = _sundays(start, 52)
    for hour in (1, 2):
        problems = [found for found in occurrences(days, time(hour, 30), zone) if found.issue is not None]
        assert len([p for p in problems if p.issue is LocalTimeIssue.NONEXISTENT]) <= 1
        assert len([p for p in problems if p.issue is LocalTimeIssue.AMBIGUOUS]) <= 1
        assert all(p.day in days for p in problems)
    assert all(found.issue is None for found in occurrences(days, time(12, 0), zone))
