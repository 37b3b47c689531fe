"""The moderator console: reached only by the session's moderator's link, shows the timeline, moves the prompt rows."""

import json
import re
from datetime import datetime, time, timedelta

import pytest
from flask_babel import refresh
from sqlalchemy import event

from service import links
from service.dates import clock_label, date_label, zone_label
from service.domain import groups, live, scheduling
from service.domain.audit import Actor
from service.domain.clock import now_utc
from service.extensions import db
from service.models import ActorKind, AuditEvent, MemberStatus, PromptStatus, SessionStatus
from service.moderator.state import plan_version, speaking_order
from service.protocol import SessionKind
from tests.factories import make_group
from tests.test_scheduling import next_weekday


def schedule(actor, language="fr", members=6):
    group = make_group(actor, members=members, language=language)
    return scheduling.schedule_session(group, SessionKind.REGULAR, datetime.combine(next_weekday(2), time(19)), 30,
                                       actor)


@pytest.fixture
def session(app, actor):
    return schedule(actor)


@pytest.fixture
def token(session, settings):
    return links.console_token(settings, session.moderator, session)


def started_now(session):
    """The meeting started a moment ago: the welcome is running."""
    live.started(session, now_utc() - timedelta(seconds=5), Actor(ActorKind.MODERATOR, session.moderator_id))


def dues(session):
    db.session.expire_all()
    return {p.step_key: p.due_at for p in session.prompts}


def form_field(page: str, name: str) -> str:
    return re.search(rf'name="{name}"[^>]*value="([^"]*)"', page).group(1)


def test_console_shows_the_whole_session_in_its_language(client, session, token):
    page = client.get(f"/m/{token}").get_data(as_text=True)
    assert '<html lang="fr">' in page
    for text in ("Accueil et centrage", "Tour de table — Question 1", "Que trouvez-vous le plus difficile?",
                 "on reconnaît, on nomme, on valide et on normalise les émotions exprimées",
                 "Message clé à retenir", "Il est normal que les émotions douloureuses demeurent",
                 "La rencontre commence maintenant", "+2 minutes", "Étape suivante maintenant",
                 "Terminer la rencontre"):
        assert text in page
    for resource in ("9-8-8", "1-866-APPELLE", "811, option 2", "911", "programme d’aide aux employés"):
        assert resource in page
    # Speaking order: first names only, active members only.
    for member in session.group.active_members:
        assert member.first_name in page
        assert member.display_name not in page and member.email not in page


def test_console_in_english_for_an_english_session(client, actor, settings):
    session = schedule(actor, language="en")
    page = client.get(f"/m/{links.console_token(settings, session.moderator, session)}").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "What do you find the most difficult?" in page and "+2 minutes" in page
    assert "Suicide Crisis Helpline" in page


def test_a_console_read_in_english_shows_its_dates_times_and_zone_in_english(client, session, token):
    """A French session's console with ?lang=en: the day, the times and the zone are English, as the page is."""
    page = client.get(f"/m/{token}?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in page and "Moderator console" in page
    zone = session.timezone
    assert date_label(session.starts_at, zone, "en") in page and "Wednesday" in page and "mercredi" not in page
    assert f"from {clock_label(session.starts_at, zone, 'en')} to {clock_label(session.ends_at, zone, 'en')}" in page
    assert zone_label(session.starts_at, zone, "en") in page and "heure" not in page.lower().replace("heures", "")
    assert "p.m." in page and "\u00a0h\u00a0" not in page
    data = json.loads(re.search(r'<script type="application/json" id="console-data">(.*?)</script>', page, re.S)[1])
    q1 = next(step for step in data["state"]["steps"] if step["key"] == "q1")
    assert q1["due_label"] == "7:03\u00a0p.m." and q1["chat_label"] == "Will be posted in the chat"
    assert "If someone seems to be in distress" in page and "Suicide Crisis Helpline" in page  # the help panel
    # What the chat receives stays in the session's language; the titles and the guidance follow the viewer.
    assert "Que trouvez-vous le plus difficile?" in page
    assert "Round table — Question 1" in page and "Tour de table — Question 1" not in page
    assert "Welcome each person." in page and "For you" in page and "Pour vous" not in page


def test_a_console_read_in_french_of_an_english_session_guides_in_french(client, session, token):
    session.language = "en"
    db.session.commit()
    page = client.get(f"/m/{token}?lang=fr").get_data(as_text=True)
    assert '<html lang="fr">' in page
    assert "What do you find the most difficult?" in page  # as the chat shows it
    assert "Tour de table — Question 1" in page and "Round table — Question 1" not in page
    assert "Accueillez chaque personne" in page and "Welcome each person." not in page


def test_the_console_keeps_the_language_its_viewer_chose_in_its_polls_forms_and_redirects(client, session, token):
    default = client.get(f"/m/{token}").get_data(as_text=True)
    assert f'"state": "/m/{token}/state"' in default and f'action="/m/{token}/start"' in default  # unchanged
    refresh()  # the test's app context outlives the request: forget the locale flask-babel cached in it
    page = client.get(f"/m/{token}?lang=en").get_data(as_text=True)
    assert f'"state": "/m/{token}/state?lang=en"' in page and f'"revision": "/m/{token}/revision?lang=en"' in page
    assert f'action="/m/{token}/start?lang=en"' in page and f'href="/m/{token}?lang=en"' in page  # brand link
    refresh()
    state = client.get(f"/m/{token}/state?lang=en").get_json()
    assert next(step for step in state["steps"] if step["key"] == "q1")["due_label"] == "7:03\u00a0p.m."
    refresh()
    started = client.post(f"/m/{token}/start?lang=en", data={"plan_version": form_field(page, "plan_version")})
    assert started.status_code == 303 and started.headers["Location"].endswith(f"/m/{token}?lang=en")
    refresh()
    added = client.post(f"/m/{token}/extra-time?lang=en", data={"plan_version": plan_version(session)},
                        headers={"Accept": "application/json"}).get_json()
    assert "2 more minutes" in added["message"] and re.search(r"\d:\d\d\u00a0[ap]\.m\.", added["message"])


def test_the_console_has_a_language_link_to_itself_that_keeps_its_token(client, session, token):
    """Never the site-wide switch (/language/?next=…): it would put the token in another address's query, and
    the console's own language would win over it anyway."""
    page = client.get(f"/m/{token}").get_data(as_text=True)
    link = re.search(r'<a class="language-switch" href="([^"]+)"[^>]*>([^<]+)</a>', page)
    assert link[1] == f"/m/{token}?lang=en" and link[2] == "English" and "/language/" not in page
    refresh()
    english = client.get(link[1])
    assert english.status_code == 200 and '<html lang="en">' in english.get_data(as_text=True)
    back = re.search(r'<a class="language-switch" href="([^"]+)"[^>]*>([^<]+)</a>', english.get_data(as_text=True))
    assert back[1] == f"/m/{token}?lang=fr" and back[2] == "Français"
    refresh()
    assert '<html lang="fr">' in client.get(back[1]).get_data(as_text=True)


def test_console_refuses_anyone_but_the_moderator_calmly(client, session, settings, token):
    someone_else = next(m for m in session.group.active_members if m.id != session.moderator_id)
    for bad in (links.console_token(settings, someone_else, session), token[:-3] + "abc", "nonsense"):
        response = client.get(f"/m/{bad}")
        assert response.status_code == 410
        page = response.get_data(as_text=True)
        assert "Ce lien n’est plus valide" in page
        assert someone_else.first_name not in page and session.group.name not in page


def test_console_link_expires_after_the_session(client, session, token, settings):
    session.starts_at = now_utc() - timedelta(days=settings.LINK_VALID_DAYS_AFTER_SESSION, hours=1)
    db.session.commit()
    assert client.get(f"/m/{token}").status_code == 410
    assert client.get(f"/m/{token}/revision").status_code == 410


def test_poll_answers_304_without_the_database_until_something_changes(app, client, session, token):
    first = client.get(f"/m/{token}/revision")
    assert first.status_code == 200 and first.get_json() == {"revision": session.revision}
    etag = first.headers["ETag"]

    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        again = client.get(f"/m/{token}/revision", headers={"If-None-Match": etag})
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert again.status_code == 304 and again.data == b""
    assert statements == []  # the warm poll reads Redis only

    live.add_time(session, Actor(ActorKind.MODERATOR, session.moderator_id))
    changed = client.get(f"/m/{token}/revision", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert changed.get_json()["revision"] == session.revision


def test_a_prompt_posted_by_the_worker_raises_the_revision_the_console_polls(client, session, token):
    etag = client.get(f"/m/{token}/revision").headers["ETag"]
    welcome = next(p for p in session.prompts if p.step_key == "welcome")
    before = session.revision
    welcome.status, welcome.posted_at = PromptStatus.POSTED, now_utc()  # what the worker writes
    db.session.commit()
    assert session.revision == before + 1
    assert client.get(f"/m/{token}/revision", headers={"If-None-Match": etag}).status_code == 200
    state = client.get(f"/m/{token}/state").get_json()
    assert next(s for s in state["steps"] if s["key"] == "welcome")["chat_status"] == "posted"


def test_state_gives_absolute_times_and_the_server_clock(client, session, token):
    state = client.get(f"/m/{token}/state").get_json()
    assert state["revision"] == session.revision and state["status"] == "scheduled"
    server_now = datetime.fromisoformat(state["server_now"].replace("Z", "+00:00"))
    assert abs((server_now - now_utc()).total_seconds()) < 5
    keys = [step["key"] for step in state["steps"]]
    assert keys[0] == "welcome" and keys[-1] == "key_message" and "cue_closing" in keys
    q1 = next(step for step in state["steps"] if step["key"] == "q1")
    assert q1["due_at"].endswith("Z") and q1["due_label"] == "19\u00a0h\u00a003"
    cue = next(step for step in state["steps"] if step["key"] == "cue_closing")
    assert cue["chat_status"] == "console_only"


def test_started_now_reanchors_every_row(client, session, token):
    page = client.get(f"/m/{token}").get_data(as_text=True)
    response = client.post(f"/m/{token}/start", data={"plan_version": form_field(page, "plan_version")})
    assert response.status_code == 303
    assert abs((dues(session)["welcome"] - now_utc()).total_seconds()) < 5
    assert session.actual_started_at is not None
    audit = db.session.query(AuditEvent).filter_by(action="session.started").one()
    assert audit.actor_kind is ActorKind.MODERATOR and audit.actor_id == session.moderator_id


def test_extra_time_moves_the_rows_and_a_double_click_is_refused(client, session, token):
    started_now(session)
    before = dues(session)
    version = plan_version(session)
    response = client.post(f"/m/{token}/extra-time", data={"plan_version": version},
                           headers={"Accept": "application/json"})
    assert response.status_code == 200
    body = response.get_json()
    assert "2 minutes de plus" in body["message"]
    after = dues(session)
    assert after["welcome"] == before["welcome"]
    assert after["q1"] - before["q1"] == timedelta(minutes=2)
    q1 = next(step for step in body["state"]["steps"] if step["key"] == "q1")
    shown = datetime.fromisoformat(q1["due_at"].replace("Z", "+00:00"))
    assert abs(shown - after["q1"]) < timedelta(milliseconds=1)

    second = client.post(f"/m/{token}/extra-time", data={"plan_version": version},
                         headers={"Accept": "application/json"})
    assert second.status_code == 409
    assert "rien n’a été refait" in second.get_json()["error"]["message"]
    assert dues(session) == after  # applied once only

    page = client.post(f"/m/{token}/extra-time", data={"plan_version": version})  # without JavaScript
    assert page.status_code == 409 and "rien n’a été refait" in page.get_data(as_text=True)


def test_next_step_now_and_end(client, session, token):
    started_now(session)
    client.post(f"/m/{token}/next-step", data={"plan_version": plan_version(session)})
    db.session.expire_all()
    assert live.current_prompt(session, now_utc()).step_key == "q1"
    client.post(f"/m/{token}/end", data={"plan_version": plan_version(session)})
    db.session.expire_all()
    assert session.status is SessionStatus.ENDED
    assert all(p.status is not PromptStatus.PENDING for p in session.prompts)
    page = client.get(f"/m/{token}").get_data(as_text=True)
    assert "La rencontre est terminée" in page and "Demander un suivi" in page


def test_follow_up_only_after_the_session_and_without_content(client, session, token):
    refused = client.post(f"/m/{token}/follow-up", data={"needed": "1"}, headers={"Accept": "application/json"})
    assert refused.status_code == 409 and not session.follow_up_needed
    live.ended(session, now_utc(), Actor(ActorKind.MODERATOR, session.moderator_id))
    assert client.post(f"/m/{token}/follow-up", data={"needed": "1"}).status_code == 303
    db.session.expire_all()
    assert session.follow_up_needed
    audit = db.session.query(AuditEvent).filter_by(action="session.follow_up").one()
    assert audit.details == {"needed": True}
    client.post(f"/m/{token}/follow-up", data={"needed": "0"})
    db.session.expire_all()
    assert not session.follow_up_needed


def test_speaking_order_is_secret_stable_and_survives_a_departure(session, actor):
    order = speaking_order(session)
    assert sorted(order) == sorted(m.first_name for m in session.group.active_members)
    assert speaking_order(session) == order
    other = schedule(actor)
    orders = {tuple(speaking_order(s)) for s in (session, other)}
    assert session.speaking_order_seed != other.speaking_order_seed and len(session.speaking_order_seed) == 32
    leaving = next(m for m in session.group.active_members if m.id != session.moderator_id)
    groups.member_leaves(leaving, actor)
    assert speaking_order(session) == [name for name in order if name != leaving.first_name]
    assert orders  # two sessions, two independent draws


def test_a_moderator_who_leaves_loses_the_console(client, session, token, actor):
    etag = client.get(f"/m/{token}/revision").headers["ETag"]
    groups.member_leaves(session.moderator, actor)
    assert session.moderator is None or session.moderator.status is MemberStatus.LEFT
    assert client.get(f"/m/{token}/revision", headers={"If-None-Match": etag}).status_code == 410
    assert client.get(f"/m/{token}").status_code == 410


def test_published_revisions_only_go_upwards(app, redis_client):
    from service.revisions import publish

    assert publish(redis_client, 41, 5) == 5
    assert publish(redis_client, 41, 3) == 5  # a commit that finished late cannot bring an older revision back
    assert publish(redis_client, 41, 6) == 6


def test_polls_still_answer_when_redis_is_down(session, token, settings):
    from dataclasses import replace

    from service.app import create_app

    without_redis = create_app(replace(settings, REDIS_URL="redis://127.0.0.1:1/0"), {"WTF_CSRF_ENABLED": False})
    client = without_redis.test_client()
    first = client.get(f"/m/{token}/revision")
    assert first.status_code == 200 and first.get_json() == {"revision": session.revision}
    assert client.get(f"/m/{token}/revision", headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    with without_redis.app_context():
        db.engine.dispose()
    without_redis.extensions["redis"].close()


def test_the_organisations_own_resources_come_first_in_the_sessions_language(client, session, token):
    from service.models import Organisation

    organisation = db.session.get(Organisation, session.group.organisation_id)
    organisation.support_resources = {
        "fr": [{"name": "PAE du CISSS", "contact": "1-800-555-0100", "detail": "Confidentiel, 24/7."}],
        "en": [{"name": "CISSS EAP", "contact": "1-800-555-0100", "detail": "Confidential, 24/7."}],
    }
    db.session.commit()
    page = client.get(f"/m/{token}").get_data(as_text=True)
    help_panel = page[page.index('id="help"'):]
    assert "PAE du CISSS" in help_panel and "CISSS EAP" not in page
    resources = help_panel[help_panel.index('class="resources"'):]
    assert resources.index("1-800-555-0100") < resources.index("9-8-8")
    # What to do when someone is in distress comes before the list, whole.
    assert help_panel.index("Si une personne semble en détresse") < help_panel.index('class="resources"')


def test_poll_interval_setting_is_checked(tmp_path):
    from config import ConfigurationError, load_settings

    assert load_settings({"CONSOLE_POLL_SECONDS": "2.5"}, tmp_path).CONSOLE_POLL_SECONDS == 2.5
    with pytest.raises(ConfigurationError, match="CONSOLE_POLL_SECONDS"):
        load_settings({"CONSOLE_POLL_SECONDS": "0.1"}, tmp_path)


def test_controls_offered_follow_the_moment(session, settings):
    from service.moderator.view import console_view

    first_due = min(p.due_at for p in session.prompts)
    offered = lambda now: {k for k, v in console_view(session, now, settings, "fr").controls.items() if v}  # noqa: E731
    assert offered(first_due - timedelta(days=3)) == {"start"}
    assert offered(first_due - timedelta(minutes=10)) == {"start", "extra_time"}
    # Once it runs, starting again is behind a confirmation; ending offers to post the key message first.
    assert offered(first_due + timedelta(seconds=30)) == {"restart", "extra_time", "next_step", "end",
                                                         "end_with_key_message"}
    assert offered(first_due + timedelta(minutes=10)) == {"extra_time", "next_step", "end", "end_with_key_message"}
    assert offered(first_due + timedelta(minutes=29, seconds=30)) == {"extra_time", "end", "end_plain"}
    assert offered(first_due + timedelta(minutes=31)) == {"follow_up"}


def test_a_member_leaving_raises_the_revision_and_leaves_the_speaking_order(client, session, token):
    """An open console learns at its next poll that someone left (item 5 of issue 17)."""
    state = client.get(f"/m/{token}/state").get_json()
    etag = client.get(f"/m/{token}/revision").headers["ETag"]
    assert client.get(f"/m/{token}/revision", headers={"If-None-Match": etag}).status_code == 304
    leaving = next(m for m in session.group.active_members if m.id != session.moderator_id)
    assert leaving.first_name in [speaker["name"] for speaker in state["speakers"]]
    groups.member_leaves(leaving, Actor(ActorKind.MEMBER, leaving.id))
    poll = client.get(f"/m/{token}/revision", headers={"If-None-Match": etag})
    assert poll.status_code == 200 and poll.get_json()["revision"] > state["revision"]
    after = client.get(f"/m/{token}/state").get_json()
    assert leaving.first_name not in [speaker["name"] for speaker in after["speakers"]]
    assert len(after["speakers"]) == len(state["speakers"]) - 1
