"""Builders for test data, going through the real domain services."""

from __future__ import annotations

from service.domain.groups import GroupDraft, create_group
from service.domain.rules import MemberDraft

FIRST_NAMES = ["Amélie", "Benoît", "Chloé", "David", "Élise", "François", "Gabrielle", "Hugo", "Inès", "Jules"]


def member_drafts(count: int, trained: int = 1, domain: str = "exemple.ca", language: str = "fr",
                  consented: bool = True) -> list[MemberDraft]:
    """``consented``: the coordinator declares each person's consent (as if by paper form), so invitations go."""
    return [
        MemberDraft(
            display_name=f"{FIRST_NAMES[i % len(FIRST_NAMES)]} Test{i}",
            email=f"personne{i}@{domain}",
            language=language,
            reports_to_email=f"gestionnaire{i}@{domain}",
            is_trained_moderator=i < trained,
            consent_already_given=consented,
        )
        for i in range(count)
    ]


def make_group(actor, members: int = 6, trained: int = 1, name: str = "Équipe de nuit", timezone="America/Toronto",
               language: str = "fr", consented: bool = True, **options):
    draft = GroupDraft(
        name=name,
        language=language,
        timezone=timezone,
        members=member_drafts(members, trained, language=language, consented=consented),
        size_exception_confirmed=options.pop("size_exception_confirmed", not 4 <= members <= 8),
        **options,
    )
    return create_group(draft, actor)
