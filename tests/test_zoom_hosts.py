"""The host pool: room for every occurrence (concurrency, buffer) and the daily quota counted in Redis."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from integrations.zoom.hosts import HostPool, Interval, pick_host

T0 = datetime(2031, 1, 6, 19, tzinfo=timezone.utc)
HOSTS = ("a@x.test", "b@x.test")


def at(minutes: int, length: int = 30) -> Interval:
    return Interval(T0 + timedelta(minutes=minutes), T0 + timedelta(minutes=minutes + length))


def test_the_least_booked_host_with_room_is_chosen():
    booked = {"a@x.test": [at(0)]}
    assert pick_host(HOSTS, [at(0)], booked, 1, timedelta(0)) == "b@x.test"
    assert pick_host(HOSTS, [at(120)], booked, 1, timedelta(0)) == "b@x.test"  # fewer bookings
    assert pick_host(HOSTS, [at(0)], {h: [at(0)] for h in HOSTS}, 1, timedelta(0)) is None


def test_the_buffer_keeps_a_gap_between_meetings():
    booked = {h: [at(0)] for h in HOSTS}
    assert pick_host(HOSTS, [at(35)], booked, 1, timedelta(minutes=10)) is None
    assert pick_host(HOSTS, [at(40)], booked, 1, timedelta(minutes=10)) == "a@x.test"


def test_every_occurrence_of_a_series_must_fit():
    series = [at(week * 7 * 24 * 60) for week in range(4)]
    booked = {"a@x.test": [at(3 * 7 * 24 * 60)]}
    assert pick_host(HOSTS, series, booked, 1, timedelta(0)) == "b@x.test"


def test_concurrency_counts_meetings_running_at_the_same_moment():
    booked = {h: [at(0), at(20)] for h in HOSTS}
    assert pick_host(HOSTS, [at(0, 60)], booked, 2, timedelta(0)) is None  # two already overlap at 20-30
    assert pick_host(HOSTS, [at(35)], booked, 2, timedelta(0)) == "a@x.test"  # only one runs then


def test_daily_quota_is_shared_and_refused_before_zoom(redis_client):
    pool = HostPool(HOSTS, redis_client, daily_limit=2)
    other_process = HostPool(HOSTS, redis_client, daily_limit=2)
    assert pool.spend("a@x.test") and other_process.spend("a@x.test")
    assert not pool.spend("a@x.test") and pool.calls_today("a@x.test") == 2
    assert pool.with_quota() == ["b@x.test"]
    pool.exhaust("b@x.test")
    assert pool.with_quota() == []
    assert pool.quota_resets_at().time().hour == 0
