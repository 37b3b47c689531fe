"""Time: stored as aware UTC, shown and entered in the group's local time."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

UTC = timezone.utc


def now_utc() -> datetime:
    return datetime.now(UTC)


def to_utc(local: datetime, zone: str) -> datetime:
    """A wall-clock time in ``zone`` as aware UTC.

    A time that does not exist (skipped at the spring DST change) is read with the offset before the gap,
    which is what RFC 5545 asks calendar clients to do: the session then appears at the same instant
    everywhere.
    """
    if local.tzinfo is not None:
        return local.astimezone(UTC)
    return local.replace(tzinfo=ZoneInfo(zone), fold=0).astimezone(UTC)


def to_local(moment: datetime, zone: str) -> datetime:
    return moment.astimezone(ZoneInfo(zone))


def local_start(day: date, at: time, zone: str) -> datetime:
    return to_utc(datetime.combine(day, at), zone)


def weekly_dates(first: date, interval_weeks: int, count: int | None = None, until: date | None = None,
                 limit: int = 60) -> list[date]:
    """The dates of a weekly (or every-N-weeks) series: ``count`` of them, or up to ``until`` inclusive."""
    dates = []
    day = first
    while len(dates) < limit and (count is None or len(dates) < count) and (until is None or day <= until):
        dates.append(day)
        day += timedelta(weeks=interval_weeks)
    return dates


def next_weekday_on_or_after(day: date, weekday: int) -> date:
    return day + timedelta(days=(weekday - day.weekday()) % 7)
