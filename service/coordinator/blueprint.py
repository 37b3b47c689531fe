from flask import Blueprint, request

from service.coordinator import (
    auth,
    groupings,
    groups,
    organisation,
    polls,
    practice,
    practice_series_move,
    sessions,
    volunteers,
)
from service.coordinator.identity import login_required
from service.extensions import limiter

bp = Blueprint("coordinator", __name__, url_prefix="/coordination")

# Login attempts per client address and submitted e-mail: enough for a person who mistypes, too few for guessing,
# and someone else's attempts from the same address (an office behind one NAT) do not lock that person out.
LOGIN_LIMIT = "10 per minute;60 per hour"
# Per client address, whatever the e-mails: trying address after address from one place still meets a wall.
ADDRESS_LIMIT = "30 per minute;300 per hour"


def client_address() -> str:
    """The client's address: the connection's, or the one trusted proxies forwarded (``TRUSTED_PROXY_COUNT``)."""
    return request.remote_addr or "unknown"


def client_address_and_email() -> str:
    return client_address() + "|" + (request.form.get("email") or "").strip().lower()[:320]


def _login_limited(view, per_email: bool):
    limited = limiter.limit(ADDRESS_LIMIT, key_func=client_address)(view)
    return limiter.limit(LOGIN_LIMIT, key_func=client_address_and_email)(limited) if per_email else limited


def _route(rule, endpoint, view, methods=("GET",), public=False):
    bp.add_url_rule(rule, endpoint, view if public else login_required(view), methods=list(methods))


_route("/connexion", "login", auth.login, public=True)
_route("/connexion/locale", "login_local", _login_limited(auth.login_local, per_email=True), ("POST",), public=True)
_route("/connexion/oidc", "login_oidc", limiter.limit(LOGIN_LIMIT, key_func=client_address)(auth.login_oidc),
       ("POST",), public=True)
# Not limited: the return from the provider proves nothing by itself (authlib checks the state this browser's
# session holds, then the provider's signed token), and a shared budget would refuse people who logged in properly.
_route("/connexion/retour", "oidc_callback", auth.oidc_callback, public=True)
_route("/deconnexion", "logout", auth.logout, ("POST",), public=True)

_route("/", "groups", groups.group_list)
_route("/groupes/nouveau", "new_group", groups.new_group, ("GET", "POST"))
_route("/groupes/proposer", "groupings", groupings.groupings_page, ("GET", "POST"))
_route("/groupes/verifier", "validate_group", groups.validate_new_group, ("POST",))
_route("/groupes/<int:group_id>", "group", groups.group_page)
_route("/groupes/<int:group_id>/rencontres", "sessions_fragment", groups.sessions_fragment)
_route("/groupes/<int:group_id>/modifier", "edit_group", groups.edit_group, ("GET", "POST"))
_route("/groupes/<int:group_id>/membres", "add_member", groups.add_member, ("POST",))
_route("/groupes/<int:group_id>/membres/<int:member_id>", "edit_member", groups.edit_member, ("GET", "POST"))
_route("/groupes/<int:group_id>/membres/<int:member_id>/depart", "member_leaves", groups.member_leaves, ("POST",))
_route("/groupes/<int:group_id>/animation", "moderator_arrangement", groups.moderator_arrangement, ("POST",))
_route("/groupes/<int:group_id>/partage", "share_group", groups.share_group, ("POST",))
_route("/groupes/<int:group_id>/partage/<int:coordinator_id>/retrait", "stop_sharing", groups.stop_sharing,
       ("POST",))
_route("/groupes/<int:group_id>/supprimer", "delete_group", groups.delete_group, ("GET", "POST"))

_route("/groupes/<int:group_id>/planifier", "schedule", sessions.schedule, ("GET", "POST"))
_route("/groupes/<int:group_id>/rencontres/<int:session_id>", "session", sessions.session_page)
_route("/groupes/<int:group_id>/rencontres/<int:session_id>/deplacer", "reschedule_session",
       sessions.reschedule_session, ("POST",))
_route("/groupes/<int:group_id>/rencontres/<int:session_id>/annuler", "cancel_session", sessions.cancel_session,
       ("POST",))
_route("/groupes/<int:group_id>/rencontres/<int:session_id>/moderateur", "change_moderator",
       sessions.change_moderator, ("POST",))
_route("/groupes/<int:group_id>/rencontres/<int:session_id>/invitations/<int:invite_id>/renvoyer", "resend_invite",
       sessions.resend_invite, ("POST",))
_route("/groupes/<int:group_id>/rencontres/<int:session_id>/reunion", "recreate_meeting", sessions.recreate_meeting,
       ("POST",))
_route("/groupes/<int:group_id>/series/<int:series_id>/deplacer", "reschedule_series", sessions.reschedule_series,
       ("POST",))
_route("/groupes/<int:group_id>/series/<int:series_id>/annuler", "cancel_series", sessions.cancel_series, ("POST",))

# Supporting the moderators: supervisors, the community of practice, the load threshold (coordinator/practice.py).
_route("/soutien", "practice", practice.page)
_route("/soutien/superviseures", "add_supervisor", practice.add_supervisor, ("POST",))
_route("/soutien/superviseures/<int:supervisor_id>/lien", "send_supervisor_link", practice.send_link_again,
       ("POST",))
_route("/soutien/superviseures/<int:supervisor_id>/retrait", "remove_supervisor", practice.remove_supervisor,
       ("POST",))
_route("/soutien/reglages", "practice_settings", practice.save_settings, ("POST",))
_route("/soutien/serie", "practice_series", practice.schedule_series, ("POST",))
_route("/soutien/series/<int:series_id>/deplacer", "move_practice_series", practice_series_move.move_series,
       ("GET", "POST"))
_route("/soutien/series/<int:series_id>/annuler", "cancel_practice_series", practice.cancel_series, ("POST",))

# The organisation and its pool of volunteers (coordinator/organisation.py, coordinator/volunteers.py).
_route("/organisation", "organisation", organisation.settings_page, ("GET", "POST"))
_route("/organisation/inscription", "rotate_signup_key", organisation.rotate_signup_key, ("POST",))
_route("/volontaires", "volunteers", volunteers.pool_page)
_route("/volontaires/ajouter", "add_volunteer", volunteers.add_volunteer, ("POST",))
_route("/volontaires/importer", "import_volunteers", volunteers.import_volunteers, ("POST",))
_route("/volontaires/<int:volunteer_id>/retrait", "withdraw_volunteer", volunteers.withdraw_volunteer, ("POST",))

# Availability polls (coordinator/polls.py).
_route("/groupes/<int:group_id>/sondages/nouveau", "new_poll", polls.new_poll, ("GET", "POST"))
_route("/groupes/<int:group_id>/sondages/<int:poll_id>", "poll", polls.poll_page)
_route("/groupes/<int:group_id>/sondages/<int:poll_id>/decision", "decide_poll", polls.decide, ("POST",))
_route("/groupes/<int:group_id>/sondages/<int:poll_id>/rappel", "remind_poll", polls.remind, ("POST",))
_route("/groupes/<int:group_id>/sondages/<int:poll_id>/fermer", "close_poll", polls.close, ("POST",))
