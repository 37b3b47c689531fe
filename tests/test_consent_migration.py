"""The migration that brought consent before contact records every member already in a group as consented
("migrated", at the time they joined), so nobody's invitations stop on the day it runs — and, on SQLite, rebuilding
a table while migrating deletes nothing that refers to it."""

from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from service.extensions import db

BEFORE = "5b0e3c1d9f42"


def test_existing_members_are_migrated_as_consented(app):
    db.session.remove()
    downgrade(revision=BEFORE)
    try:
        with db.engine.begin() as connection:
            connection.execute(text("INSERT INTO organisations (id, name, support_resources, created_at) "
                                    "VALUES (1, 'CISSS', '{}', '2026-01-05 10:00:00')"))
            connection.execute(text(
                "INSERT INTO groups (id, organisation_id, name, language, timezone, status, neutral_invite_title, "
                "chat_prompts_enabled, size_exception_confirmed, external_moderator_sessions, created_at, updated_at) "
                "VALUES (1, 1, 'Nuit', 'fr', 'America/Toronto', 'active', true, true, false, 0, "
                "'2026-01-05 10:00:00', '2026-01-05 10:00:00')"))
            connection.execute(text(
                "INSERT INTO members (id, group_id, role, display_name, email, email_key, language, "
                "is_trained_moderator, status, joined_at, link_nonce) VALUES (1, 1, 'member', 'Ana', 'ana@exemple.ca', "
                "'ana@exemple.ca', 'fr', false, 'active', '2026-01-06 09:30:00', 'abc')"))
    finally:
        upgrade()
    with db.engine.connect() as connection:
        member = connection.execute(text("SELECT consent_at, consent_source FROM members WHERE id = 1")).one()
        organisation = connection.execute(text("SELECT timezone, teams, working_hours FROM organisations")).one()
    assert member.consent_source == "migrated" and str(member.consent_at).startswith("2026-01-06 09:30")
    assert organisation.timezone == "America/Toronto"
    if db.engine.dialect.name == "sqlite":  # enforced again once the migrations are over
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
