"""The personal link in a welcome-and-consent e-mail: signed, naming one volunteer or one member, revocable.

The same link leads to the confirm page (one button, POST only: mail scanners open links) and, for a volunteer,
to their personal page (what is kept, withdraw). A withdrawal erases the volunteer, so the link dies with them;
a member who leaves loses their ``link_nonce``.
"""

from __future__ import annotations

from itsdangerous import BadSignature, URLSafeSerializer

from config import Settings
from service.extensions import db
from service.models import Member, MemberStatus, Volunteer

PURPOSE = "entre-pairs/consent"
VOLUNTEER, MEMBER = "v", "m"


class InvalidConsentLink(Exception):
    """Forged, revoked, or the person is gone (not told apart)."""


def _serializer(settings: Settings) -> URLSafeSerializer:
    return URLSafeSerializer(settings.SECRET_KEY, salt=PURPOSE)


def token_for(settings: Settings, person: Volunteer | Member) -> str:
    kind = VOLUNTEER if isinstance(person, Volunteer) else MEMBER
    return _serializer(settings).dumps({"k": kind, "i": person.id, "n": person.link_nonce})


def url_for_person(settings: Settings, person: Volunteer | Member) -> str:
    return f"{settings.BASE_URL}/v/{token_for(settings, person)}"


def person_from_token(settings: Settings, token: str) -> Volunteer | Member:
    try:
        data = _serializer(settings).loads(token)
    except BadSignature as error:
        raise InvalidConsentLink() from error
    if not isinstance(data, dict) or not isinstance(data.get("i"), int) or data.get("k") not in (VOLUNTEER, MEMBER):
        raise InvalidConsentLink()
    model = Volunteer if data["k"] == VOLUNTEER else Member
    person = db.session.get(model, data["i"])
    if person is None or not person.link_nonce or data.get("n") != person.link_nonce:
        raise InvalidConsentLink()
    if isinstance(person, Member) and person.status is not MemberStatus.ACTIVE:
        raise InvalidConsentLink()
    return person
