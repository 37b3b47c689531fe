"""Group rules: size, hierarchy, addresses, time zones, times — with messages that say how to fix them."""

from datetime import datetime, timedelta, timezone

import pytest

from service.domain.groups import GroupDraft, validate_group
from service.domain.rules import MemberDraft, check_session_time, clean_text, falls_in_working_hours
from service.protocol import SessionKind
from tests.factories import member_drafts


def draft(count=6, **changes):
    values = dict(name="Équipe de soir", language="fr", timezone="America/Toronto", members=member_drafts(count))
    values.update(changes)
    return GroupDraft(**values)


def codes(violations):
    return sorted(v.code for v in violations)


def test_a_good_group_passes():
    assert validate_group(draft()) == []


@pytest.mark.parametrize("count", [4, 5, 6, 7, 8])
def test_four_to_eight_members_need_no_confirmation(count):
    assert validate_group(draft(count)) == []


@pytest.mark.parametrize("count", [3, 9, 10])
def test_three_nine_or_ten_need_an_explicit_exception(count):
    violations = validate_group(draft(count))
    assert codes(violations) == ["size_exception_unconfirmed"]
    assert violations[0].field == "size_exception_confirmed"
    assert "Je confirme cette exception" in violations[0].message("fr")
    assert "I confirm this exception" in violations[0].message("en")
    assert validate_group(draft(count, size_exception_confirmed=True)) == []


@pytest.mark.parametrize("count", [0, 1, 2, 11, 12])
def test_never_beyond_three_to_ten_even_confirmed(count):
    assert codes(validate_group(draft(count, size_exception_confirmed=True))) == ["size_out_of_bounds"]


def test_a_member_reporting_to_another_member_is_refused_case_insensitively():
    members = member_drafts(5)
    members[3] = MemberDraft("Denis Boss", "Denis.Boss@Exemple.ca")
    members[1] = MemberDraft("Benoît Test", "benoit@exemple.ca", reports_to_email="DENIS.BOSS@exemple.CA")
    violations = validate_group(draft(members=members))
    assert codes(violations) == ["hierarchy_in_group"]
    assert violations[0].field == "members-1-reports_to_email"
    message = violations[0].message("fr")
    assert "Benoît Test relève de Denis Boss" in message and "retirez" in message
    assert "Benoît Test reports to Denis Boss" in violations[0].message("en")


def test_reporting_to_the_external_moderator_is_refused_too():
    members = member_drafts(5)
    members[0] = MemberDraft("Ana Lopez", "ana@exemple.ca", reports_to_email="mod@externe.ca")
    external = MemberDraft("Mo Derateur", "mod@externe.ca")
    violations = validate_group(draft(members=members, external_moderator=external, external_moderator_sessions=3))
    assert codes(violations) == ["hierarchy_in_group"]


def test_addresses_must_be_valid_and_unique():
    members = member_drafts(5)
    members[2] = MemberDraft("X", "pas-une-adresse")
    members[4] = MemberDraft("Y", members[0].email.upper())
    violations = validate_group(draft(members=members))
    assert codes(violations) == ["email_duplicate", "email_invalid"]
    fields = {v.code: v.field for v in violations}
    assert fields == {"email_invalid": "members-2-email", "email_duplicate": "members-4-email"}


def test_settings_are_checked():
    violations = validate_group(draft(name="  ", timezone="Mars/Olympus", language="de"))
    assert codes(violations) == ["language_unknown", "name_required", "timezone_unknown"]


def test_names_cannot_smuggle_line_breaks():
    assert clean_text("Jean\r\nBcc: tous@exemple.ca") == "Jean Bcc: tous@exemple.ca"


def test_no_session_in_the_past_and_durations_by_kind():
    now = datetime(2027, 3, 1, 12, tzinfo=timezone.utc)
    assert check_session_time(SessionKind.REGULAR, now + timedelta(hours=1), 30, now) == []
    assert codes(check_session_time(SessionKind.REGULAR, now - timedelta(minutes=1), 30, now)) == ["start_in_past"]
    assert codes(check_session_time(SessionKind.KICKOFF, now + timedelta(days=1), 30, now)) == [
        "duration_out_of_range"]
    assert codes(check_session_time(SessionKind.REHEARSAL, now + timedelta(days=1), 5, now)) == []


def test_working_hours():
    tuesday_noon = datetime(2027, 3, 2, 12, 0)
    assert falls_in_working_hours(tuesday_noon, 30)
    assert not falls_in_working_hours(datetime(2027, 3, 2, 17, 0), 30)
    assert falls_in_working_hours(datetime(2027, 3, 2, 7, 45), 30)
    assert not falls_in_working_hours(datetime(2027, 3, 6, 12, 0), 30)  # Saturday
