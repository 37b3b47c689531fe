"""A coordinator's plans, as every participant's calendar sees them.

The service sends through a real SMTP server (aiosmtpd on 127.0.0.1) with a real RQ worker; every calendar
that arrives is read by icalendar, vobject and the strict ``ical`` parser, expanded with recurring-ical-events,
and stored in a real CalDAV server (Radicale) by raw HTTP PUT. Each person's messages are then applied in
order, as a calendar client would, and the occurrences they keep must be exactly the sessions planned for them.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from service.domain import groups, invitations, scheduling
from service.domain.clock import now_utc
from service.domain.groups import GroupDraft
from service.domain.rules import MemberDraft
from service.extensions import current_settings, db
from service.links import console_access, member_from_participant_token, participant_url
from service.models import Invite, InviteStatus, MeetingStatus, Member, SessionStatus
from service.protocol import SessionKind
from tests.factories import member_drafts
from tests.fixtures.calendar_checks import apply_messages, kept_starts, parse_everywhere
from tests.fixtures.invites import JOIN_URL, MAIL_FROM, calendar_of, every_text, make_ready, run_mail_jobs
from tests.test_scheduling import next_weekday

pytestmark = pytest.mark.slow  # starts Radicale
WIDE = (datetime(2000, 1, 1), datetime(2100, 1, 1))


@pytest.fixture
def app_settings(mail_settings):
    return mail_settings


def group_with_external_moderator(actor, members=6, external_sessions=2, language="fr"):
    draft = GroupDraft(
        name="Urgence de nuit", language=language, timezone="America/Toronto",
        members=member_drafts(members, trained=2, language=language),
        external_moderator=MemberDraft("Martine Externe", "martine@acsm.exemple", consent_already_given=True),
        external_moderator_sessions=external_sessions,
    )
    return groups.create_group(draft, actor)


class Mailbox:
    """What each address received so far, in order, with checks every message must pass."""

    def __init__(self, smtp, radicale, everyone: set[str]):
        self.smtp, self.radicale, self.everyone = smtp, radicale, everyone
        self.seen = 0
        self.by_address: dict[str, list] = defaultdict(list)

    def collect(self) -> list:
        new = self.smtp.received[self.seen:]
        self.seen = len(self.smtp.received)
        for received in new:
            self.check(received)
            (address,) = received.rcpt_tos
            self.by_address[address.lower()].append(received)
        return new

    def check(self, received) -> None:
        (address,) = received.rcpt_tos
        address = address.lower()
        message = received.message
        assert [a.addr_spec.lower() for a in message["To"].addresses] == [address]
        assert message["Cc"] is None and message["Bcc"] is None
        assert str(message["From"]) == MAIL_FROM
        texts = every_text(received)
        leaked = {other for other in self.everyone - {address} if other in texts}
        assert not leaked, f"message to {address} names {leaked}"
        data = calendar_of(message)
        calendar = parse_everywhere(data)
        alternative = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
        assert alternative.get_param("method") == str(calendar["METHOD"])
        for event in calendar.walk("VEVENT"):
            attendees = event.get("ATTENDEE")
            assert not isinstance(attendees, list) and str(attendees).lower() == f"mailto:{address}"
            assert str(event["ORGANIZER"]) == "mailto:entre-pairs@exemple.ca"
            assert str(event["CLASS"]) == "PRIVATE"
            assert str(event["SUMMARY"]) == "Rencontre d’équipe"  # neutral titles are the default
            if str(calendar["METHOD"]) == "REQUEST":
                assert str(event["LOCATION"]) == str(event["URL"]) and str(event["URL"]).startswith("https://zoom")
                assert str(event["URL"]) in str(event["DESCRIPTION"]) and len(event.walk("VALARM")) == 1
            else:
                assert str(event["STATUS"]) == "CANCELLED" and not event.walk("VALARM")
        response = self.radicale.put(data)
        assert response.status_code in (201, 204), response.text

    def calendars(self, address: str) -> dict[str, list[bytes]]:
        """The messages to ``address``, grouped by calendar object (UID)."""
        objects: dict[str, list[bytes]] = defaultdict(list)
        for received in self.by_address[address.lower()]:
            data = calendar_of(received.message)
            uid = re.search(rb"\r\nUID:([^\r]+)\r\n", data).group(1).decode()
            objects[uid].append(data)
        return objects

    def kept(self, address: str, uid: str) -> list[datetime]:
        return kept_starts(apply_messages(self.calendars(address).get(uid, [])), *WIDE)


def expected_series_starts(series, member) -> list[datetime]:
    """The sessions planned for ``member``: the series' scheduled sessions from when they joined."""
    return sorted(s.starts_at for s in series.sessions
                  if s.status is SessionStatus.SCHEDULED and s.original_starts_at >= member.joined_at)


def links_in(received) -> tuple[set[str], set[str]]:
    """Console and participant-page tokens, in the e-mail's text and in the calendar's descriptions."""
    texts = [received.message.get_body(("plain",)).get_content()]
    texts += [str(e.get("DESCRIPTION", "")) for e in parse_everywhere(calendar_of(received.message)).walk("VEVENT")]
    text = "\n".join(texts)
    return set(re.findall(r"/m/([A-Za-z0-9_.\-]+)", text)), set(re.findall(r"/p/([A-Za-z0-9_.\-]+)", text))


def test_each_person_gets_their_own_private_invitation(app, actor, smtp, radicale):
    group = group_with_external_moderator(actor)
    kickoff = scheduling.schedule_session(group, SessionKind.KICKOFF, datetime.combine(next_weekday(0), time(18, 30)),
                                          60, actor)
    series = scheduling.schedule_series(group, scheduling.SeriesPlan(next_weekday(0, 2), time(18, 30),
                                                                     occurrence_count=5), actor)
    learner = group.active_members[4]
    rehearsal = scheduling.schedule_session(group, SessionKind.REHEARSAL,
                                            datetime.combine(next_weekday(4), time(19, 0)), 5, actor, moderator=learner)
    everyone = {m.email.lower() for m in group.members} | {m.reports_to_email for m in group.members if m.reports_to_email}
    mailbox = Mailbox(smtp, radicale, everyone)

    run_mail_jobs(app)  # no Zoom link yet: nothing may leave
    assert smtp.received == []
    assert {i.status for i in db.session.execute(select(Invite)).scalars()} == {InviteStatus.PENDING}
    for meeting in {kickoff.zoom_meeting, series.zoom_meeting, rehearsal.zoom_meeting}:
        make_ready(meeting)
    run_mail_jobs(app)
    mailbox.collect()

    external = group.external_moderator
    members = group.active_members
    # 6 series copies, the kick-off to the 6 members and its external moderator, the external moderator's own
    # event for the occurrence they lead, and the rehearsal to the learner alone.
    assert len(smtp.received) == 6 + 7 + 1 + 1
    assert {i.status for i in db.session.execute(select(Invite)).scalars()} == {InviteStatus.SENT}
    assert len({r.message["Message-ID"] for r in smtp.received}) == len(smtp.received)

    for member in members:
        assert mailbox.kept(member.email, series.calendar_uid) == expected_series_starts(series, member)
        assert mailbox.kept(member.email, kickoff.calendar_uid) == [kickoff.starts_at]
    assert mailbox.kept(learner.email, rehearsal.calendar_uid) == [rehearsal.starts_at]
    led_by_external = series.sessions[0]
    assert led_by_external.moderator_id == external.id
    assert set(mailbox.calendars(external.email)) == {kickoff.calendar_uid, led_by_external.calendar_uid}
    assert mailbox.kept(external.email, led_by_external.calendar_uid) == [led_by_external.starts_at]

    # Console links go to the moderator of each session, for that session only; every copy links the
    # recipient's own participant page.
    settings = current_settings()
    by_uid = {s.calendar_uid: s for s in [kickoff, rehearsal, *series.sessions] if s.calendar_uid}
    for received in smtp.received:
        member = db.session.execute(select(Member).where(Member.email == received.rcpt_tos[0])).scalar_one()
        consoles, pages = links_in(received)
        assert {member_from_participant_token(settings, token).id for token in pages} == {member.id}
        uid = re.search(rb"\r\nUID:([^\r]+)\r\n", calendar_of(received.message)).group(1).decode()
        led = [s for s in series.sessions if s.moderator_id == member.id] if uid == series.calendar_uid \
            else [s for s in [by_uid[uid]] if s.moderator_id == member.id]
        accesses = [console_access(settings, token, now_utc()) for token in consoles]
        assert {a.member.id for a in accesses} <= {member.id}
        assert {a.session.id for a in accesses} == {s.id for s in led}
    moderating_member = series.sessions[1].moderator
    assert moderating_member.role.value == "member"
    (copy,) = mailbox.calendars(moderating_member.email)[series.calendar_uid]
    # Their copy is the members' copy (no override per session they lead) plus the sentence pointing to their
    # personal page, which shows the console link of the session at hand; the e-mail lists every console link.
    assert any(s.moderator_id == moderating_member.id for s in series.sessions)
    assert b"RECURRENCE-ID" not in copy
    unfolded = copy.replace(b"\r\n ", b"").decode()
    assert "votre page personnelle donne le lien de votre console" in unfolded
    assert participant_url(settings, moderating_member) in unfolded
    (member_copy,) = mailbox.calendars(members[-1].email)[series.calendar_uid]
    if not any(s.moderator_id == members[-1].id for s in series.sessions):
        assert "console" not in member_copy.replace(b"\r\n ", b"").decode()


def test_calendars_follow_every_change(app, actor, smtp, radicale):
    group = group_with_external_moderator(actor, members=5, external_sessions=1)
    # Six Tuesdays across the November daylight-saving change, next year.
    first = date(now_utc().year + 1, 10, 19)
    first += timedelta(days=(1 - first.weekday()) % 7)
    series = scheduling.schedule_series(group, scheduling.SeriesPlan(first, time(18, 30), occurrence_count=6), actor)
    make_ready(series.zoom_meeting)
    everyone = {m.email.lower() for m in group.members} | {"nora@exemple.ca"}
    mailbox = Mailbox(smtp, radicale, everyone)
    external = group.external_moderator
    sessions = series.sessions

    def send_and_check():
        run_mail_jobs(app)  # requests wait while the meeting is being updated in Zoom; cancellations go
        if series.zoom_meeting.status is not MeetingStatus.READY and series.status.value == "active":
            make_ready(series.zoom_meeting)  # what the Zoom lifecycle does once the update is done
            run_mail_jobs(app)
        mailbox.collect()
        db.session.expire_all()
        for member in group.members:
            if member.role.value == "member":
                expected = expected_series_starts(series, member) if member.status.value == "active" else []
                if series.status.value == "cancelled":
                    expected = []
                assert mailbox.kept(member.email, series.calendar_uid) == expected, member.display_name
        for session in sessions:
            if session.calendar_uid:
                expected = [session.starts_at] if (session.moderator_id == external.id
                                                   and session.status is SessionStatus.SCHEDULED) else []
                assert mailbox.kept(external.email, session.calendar_uid) == expected
        assert not [i for i in db.session.execute(select(Invite)).scalars()
                    if i.status in (InviteStatus.PENDING, InviteStatus.SENDING, InviteStatus.FAILED)]

    send_and_check()
    assert sessions[0].moderator_id == external.id

    # One occurrence moves (and lengthens), another is cancelled: occurrence messages with RECURRENCE-ID.
    scheduling.reschedule_session(sessions[2], datetime.combine(sessions[2].starts_at.date() + timedelta(days=1),
                                                                time(19, 0)), 45, actor)
    scheduling.cancel_session(sessions[3], actor)
    before = len(smtp.received)
    send_and_check()
    assert len(smtp.received) - before == 2 * 5  # five members, two changes

    # The external moderator hands the first occurrence over: their own event is cancelled, the new
    # moderator's copy gains the console link for it.
    trained = [m for m in group.active_members if m.is_trained_moderator][0]
    scheduling.change_moderator(sessions[0], trained, actor)
    send_and_check()
    last_to_trained = mailbox.by_address[trained.email.lower()][-1]
    assert b"RECURRENCE-ID" in calendar_of(last_to_trained.message) and links_in(last_to_trained)[0]
    assert str(mailbox.by_address[external.email.lower()][-1].message["Subject"]).startswith("Retrait")

    # Someone leaves: the series disappears from their calendar. Someone joins: they get it as it stands.
    leaving = [m for m in group.active_members if not m.is_trained_moderator][0]
    groups.member_leaves(leaving, actor)
    newcomer = groups.add_member(group, MemberDraft("Nora Nouvelle", "nora@exemple.ca", consent_already_given=True),
                                 actor)
    send_and_check()
    (newcomer_copy,) = mailbox.calendars(newcomer.email)[series.calendar_uid]
    assert b"EXDATE" in newcomer_copy and b"RECURRENCE-ID" in newcomer_copy

    # The whole series moves to 19:15 and then its Zoom link changes: everyone's copy follows.
    scheduling.reschedule_series(series, time(19, 15), 30, actor)
    send_and_check()
    series.zoom_meeting.join_url = JOIN_URL.replace("pwd=", "pwd=new")
    invitations.join_link_changed(series.zoom_meeting_id)
    db.session.commit()
    send_and_check()
    assert b"pwd=new" in calendar_of(mailbox.by_address[newcomer.email.lower()][-1].message)

    # Sequences only go up, per person and calendar object.
    for address, objects in ((a, mailbox.calendars(a)) for a in mailbox.by_address):
        for uid, messages in objects.items():
            masters = [int(re.search(rb"SEQUENCE:(\d+)", m).group(1)) for m in messages if b"RECURRENCE-ID" not in m]
            assert masters == sorted(masters) and len(set(masters)) == len(masters), (address, masters)

    scheduling.cancel_series(series, actor)
    send_and_check()
    assert all(mailbox.kept(m.email, series.calendar_uid) == [] for m in group.members)


def test_a_member_who_joins_midway_gets_the_series_from_now_on(app, actor, smtp, radicale):
    group = group_with_external_moderator(actor, members=5, external_sessions=0)
    series = scheduling.schedule_series(group, scheduling.SeriesPlan(next_weekday(2), time(18, 30),
                                                                     occurrence_count=6), actor)
    make_ready(series.zoom_meeting)
    run_mail_jobs(app)
    # Three weeks later: the first occurrences are behind us (moved back in time, as the database would be).
    shift = timedelta(weeks=3)
    for session in series.sessions:
        session.starts_at -= shift
        session.original_starts_at -= shift
        if session.ends_at < now_utc():
            session.status = SessionStatus.ENDED
    series.first_date -= shift
    for member in group.members:
        member.joined_at -= shift + timedelta(days=1)
    db.session.commit()

    newcomer = groups.add_member(group, MemberDraft("Nora Nouvelle", "nora@exemple.ca", consent_already_given=True),
                                 actor)
    run_mail_jobs(app)
    mailbox = Mailbox(smtp, radicale, {m.email.lower() for m in group.members})
    mailbox.collect()
    ahead = [s.starts_at for s in series.sessions if s.starts_at >= newcomer.joined_at]
    assert 0 < len(ahead) < 6
    assert mailbox.kept(newcomer.email, series.calendar_uid) == ahead
    (copy,) = mailbox.calendars(newcomer.email)[series.calendar_uid]
    assert f"COUNT={len(ahead)}".encode() in copy
    # The newcomer's copy takes SEQUENCE above every earlier message about this series.
    assert series.calendar_sequence == 1 and b"SEQUENCE:1" in copy


def test_english_speakers_get_english_invitations(app, actor, smtp, radicale):
    group = group_with_external_moderator(actor, members=4, external_sessions=0, language="en")
    session = scheduling.schedule_session(group, SessionKind.KICKOFF, datetime.combine(next_weekday(3), time(18, 0)),
                                          60, actor)
    make_ready(session.zoom_meeting)
    run_mail_jobs(app)
    assert len(smtp.received) == 4
    for received in smtp.received:
        message = received.message
        assert str(message["Subject"]).startswith("Invitation: Team meeting")
        assert message["Content-Language"] == "en-CA"
        text = message.get_body(("plain",)).get_content()
        assert text.startswith("Hello ") and "Join the session (Zoom): " + JOIN_URL in text
        assert "Kick-off meeting outline" in text or "outline" in text
        calendar = parse_everywhere(calendar_of(message))
        (event,) = calendar.walk("VEVENT")
        assert str(event["SUMMARY"]) == "Team meeting" and event["SUMMARY"].params["LANGUAGE"] == "en-CA"


def test_a_group_can_name_its_invitations(app, actor, smtp, radicale):
    group = group_with_external_moderator(actor, members=4, external_sessions=0)
    group.neutral_invite_title = False
    db.session.commit()
    session = scheduling.schedule_session(group, SessionKind.KICKOFF, datetime.combine(next_weekday(3), time(18, 0)),
                                          60, actor)
    make_ready(session.zoom_meeting)
    run_mail_jobs(app)
    for received in smtp.received:
        (event,) = parse_everywhere(calendar_of(received.message)).walk("VEVENT")
        assert str(event["SUMMARY"]) == "Rencontre de démarrage — Urgence de nuit"
        assert "Urgence de nuit" in str(received.message["Subject"])


@pytest.mark.parametrize("name", ['Zoë "Zo"\r\nBcc: intrus@pirate.exemple', "O'Brien, Seán; <b>RH</b> & Cie",
                                  "<script>alert('x')</script>\u2028Élise"])
def test_no_name_breaks_a_header_the_calendar_or_the_html(app, actor, smtp, radicale, name):
    group = group_with_external_moderator(actor, members=4, external_sessions=0)
    member = group.active_members[0]
    member.display_name = name  # stored as is: the forms clean names, the rendering must not rely on it
    db.session.commit()
    session = scheduling.schedule_session(group, SessionKind.KICKOFF, datetime.combine(next_weekday(3), time(18, 0)),
                                          60, actor)
    make_ready(session.zoom_meeting)
    run_mail_jobs(app)
    mailbox = Mailbox(smtp, radicale, {m.email.lower() for m in group.members})
    mailbox.collect()  # every message: one To, no Cc/Bcc, no other address, parsed everywhere, stored by CalDAV
    (received,) = mailbox.by_address[member.email.lower()]
    message = received.message
    assert received.rcpt_tos == [member.email]
    assert message["To"].addresses[0].addr_spec == member.email
    html = message.get_body(("html",)).get_content()
    assert "<script>" not in html and "<b>RH</b>" not in html
    (event,) = parse_everywhere(calendar_of(message)).walk("VEVENT")
    cn = event["ATTENDEE"].params["CN"]
    assert "\n" not in cn and "\r" not in cn and '"' not in cn
