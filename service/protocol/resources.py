"""Where to send someone who needs more than the group can give.

Peers listen, validate and hand off warmly; they do not do crisis intervention (see ``shared/notes/domain.md``).
The default list covers Canada and Québec; an organisation adds its own EAP and contacts (stored per language
on the organisation) which come first.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from service.i18n import N_, gettext, normalise_language


@dataclass(frozen=True)
class SupportResource:
    name: str
    contact: str
    detail: str


_DEFAULTS = (
    (
        N_("Ligne d’aide en cas de crise de suicide"),
        "9-8-8",
        N_("Appel ou texto, en français ou en anglais, 24 heures sur 24, 7 jours sur 7, partout au Canada."),
    ),
    (
        N_("Prévention du suicide (Québec)"),
        "1-866-APPELLE (1-866-277-3553)",
        N_("Intervention en prévention du suicide, 24 heures sur 24, 7 jours sur 7."),
    ),
    (
        N_("Info-Social (Québec)"),
        N_("811, option 2"),
        N_("Consultation psychosociale gratuite et confidentielle, 24 heures sur 24."),
    ),
    (
        N_("Urgence"),
        "911",
        N_("Si une vie est en danger immédiat."),
    ),
)

DISTRESS_GUIDANCE = N_(
    "Si une personne semble en détresse : restez calme, écoutez sans juger et dites-lui que sa situation vous préoccupe. "
    "Donnez-lui le 9-8-8 et rappelez le programme d’aide aux employés (PAE). Si sa vie est en danger immédiat, "
    "appelez le 911. Vous n’avez pas à faire d’intervention de crise : vous orientez avec bienveillance. Après la "
    "rencontre, vous pouvez signaler « suivi souhaité » à la personne coordonnatrice, sans aucun détail."
)


def support_resources(
    language: str, organisation_resources: Mapping[str, Iterable[Mapping[str, str]]] | None = None
) -> list[SupportResource]:
    """The organisation's own resources in ``language`` (if any), then the public ones."""
    language = normalise_language(language)
    own = []
    for entry in (organisation_resources or {}).get(language, ()):
        own.append(SupportResource(entry.get("name", ""), entry.get("contact", ""), entry.get("detail", "")))
    public = [
        SupportResource(gettext(language, name), gettext(language, contact), gettext(language, detail))
        for name, contact, detail in _DEFAULTS
    ]
    return own + public


def distress_guidance(language: str) -> str:
    return gettext(language, DISTRESS_GUIDANCE)
