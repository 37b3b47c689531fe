"""VTIMEZONE components written the way Outlook expects: yearly RRULE-style STANDARD/DAYLIGHT blocks.

A weekly series needs its zone's rules, or it drifts an hour at each daylight-saving change in the clients
that read the VTIMEZONE instead of looking the TZID up (Outlook). icalendar's own generator writes lists of
RDATEs, which Outlook is reported to mishandle for series, so the rules are derived here from ``zoneinfo``:
every transition in the years covered, grouped into yearly rules ("second Sunday of March at 02:00").

The result is checked against ``zoneinfo`` before it is used (:func:`check_offsets`): if icalendar reads
the rules back to a different offset at any transition, the explicit-date form is used instead, and if that
also disagrees the error is raised rather than an invitation sent at the wrong hour.
"""

from __future__ import annotations

import calendar as _calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard, vRecur

UTC = timezone.utc
# Scanning step: no zone changes its offset twice within this span.
_SCAN_STEP = timedelta(hours=12)
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
# Zones without transitions in range get one observance starting here (a common convention).
_EPOCH = datetime(1970, 1, 1)


class TimezoneMismatch(RuntimeError):
    """The VTIMEZONE written would give a different offset than ``zoneinfo`` at some instant."""


@dataclass(frozen=True)
class Transition:
    """The moment (UTC) a zone's offset, daylight flag or abbreviation changes."""

    at: datetime
    offset_from: timedelta
    offset_to: timedelta
    name: str
    is_dst: bool

    @property
    def local_onset(self) -> datetime:
        """Wall-clock time of the change, read with the offset in force before it (RFC 5545 §3.6.5)."""
        return (self.at + self.offset_from).replace(tzinfo=None)

    @property
    def kind(self) -> tuple[bool, timedelta, timedelta, str]:
        return (self.is_dst, self.offset_from, self.offset_to, self.name)


def _state(zone: ZoneInfo, moment: datetime) -> tuple[timedelta, bool, str]:
    local = moment.astimezone(zone)
    return local.utcoffset() or timedelta(0), bool(local.dst()), local.tzname() or ""


def transitions(zone_name: str, first_year: int, last_year: int) -> list[Transition]:
    """Every change of the zone between 1 January ``first_year`` and 31 December ``last_year`` (UTC)."""
    zone = ZoneInfo(zone_name)
    moment = datetime(first_year, 1, 1, tzinfo=UTC)
    end = datetime(last_year + 1, 1, 1, tzinfo=UTC)
    found = []
    state = _state(zone, moment)
    while moment < end:
        following = moment + _SCAN_STEP
        new_state = _state(zone, following)
        if new_state != state:
            low, high = moment, following  # state(low) == state, state(high) != state
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                if _state(zone, middle) == state:
                    low = middle
                else:
                    high = middle
            at = high.replace(microsecond=0)
            offset_to, is_dst, name = _state(zone, at)
            found.append(Transition(at, state[0], offset_to, name, is_dst))
            state = _state(zone, at)
        moment = following
    return found


@dataclass(frozen=True)
class _YearlyPattern:
    month: int
    weekday: int
    onset: time
    nth: int  # 1..4 counted from the month's start, or -1 for the last such weekday

    def byday(self) -> str:
        return f"{self.nth}{_WEEKDAYS[self.weekday]}"


def _patterns(local: datetime) -> list[_YearlyPattern]:
    """The yearly rules one local onset fits: "nth weekday", and "last weekday" when it is the last."""
    found = [_YearlyPattern(local.month, local.weekday(), local.time(), (local.day - 1) // 7 + 1)]
    if local.day + 7 > _calendar.monthrange(local.year, local.month)[1]:
        found.append(_YearlyPattern(local.month, local.weekday(), local.time(), -1))
    return found


def _runs(group: Sequence[Transition]) -> list[tuple[list[Transition], _YearlyPattern | None]]:
    """Split same-kind transitions into consecutive years that share one yearly pattern."""
    runs: list[tuple[list[Transition], _YearlyPattern | None]] = []
    current: list[Transition] = []
    candidates: set[_YearlyPattern] = set()
    for transition in group:
        fits = set(_patterns(transition.local_onset))
        if current and transition.local_onset.year == current[-1].local_onset.year + 1 and candidates & fits:
            current.append(transition)
            candidates &= fits
            continue
        if current:
            runs.append((current, _best(candidates) if len(current) > 1 else None))
        current, candidates = [transition], fits
    if current:
        runs.append((current, _best(candidates) if len(current) > 1 else None))
    return runs


def _best(candidates: set[_YearlyPattern]) -> _YearlyPattern:
    # "2SU" reads better than "-1SU" when both fit every year; "last" is used only when the count varies.
    return sorted(candidates, key=lambda p: (p.nth < 0, p.nth))[0]


def _observance(transition: Transition) -> TimezoneStandard | TimezoneDaylight:
    component = TimezoneDaylight() if transition.is_dst else TimezoneStandard()
    component.add("dtstart", transition.local_onset)
    component.add("tzoffsetfrom", transition.offset_from)
    component.add("tzoffsetto", transition.offset_to)
    if transition.name:
        component.add("tzname", transition.name)
    return component


def _components(found: Sequence[Transition], last_year: int, yearly_rules: bool) -> list:
    groups: dict[tuple, list[Transition]] = {}
    for transition in found:
        groups.setdefault(transition.kind, []).append(transition)
    components = []
    for group in groups.values():
        if not yearly_rules:
            component = _observance(group[0])
            if len(group) > 1:
                component.add("rdate", [t.local_onset for t in group[1:]])
            components.append(component)
            continue
        loose: list[Transition] = []
        for run, pattern in _runs(group):
            if pattern is None:
                loose += run
                continue
            component = _observance(run[0])
            rule = {"FREQ": "YEARLY", "BYMONTH": pattern.month, "BYDAY": pattern.byday()}
            if run[-1].local_onset.year < last_year:  # the rule stopped (or changed) within the range
                rule["UNTIL"] = run[-1].at
            component.add("rrule", vRecur(rule))
            components.append(component)
        if loose:  # transitions that follow no yearly rule (rare zones): listed by date
            component = _observance(loose[0])
            if len(loose) > 1:
                component.add("rdate", [t.local_onset for t in loose[1:]])
            components.append(component)
    components.sort(key=lambda c: c.decoded("dtstart"))
    return components


def _build(zone_name: str, first_year: int, last_year: int, yearly_rules: bool) -> Timezone:
    vtimezone = Timezone()
    vtimezone.add("tzid", zone_name)
    found = transitions(zone_name, first_year, last_year)
    if found:
        for component in _components(found, last_year, yearly_rules):
            vtimezone.add_component(component)
    else:  # no change in range (no daylight saving): one standard observance
        offset, _, name = _state(ZoneInfo(zone_name), datetime(first_year, 7, 1, tzinfo=UTC))
        standard = TimezoneStandard()
        standard.add("dtstart", _EPOCH)
        standard.add("tzoffsetfrom", offset)
        standard.add("tzoffsetto", offset)
        if name:
            standard.add("tzname", name)
        vtimezone.add_component(standard)
    return vtimezone


def check_offsets(vtimezone: Timezone, zone_name: str, instants: Iterable[datetime]) -> None:
    """Raise :class:`TimezoneMismatch` unless the VTIMEZONE, read by icalendar, agrees with zoneinfo.

    ``instants`` are aware datetimes; each is converted to local wall-clock time with zoneinfo, then
    re-read through the VTIMEZONE's own rules (no TZID lookup) and the two UTC offsets compared.
    """
    zone = ZoneInfo(zone_name)
    from_rules = vtimezone.to_tz(lookup_tzid=False)
    for instant in instants:
        local = instant.astimezone(zone)
        expected = local.utcoffset()
        wall = local.replace(tzinfo=None)
        got = wall.replace(tzinfo=from_rules, fold=local.fold).utcoffset()
        if got != expected:
            raise TimezoneMismatch(f"{zone_name}: {wall.isoformat()} is {expected} in zoneinfo, {got} in VTIMEZONE")


def _probe_instants(zone_name: str, first_year: int, last_year: int) -> list[datetime]:
    """Instants around every transition, plus mid-year and new year: where a wrong rule would show."""
    probes = []
    for year in range(first_year + 1, last_year + 1):  # the first year only carries the onset
        probes += [datetime(year, 1, 15, 12, tzinfo=UTC), datetime(year, 7, 15, 12, tzinfo=UTC)]
    for transition in transitions(zone_name, first_year, last_year):
        if transition.at.year > first_year:
            probes += [transition.at - timedelta(hours=2), transition.at + timedelta(hours=2),
                       transition.at + timedelta(days=3)]
    return probes


@lru_cache(maxsize=256)
def _checked_vtimezone(zone_name: str, first_year: int, last_year: int) -> bytes:
    probes = _probe_instants(zone_name, first_year, last_year)
    for yearly_rules in (True, False):
        vtimezone = _build(zone_name, first_year, last_year, yearly_rules)
        try:
            check_offsets(vtimezone, zone_name, probes)
        except TimezoneMismatch:
            if yearly_rules:
                continue
            raise
        return vtimezone.to_ical()
    raise AssertionError("unreachable")


def vtimezone_bytes(zone_name: str, moments: Iterable[datetime]) -> bytes:
    """The zone's VTIMEZONE covering ``moments`` (aware), from the year before the first to the year after
    the last, so the observance in force at the first event has its onset and the rules read as yearly.
    As the bytes of the component (CRLF-terminated lines), built and checked once per zone and years."""
    zone = ZoneInfo(zone_name)
    years = [moment.astimezone(zone).year for moment in moments]
    if not years:
        raise ValueError("a VTIMEZONE needs at least one moment to cover")
    return _checked_vtimezone(zone_name, min(years) - 1, max(years) + 1)


def vtimezone_for(zone_name: str, moments: Iterable[datetime]) -> Timezone:
    """:func:`vtimezone_bytes` as an icalendar component."""
    return Timezone.from_ical(vtimezone_bytes(zone_name, moments))
