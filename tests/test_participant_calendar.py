"""The participant's calendar file (``/p/<token>/agenda.ics``): their upcoming sessions as the invitations carry them.

The invitations really go through a local SMTP server (aiosmtpd) with a real RQ worker; the file and the
messages are then read by software nobody here wrote (icalendar, vobject, the strict ``ical`` parser,
recurring-ical-events) and compared: same UIDs, same SEQUENCEs, same occurrences, in the group's time zone.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import icalendar
import pytest
from werkzeug.http import parse_options_header

from service import links
from service.domain import groups, scheduling
from service.domain.audit import Actor
from service.extensions import db
from service.models import ActorKind, SessionStatus
from service.protocol import SessionKind
from tests.factories import make_group
from tests.fixtures.calendar_checks import (
    apply_messages,
    expand,
    kept_starts,
    parse_everywhere,
    vtimezone_offsets_agree,
)
from tests.fixtures.invites import JOIN_URL, calendar_of, make_ready, run_mail_jobs
from tests.test_scheduling import next_weekday

UTC = timezone.utc
ZONE = "America/Vancouver"  # not the default zone: the file must follow the group's
WIDE = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))


@pytest.fixture
def app_settings(mail_settings):
    return mail_settings


def series_group(actor, language="fr", occurrences=20):
    """A group in Vancouver with a kick-off and a weekly series (long enough to cross a daylight-saving change)."""
    group = make_group(actor, members=5, timezone=ZONE, language=language)
    kickoff = scheduling.schedule_session(group, SessionKind.KICKOFF, datetime.combine(next_weekday(0), time(18)),
                                          60, actor)
    series = scheduling.schedule_series(group, scheduling.SeriesPlan(next_weekday(2, 2), time(18, 30),
                                                                     occurrence_count=occurrences), actor)
    return group, kickoff, series


def move_one_and_cancel_another(series, actor):
    sessions = sorted(series.sessions, key=lambda s: s.starts_at)
    scheduling.reschedule_session(sessions[1], datetime.combine(next_weekday(3, 3), time(19, 15)), 45, actor)
    scheduling.cancel_session(sessions[2], actor)


def download(client, settings, member):
    return client.get(f"/p/{links.participant_token(settings, member)}/agenda.ics")


def disposition(response) -> tuple[str, str]:
    kind, options = parse_options_header(response.headers["Content-Disposition"])
    return kind, options["filename"]


def received_by(smtp, address: str) -> dict[str, list[bytes]]:
    """Each calendar object's messages to ``address``, in the order they arrived."""
    objects: dict[str, list[bytes]] = defaultdict(list)
    for received in smtp.received:
        if received.rcpt_tos == [address]:
            data = calendar_of(received.message)
            objects[re.search(rb"\r\nUID:([^\r]+)\r\n", data).group(1).decode()].append(data)
    return objects


def versions(calendar: icalendar.Calendar) -> dict[tuple[str, datetime | None], int]:
    """(UID, RECURRENCE-ID in UTC) -> SEQUENCE of every VEVENT."""
    result = {}
    for event in calendar.walk("VEVENT"):
        rid = event.get("RECURRENCE-ID")
        result[(str(event["UID"]), rid.dt.astimezone(UTC) if rid else None)] = int(event.get("SEQUENCE", 0))
    return result


def test_the_file_carries_the_invitations_events_in_the_groups_zone(app, client, actor, settings, smtp):
    group, kickoff, series = series_group(actor)
    member = group.active_members[3]
    assert member.id not in {kickoff.moderator_id} | {s.moderator_id for s in series.sessions}

    # Before the Zoom meetings exist: the file is already there, without a link (the invitation brings it).
    early = download(client, settings, member)
    assert early.status_code == 200
    early_calendar = parse_everywhere(early.data)
    assert not any(e.get("LOCATION") or e.get("URL") for e in early_calendar.walk("VEVENT"))

    make_ready(kickoff.zoom_meeting)
    make_ready(series.zoom_meeting)
    run_mail_jobs(app)
    assert versions(parse_everywhere(download(client, settings, member).data)) == versions(early_calendar)
    # Then plans change: the invitations follow (an override, a cancelled occurrence), and so does the file.
    move_one_and_cancel_another(series, actor)
    updating = parse_everywhere(download(client, settings, member).data)  # while Zoom's meeting is being updated
    assert all(str(e["LOCATION"]) == JOIN_URL for e in updating.walk("VEVENT"))  # the link stays in the calendar
    make_ready(series.zoom_meeting)  # what the Zoom lifecycle does once the meeting is updated
    run_mail_jobs(app)
    response = download(client, settings, member)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert disposition(response) == ("attachment", "rencontre-d-equipe.ics")
    assert response.headers["Cache-Control"] == "private, no-store"

    calendar = parse_everywhere(response.data)  # icalendar, vobject and the strict ical parser
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == [ZONE]
    events = calendar.walk("VEVENT")
    assert {str(e["UID"]) for e in events} == {series.calendar_uid, kickoff.calendar_uid}
    assert all(e["DTSTART"].params["TZID"] == ZONE and e["DTEND"].params["TZID"] == ZONE for e in events)
    assert all(str(e["STATUS"]) == "CONFIRMED" and str(e["CLASS"]) == "PRIVATE" and e.get("ATTENDEE") is None
               for e in events)
    assert all(str(e["LOCATION"]) == JOIN_URL and e.walk("VALARM") for e in events)

    # Same UID and SEQUENCE as the invitations: the file is what this person's calendar holds after them.
    messages = received_by(smtp, member.email)
    assert set(messages) == {series.calendar_uid, kickoff.calendar_uid}
    held = {}
    for uid, datas in messages.items():
        after_messages = apply_messages(datas)  # what a calendar client keeps after the invitations
        held.update(versions(after_messages))
        assert kept_starts(only(calendar, uid), *WIDE) == kept_starts(after_messages, *WIDE)
    file_versions = versions(calendar)
    assert file_versions.items() <= held.items()
    (cancelled,) = [s for s in series.sessions if s.status is SessionStatus.CANCELLED]
    # The invitations cancelled that occurrence with an override; the file simply leaves it out (EXDATE).
    assert set(held) - set(file_versions) == {(series.calendar_uid, cancelled.original_starts_at)}
    assert max(file_versions.values()) > 0  # the changes raised the SEQUENCE, and the file follows

    # The occurrences (recurring-ical-events): every session still planned, at its time, and nothing else.
    planned = sorted(s.starts_at for s in scheduling.upcoming_sessions(group) if s.status is SessionStatus.SCHEDULED)
    occurrences = expand(response.data, *WIDE)
    assert sorted(e["DTSTART"].dt.astimezone(UTC) for e in occurrences) == planned
    local_starts = {e["DTSTART"].dt.astimezone(ZoneInfo(ZONE)).time() for e in occurrences}
    assert local_starts == {time(18), time(18, 30), time(19, 15)}  # across daylight saving, the local time stays
    offsets = {e["DTSTART"].dt.utcoffset() for e in occurrences}
    assert offsets == {start.astimezone(ZoneInfo(ZONE)).utcoffset() for start in planned}
    vtimezone_offsets_agree(response.data, ZONE, planned)  # the VTIMEZONE, read by two parsers, against zoneinfo
    moved = next(e for e in occurrences if e["DTSTART"].dt.astimezone(ZoneInfo(ZONE)).time() == time(19, 15))
    assert moved["DTEND"].dt - moved["DTSTART"].dt == timedelta(minutes=45)
    (master,) = [e for e in events if str(e["UID"]) == series.calendar_uid and e.get("RECURRENCE-ID") is None]
    assert master["RRULE"]["FREQ"] == ["WEEKLY"] and master.get("EXDATE") is not None

    # Nobody else in it: no other member's address or name anywhere, no console link (not the moderator).
    text = response.data.decode("utf-8")
    unfolded = text.replace("\r\n ", "").lower()
    for other in group.members:
        if other.id != member.id:
            assert other.email.lower() not in unfolded and other.display_name.lower() not in unfolded
    assert member.email.lower() not in unfolded  # not even theirs: a PUBLISH event has no attendee
    assert "/m/" not in unfolded and "/p/" in unfolded  # their own page, never a console


def only(calendar: icalendar.Calendar, uid: str) -> icalendar.Calendar:
    result = icalendar.Calendar()
    for component in calendar.subcomponents:
        if component.name == "VTIMEZONE" or str(component.get("UID")) == uid:
            result.add_component(component)
    return result


def test_the_moderator_finds_their_console_link_in_their_own_file(app, client, actor, settings):
    group, kickoff, series = series_group(actor, occurrences=3)
    moderator = kickoff.moderator
    text = download(client, settings, moderator).data.decode("utf-8").replace("\r\n ", "")
    assert links.console_url(settings, moderator, kickoff) in text


def test_an_english_speaker_gets_the_file_and_the_button_in_english(app, client, actor, settings):
    group, kickoff, series = series_group(actor, language="en", occurrences=3)
    member = group.active_members[2]
    token = links.participant_token(settings, member)
    page = client.get(f"/p/{token}").get_data(as_text=True)
    assert "Add to my calendar (.ics)" in page and f'href="/p/{token}/agenda.ics"' in page
    response = client.get(f"/p/{token}/agenda.ics")
    assert disposition(response) == ("attachment", "team-meeting.ics")
    calendar = parse_everywhere(response.data)
    for event in calendar.walk("VEVENT"):
        assert str(event["SUMMARY"]) == "Team meeting" and event["SUMMARY"].params["LANGUAGE"] == "en-CA"
        assert "What do you find the most difficult?" in str(event["DESCRIPTION"]) or event.get("RECURRENCE-ID")


def test_the_french_page_offers_the_file(app, client, actor, settings):
    group, _, _ = series_group(actor, occurrences=3)
    token = links.participant_token(settings, group.active_members[2])
    page = client.get(f"/p/{token}").get_data(as_text=True)
    assert "Ajouter à mon agenda (.ics)" in page and f'href="/p/{token}/agenda.ics"' in page


def test_a_bad_or_revoked_link_gets_the_calm_page_never_a_file(app, client, actor, settings):
    group, _, _ = series_group(actor, occurrences=3)
    member = group.active_members[2]
    token = links.participant_token(settings, member)
    for bad in (f"{token[:-4]}abcd", "nimportequoi", "a" * 600, "%00"):
        response = client.get(f"/p/{bad}/agenda.ics")
        assert response.status_code == 410 and response.mimetype == "text/html"
        assert "Ce lien n’est plus valide" in response.get_data(as_text=True)

    groups.member_leaves(member, Actor(ActorKind.MEMBER, member.id, group.organisation_id))
    db.session.commit()
    response = client.get(f"/p/{token}/agenda.ics")
    assert response.status_code == 410 and "Ce lien n’est plus valide" in response.get_data(as_text=True)
    assert b"BEGIN:VCALENDAR" not in response.data


def test_nothing_ahead_says_so_instead_of_an_empty_file(app, client, actor, settings):
    group = make_group(actor, members=5)
    response = client.get(f"/p/{links.participant_token(settings, group.active_members[1])}/agenda.ics")
    assert response.status_code == 404
    assert "Aucune rencontre à venir pour l’instant" in response.get_data(as_text=True)
    page = client.get(f"/p/{links.participant_token(settings, group.active_members[1])}").get_data(as_text=True)
    assert "agenda.ics" not in page
