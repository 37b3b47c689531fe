"""The calendar objects and messages, as pure functions: read back by parsers nobody here wrote."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from email import message_from_bytes, policy
from zoneinfo import ZoneInfo

import icalendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calendars import (
    CalendarObject,
    Envelope,
    EventText,
    Method,
    Occurrence,
    Person,
    Recurrence,
    build_message,
    render_calendar,
    vtimezone_for,
)
from calendars.timezones import transitions
from tests.fixtures.calendar_checks import (
    apply_messages,
    expand,
    kept_starts,
    parse_everywhere,
    starts_utc,
    vtimezone_offsets_agree,
)

UTC = timezone.utc
ORGANIZER = Person("Entre pairs", "entre-pairs@exemple.ca")
ALICE = Person("Alice Tremblay", "alice@exemple.ca")
JOIN = "https://zoom.exemple/j/123456789?pwd=abc"

# Canada's zones, and a few elsewhere that test the generator: southern hemisphere, half hours, "last Sunday",
# no daylight saving at all, and rules that change from year to year.
ZONES = [
    "America/Toronto", "America/Montreal", "America/Vancouver", "America/Edmonton", "America/Winnipeg",
    "America/Halifax", "America/St_Johns", "America/Regina", "America/Whitehorse", "America/Iqaluit",
    "America/Moncton", "America/Blanc-Sablon", "Europe/Paris", "Europe/London", "Australia/Sydney",
    "Australia/Lord_Howe", "Pacific/Auckland", "America/Santiago", "Asia/Jerusalem", "Africa/Casablanca",
    "America/Havana", "Pacific/Chatham", "Asia/Tokyo",
]


def weekly(zone: str, first_local: datetime, count: int, interval: int = 1) -> list[datetime]:
    tz = ZoneInfo(zone)
    return [(first_local + timedelta(weeks=interval * i)).replace(tzinfo=tz).astimezone(UTC) for i in range(count)]


def series(zone="America/Toronto", first_local=datetime(2027, 10, 5, 18, 30), count=12, interval=1,
           until=False, excluded=(), overrides=(), method=Method.REQUEST, sequence=0, attendee=ALICE):
    starts = weekly(zone, first_local, count, interval)
    recurrence = Recurrence(interval, until=starts[-1] if until else None, count=None if until else count,
                            excluded=tuple(excluded))
    master = Occurrence(starts[0], timedelta(minutes=30), sequence, EventText("Rencontre d’équipe", "Ordre du jour", JOIN))
    obj = CalendarObject(method, "5f1c-series@entre-pairs", zone, ORGANIZER, attendee, (master, *overrides),
                         datetime(2027, 9, 1, tzinfo=UTC), recurrence)
    return obj, starts


@pytest.mark.parametrize("zone", ZONES)
def test_vtimezone_offsets_match_zoneinfo_through_every_change(zone):
    instants = [datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=7 * i) for i in range(3 * 365 * 24 // 7)]
    for change in transitions(zone, 2026, 2028):
        instants += [change.at - timedelta(minutes=1), change.at, change.at + timedelta(minutes=1)]
    obj, _ = series(zone, datetime(2027, 3, 1, 12, 0), count=52)
    data = render_calendar(obj)
    parse_everywhere(data)
    vtimezone_offsets_agree(data, zone, [i for i in instants if i.year == 2027])


@pytest.mark.parametrize("zone", ["America/Toronto", "Europe/Paris", "Australia/Sydney", "America/St_Johns"])
def test_zones_with_daylight_saving_are_written_as_yearly_rules(zone):
    text = vtimezone_for(zone, [datetime(2027, 5, 1, tzinfo=UTC)]).to_ical().decode()
    assert "RDATE" not in text
    assert text.count("RRULE:FREQ=YEARLY") == 2
    assert text.count("BEGIN:DAYLIGHT") == 1 and text.count("BEGIN:STANDARD") == 1


def test_toronto_rules_are_the_ones_outlook_writes():
    text = vtimezone_for("America/Toronto", [datetime(2027, 5, 1, tzinfo=UTC)]).to_ical().decode()
    # The onset is read in the offset before the change (RFC 5545 §3.6.5): 02:00, not 03:00.
    assert "DTSTART:20260308T020000\r\nRRULE:FREQ=YEARLY;BYDAY=2SU;BYMONTH=3" in text
    assert "DTSTART:20261101T020000\r\nRRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=11" in text


def test_a_zone_without_daylight_saving_has_one_observance():
    text = vtimezone_for("America/Regina", [datetime(2027, 5, 1, tzinfo=UTC)]).to_ical().decode()
    assert text.count("BEGIN:STANDARD") == 1 and "DAYLIGHT" not in text
    assert "TZOFFSETFROM:-0600" in text and "TZOFFSETTO:-0600" in text


@pytest.mark.parametrize("zone", ["America/Toronto", "America/Vancouver", "America/St_Johns", "Europe/Paris",
                                  "Australia/Sydney"])
@pytest.mark.parametrize("until", [False, True])
def test_a_weekly_series_keeps_its_local_time_across_daylight_saving(zone, until):
    obj, starts = series(zone, datetime(2027, 9, 14, 18, 30), count=40, until=until)
    data = render_calendar(obj)
    calendar = parse_everywhere(data)
    occurrences = expand(data, datetime(2027, 1, 1), datetime(2029, 1, 1))
    assert starts_utc(occurrences) == starts
    assert {e["DTSTART"].dt.astimezone(ZoneInfo(zone)).time() for e in occurrences} == {time(18, 30)}
    assert len({e["DTSTART"].dt.utcoffset() for e in occurrences}) == 2  # both sides of two DST changes
    (event,) = calendar.walk("VEVENT")
    rule = event["RRULE"].to_ical().decode()
    if until:
        assert f"UNTIL={starts[-1].strftime('%Y%m%dT%H%M%SZ')}" in rule and "COUNT" not in rule
    else:
        assert "COUNT=40" in rule and "UNTIL" not in rule
    assert "INTERVAL=1" in rule and "FREQ=WEEKLY" in rule


def test_every_two_weeks_with_a_cancelled_and_a_moved_occurrence():
    zone = "America/Toronto"
    starts = weekly(zone, datetime(2027, 10, 19, 12, 15), 8, interval=2)
    moved_to = starts[2] + timedelta(days=1, hours=2)
    override = Occurrence(moved_to, timedelta(minutes=45), 3, EventText("Rencontre d’équipe", "Déplacée", JOIN),
                          recurrence_id=starts[2])
    obj, _ = series(zone, datetime(2027, 10, 19, 12, 15), count=8, interval=2, excluded=(starts[4],),
                    overrides=(override,), sequence=2)
    data = render_calendar(obj)
    parse_everywhere(data)
    occurrences = expand(data, datetime(2027, 1, 1), datetime(2029, 1, 1))
    expected = sorted([s for i, s in enumerate(starts) if i not in (2, 4)] + [moved_to])
    assert starts_utc(occurrences) == expected
    moved = [e for e in occurrences if e["DTSTART"].dt.astimezone(UTC) == moved_to][0]
    assert moved["DTEND"].dt - moved["DTSTART"].dt == timedelta(minutes=45)
    assert b"EXDATE;TZID=America/Toronto:" in data


def test_a_request_invites_exactly_one_person_from_the_service_mailbox():
    obj, _ = series()
    calendar = parse_everywhere(render_calendar(obj))
    assert str(calendar["METHOD"]) == "REQUEST" and str(calendar["VERSION"]) == "2.0" and calendar["PRODID"]
    (event,) = calendar.walk("VEVENT")
    attendee = event["ATTENDEE"]
    assert isinstance(attendee, icalendar.vCalAddress) and str(attendee) == "mailto:alice@exemple.ca"
    assert attendee.params["RSVP"] == "TRUE" and attendee.params["PARTSTAT"] == "NEEDS-ACTION"
    assert attendee.params["ROLE"] == "REQ-PARTICIPANT" and attendee.params["CN"] == "Alice Tremblay"
    assert str(event["ORGANIZER"]) == "mailto:entre-pairs@exemple.ca"
    assert str(event["CLASS"]) == "PRIVATE" and str(event["STATUS"]) == "CONFIRMED"
    assert str(event["LOCATION"]) == JOIN and str(event["URL"]) == JOIN
    assert event["UID"] == "5f1c-series@entre-pairs" and event["DTSTAMP"].dt.tzinfo is not None
    assert "DURATION" not in event and event["DTEND"]
    (alarm,) = event.walk("VALARM")
    assert alarm["TRIGGER"].dt == timedelta(minutes=-10) and str(alarm["ACTION"]) == "DISPLAY"


def test_a_cancellation_has_no_reminder_and_says_cancelled():
    obj, starts = series(method=Method.CANCEL, sequence=4)
    calendar = parse_everywhere(render_calendar(obj))
    assert str(calendar["METHOD"]) == "CANCEL"
    (event,) = calendar.walk("VEVENT")
    assert str(event["STATUS"]) == "CANCELLED" and event["SEQUENCE"] == 4
    assert not event.walk("VALARM") and calendar.walk("VTIMEZONE")
    assert "RSVP" not in event["ATTENDEE"].params


def test_cancelling_one_occurrence_names_it_by_its_recurrence_id():
    zone = "America/Toronto"
    full, starts = series(zone)
    cancel = CalendarObject(
        Method.CANCEL, full.uid, zone, ORGANIZER, ALICE,
        (Occurrence(starts[3], timedelta(minutes=30), 1, EventText("Rencontre d’équipe", "Annulée"),
                    recurrence_id=starts[3]),),
        datetime(2027, 9, 2, tzinfo=UTC))
    data = render_calendar(cancel)
    parse_everywhere(data)
    local = starts[3].astimezone(ZoneInfo(zone)).strftime("%Y%m%dT%H%M%S")
    assert f"RECURRENCE-ID;TZID=America/Toronto:{local}".encode() in data
    kept = apply_messages([render_calendar(full), data])
    assert kept_starts(kept, datetime(2027, 1, 1), datetime(2029, 1, 1)) == starts[:3] + starts[4:]


@pytest.mark.parametrize("name", [
    'Jean "Jo" Dupont', "Dupont, Jean; Marie", "Zoë\r\nBcc: intrus@exemple.ca", "<b>Ève</b> & co",
    "Émile\u2028Ligne", "O'Brien: \\ ; , \" '",
])
def test_no_name_can_break_the_calendar_or_the_headers(name):
    attendee = Person(name, "alice@exemple.ca")
    obj, _ = series(attendee=attendee)
    data = render_calendar(obj)
    calendar = parse_everywhere(data)
    (event,) = calendar.walk("VEVENT")
    assert str(event["ATTENDEE"]) == "mailto:alice@exemple.ca"
    assert "\n" not in event["ATTENDEE"].params["CN"] and '"' not in event["ATTENDEE"].params["CN"]
    envelope = Envelope("Entre pairs <entre-pairs@exemple.ca>", attendee, f"Invitation : {name}",
                        "<invite-1-x@exemple.ca>", datetime(2027, 9, 1, tzinfo=UTC))
    raw = build_message(envelope, Method.REQUEST, "texte", "<p>html</p>", data).as_bytes()
    message = message_from_bytes(raw, policy=policy.default)
    assert [a.addr_spec for a in message["To"].addresses] == ["alice@exemple.ca"]
    assert message["Bcc"] is None and message["Cc"] is None
    assert str(message["Subject"]).startswith("Invitation : ") and "\n" not in str(message["Subject"])


def test_the_imip_message_is_an_invitation_to_every_client():
    obj, _ = series()
    data = render_calendar(obj)
    envelope = Envelope("Entre pairs <entre-pairs@exemple.ca>", ALICE, "Invitation", "<invite-7-abc@exemple.ca>",
                        datetime(2027, 9, 1, tzinfo=UTC), language="en")
    raw = build_message(envelope, Method.REQUEST, "Hello\nline two", "<p>Hello</p>", data).as_bytes()
    message = message_from_bytes(raw, policy=policy.default)
    assert message.get_content_type() == "multipart/mixed"
    alternative, attachment = message.iter_parts()
    assert alternative.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in alternative.iter_parts()] == ["text/plain", "text/html", "text/calendar"]
    calendar_part = list(alternative.iter_parts())[-1]
    assert calendar_part.get_param("method") == "REQUEST" and calendar_part["Content-Transfer-Encoding"] == "base64"
    assert calendar_part.get_payload(decode=True) == data  # CRLF line endings intact
    assert attachment.get_filename() == "invite.ics" and attachment.is_attachment()
    assert attachment.get_payload(decode=True) == data
    assert message["Message-ID"] == "<invite-7-abc@exemple.ca>" and message["Content-Language"] == "en-CA"
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab\\^;,: éà€😀")) | st.characters(blacklist_categories=("Cs",),
                                                                              blacklist_characters="\r\n"),
               max_size=400))
def test_lines_are_folded_byte_for_byte_as_icalendar_folds_them(line):
    from icalendar.parser import Contentline

    from calendars.events import fold

    assert fold(line) == Contentline(line).to_ical()
