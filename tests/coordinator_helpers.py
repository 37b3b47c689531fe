"""Helpers shared by the coordinator page tests: logging in, filling the group form."""

from __future__ import annotations

import re


def log_in(client, email: str = "coordination@exemple.ca", name: str = "Camille Coord"):
    response = client.post("/coordination/connexion/locale", data={"email": email, "display_name": name})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response


def group_form(members: int = 5, trained: int = 1, rows: list[int] | None = None, **fields) -> dict:
    """The new-group form as a browser posts it; ``rows`` places the members on those row numbers."""
    data = {"name": "Soins intensifs — soir", "language": "fr", "timezone": "America/Toronto",
            "external_moderator_sessions": "0", "neutral_invite_title": "y", "chat_prompts_enabled": "y",
            "external_moderator-language": "fr"}
    for position, row in enumerate(rows or range(members)):
        data[f"members-{row}-display_name"] = f"Personne {position} Test"
        data[f"members-{row}-email"] = f"personne{position}@exemple.ca"
        data[f"members-{row}-language"] = "fr"
        data[f"members-{row}-reports_to_email"] = f"gestion{position}@exemple.ca"
        data[f"members-{row}-consent_already_given"] = "y"  # as if by paper form: invitations go at once
        if position < trained:
            data[f"members-{row}-is_trained_moderator"] = "y"
    data.update(fields)
    return data


def created_group_id(response) -> int:
    return int(re.search(r"/groupes/(\d+)", response.headers["Location"]).group(1))


def error_summary_links(page: str) -> list[str]:
    return re.findall(r'<li><a href="#([^"]+)">', page)


def close_app(app) -> None:
    """Release what a second application built in a test holds: its database connections and Redis client."""
    from service.extensions import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    app.extensions["redis"].close()
