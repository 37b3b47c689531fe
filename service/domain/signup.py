"""The public sign-up: a person puts their own name forward, then confirms by e-mail (double opt-in).

The answer never reveals whether an address already signed up: a new address gets the welcome-and-consent
e-mail, a known one a reminder (at most one an hour), and both see the same page. The person's own input is
checked (allowed domain, known team, valid times); a reporting loop with other people is not checked here, as
the message would tell them who else signed up — the grouping keeps everyone on a loop apart instead.
"""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from service.domain import consent
from service.domain.audit import Actor, record
from service.domain.clock import now_utc
from service.domain.errors import DomainError, Violation
from service.domain.organisation_settings import domain_allowed
from service.domain.rules import normalise_email
from service.domain.volunteers import VolunteerDraft, new_volunteer, check_volunteer, find
from service.extensions import db
from service.i18n import N_
from service.models import ActorKind, Organisation, Volunteer


def check(organisation: Organisation, draft: VolunteerDraft, consent_given: bool) -> list[Violation]:
    violations = check_volunteer(draft, organisation)
    email = normalise_email(draft.email)
    if email is not None and not domain_allowed(organisation, email):
        violations.append(Violation("domain_not_allowed",
                                    N_("Inscrivez-vous avec votre adresse courriel de travail (%(domains)s)."),
                                    "email", {"domains": ", ".join(f"@{d}" for d in organisation.signup_domains)}))
    if not consent_given:
        violations.append(Violation("consent_required",
                                    N_("Cochez la case de consentement pour vous inscrire : sans elle, nous ne "
                                       "pouvons rien conserver."), "consent"))
    return violations


def _remind(volunteer: Volunteer) -> None:
    now = now_utc()
    if volunteer.last_mailed_at is None or now - volunteer.last_mailed_at >= consent.REMINDER_INTERVAL:
        consent.ask_for_consent(volunteer, now, reminder=True)
    record(Actor(ActorKind.SYSTEM, None, volunteer.organisation_id), "volunteer.signup_repeated", "volunteer",
           volunteer.id)
    db.session.commit()


def sign_up(organisation: Organisation, draft: VolunteerDraft, consent_given: bool) -> None:
    """Record the sign-up and send the confirmation e-mail, or remind a known address. Same outcome either way."""
    violations = check(organisation, draft, consent_given)
    if violations:
        raise DomainError(violations)
    existing = find(organisation, draft.email)
    if existing is not None:
        _remind(existing)
        return
    volunteer = new_volunteer(organisation, draft)
    db.session.add(volunteer)
    try:
        db.session.flush()
    except IntegrityError:  # the same address, a moment earlier, from another request
        db.session.rollback()
        existing = find(organisation, draft.email)
        if existing is not None:
            _remind(existing)
        return
    consent.ask_for_consent(volunteer, now_utc())
    record(Actor(ActorKind.SYSTEM, None, organisation.id), "volunteer.signed_up", "volunteer", volunteer.id)
    db.session.commit()
