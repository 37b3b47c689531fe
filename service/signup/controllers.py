"""Sign-up, confirm and withdraw: thin controllers over ``domain.signup``, ``domain.consent`` and
``domain.volunteers``. Confirming and withdrawing are POSTs only: a mail scanner that opens the link changes
nothing."""

from __future__ import annotations

from flask import abort, g, redirect, render_template, url_for
from flask_babel import get_locale

from service import links
from service.coordinator.forms import place_errors
from service.domain import consent, groups, signup, volunteers
from service.domain.audit import Actor
from service.domain.consent_links import InvalidConsentLink, person_from_token
from service.domain.errors import DomainError
from service.domain.organisation_settings import organisation_for_signup_key, teams_of
from service.errors import invalid_link
from service.extensions import current_settings, db
from service.models import ActorKind, Member, Organisation, Volunteer
from service.protocol import support_resources
from service.signup.forms import ButtonForm, SignupForm


def _organisation(key: str) -> Organisation:
    organisation = organisation_for_signup_key(key)
    if organisation is None:
        abort(404)
    return organisation


def _language() -> str:
    return str(get_locale() or "fr")


def _render_form(organisation: Organisation, key: str, form: SignupForm, general=(), status: int = 200):
    return render_template("signup/form.html", organisation=organisation, key=key, form=form,
                           general_errors=list(general)), status


def signup_form(key: str):
    organisation = _organisation(key)
    form = SignupForm(teams_of(organisation), _language(), language=_language())
    return _render_form(organisation, key, form)


def signup_submit(key: str):
    organisation = _organisation(key)
    form = SignupForm(teams_of(organisation), _language())
    if not form.validate_on_submit():
        return _render_form(organisation, key, form, status=400)
    try:
        signup.sign_up(organisation, form.draft(), bool(form.consent.data))
    except DomainError as error:
        db.session.rollback()
        general = place_errors(form, error, _language(), renames={"availability": "day_1"})
        return _render_form(organisation, key, form, general, 422)
    return redirect(url_for("signup.sent", key=key, lang=_language()), 303)


def sent(key: str):
    organisation = _organisation(key)
    return render_template("signup/sent.html", organisation=organisation)


def _person(token: str) -> Volunteer | Member:
    person = person_from_token(current_settings(), token)
    g.page_language = person.language
    return person


def _organisation_of(person: Volunteer | Member) -> Organisation:
    return db.session.get(Organisation, person.organisation_id if isinstance(person, Volunteer)
                          else person.group.organisation_id)


def personal(token: str):
    try:
        person = _person(token)
    except InvalidConsentLink:
        return invalid_link()
    if isinstance(person, Member) and person.consent_at is not None:
        return redirect(links.participant_url(current_settings(), person), 303)
    organisation = _organisation_of(person)
    teams = {team.key: team for team in teams_of(organisation)}
    return render_template("signup/personal.html", person=person, token=token, form=ButtonForm(),
                           organisation=organisation, is_volunteer=isinstance(person, Volunteer),
                           team=teams.get(getattr(person, "team_key", None)))


def _posted_person(token: str) -> Volunteer | Member:
    """The link's person, for a POST from their page (its CSRF token checked); InvalidConsentLink otherwise."""
    person = _person(token)
    if not ButtonForm().validate_on_submit():
        abort(400)
    return person


def confirm(token: str):
    try:
        person = _posted_person(token)
    except InvalidConsentLink:
        return invalid_link()
    consent.confirm(person)
    if isinstance(person, Member):
        return redirect(links.participant_url(current_settings(), person), 303)
    return redirect(url_for("signup.personal", token=token, done="1"), 303)


def withdraw(token: str):
    try:
        person = _posted_person(token)
    except InvalidConsentLink:
        return invalid_link()
    language = _language()  # the page's (the person's own unless they chose the other one); they are erased next
    if isinstance(person, Volunteer):
        volunteers.withdraw(person)
    else:
        groups.member_leaves(person, Actor(ActorKind.MEMBER, person.id, person.group.organisation_id))
    return redirect(url_for("signup.withdrawn", lang=language), 303)


def withdrawn():
    return render_template("signup/withdrawn.html", resources=support_resources(_language()))
