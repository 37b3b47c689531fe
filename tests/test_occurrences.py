"""The pure date logic of a series: every occurrence, the daylight-saving changes, the times clocks skip or repeat."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from service.domain.clock import to_utc, weekly_dates
from service.domain.occurrences import LocalTimeIssue, local_time_issue, occurrence, occurrences

TORONTO = "America/Toronto"
ZONES = ["America/Toronto", "America/Halifax", "America/St_Johns", "America/Regina", "America/Vancouver",
         "Europe/Paris", "Australia/Lord_Howe", "Pacific/Chatham", "Asia/Kolkata"]


def test_the_spring_gap_is_named_and_moved_one_hour_later():
    found = occurrence(date(2027, 3, 14), time(2, 30), TORONTO)
    assert found.issue is LocalTimeIssue.NONEXISTENT and found.moved
    assert found.local.time() == time(3, 30) and found.starts_at == datetime(2027, 3, 14, 7, 30, tzinfo=timezone.utc)


def test_the_autumn_repeat_is_named_and_the_first_one_is_taken():
    found = occurrence(date(2027, 11, 7), time(1, 30), TORONTO)
    assert found.issue is LocalTimeIssue.AMBIGUOUS and not found.moved
    assert found.utc_offset == timedelta(hours=-4)  # still daylight time: the first of the two


def test_a_weekly_series_marks_the_change_of_offset_once():
    days = weekly_dates(date(2027, 2, 28), 1, 4)  # Sundays: Feb 28, Mar 7, Mar 14 (change), Mar 21
    found = occurrences(days, time(2, 30), TORONTO)
    assert [o.offset_changed for o in found] == [False, False, True, False]
    assert [o.issue for o in found] == [None, None, LocalTimeIssue.NONEXISTENT, None]
    assert [o.local.time() for o in found] == [time(2, 30), time(2, 30), time(3, 30), time(2, 30)]


@given(day=st.dates(date(2020, 1, 1), date(2035, 12, 31)),
       at=st.times().map(lambda t: t.replace(second=0, microsecond=0)), zone=st.sampled_from(ZONES))
def test_every_time_is_classified_as_the_zone_database_says(day, at, zone):
    tz = ZoneInfo(zone)
    wall = datetime.combine(day, at)
    issue = local_time_issue(day, at, zone)
    # Exactly once: the wall time comes back from both readings; skipped: from neither; repeated: two instants.
    instants = {wall.replace(tzinfo=tz, fold=fold).astimezone(timezone.utc) for fold in (0, 1)}
    back = {instant.astimezone(tz).replace(tzinfo=None) == wall for instant in instants}
    if issue is None:
        assert len(instants) == 1 and back == {True}
    elif issue is LocalTimeIssue.NONEXISTENT:
        assert back == {False}
    else:
        assert len(instants) == 2 and back == {True}
    found = occurrence(day, at, zone)
    assert found.starts_at == to_utc(wall, zone)  # the same instant the scheduling has always stored
    assert found.moved == (issue is LocalTimeIssue.NONEXISTENT)


@given(first=st.dates(date(2024, 1, 1), date(2030, 12, 31)), count=st.integers(1, 60),
       interval=st.sampled_from([1, 2]), at=st.sampled_from([time(1, 30), time(2, 30), time(12, 15), time(18, 30)]),
       zone=st.sampled_from(ZONES))
def test_a_series_keeps_every_date_in_order_and_marks_each_offset_change(first, count, interval, at, zone):
    days = weekly_dates(first, interval, count)
    found = occurrences(days, at, zone)
    assert [o.day for o in found] == days
    assert all(a.starts_at < b.starts_at for a, b in zip(found, found[1:]))
    for previous, current in zip(found, found[1:]):
        assert current.offset_changed == (previous.utc_offset != current.utc_offset)
    assert not found[0].offset_changed
