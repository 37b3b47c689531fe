from flask import Blueprint

from service.extensions import limiter
from service.page_language import keep_chosen_language
from service.signup import controllers

bp = Blueprint("signup", __name__)
keep_chosen_language(bp)  # a consent page read in the other language stays in it after a click

# Per client address, as the coordinators' login: enough for a person, too few to probe addresses or flood mail.
SIGNUP_LIMIT = "10 per minute;60 per hour"
PAGE_LIMIT = "60 per minute"

bp.add_url_rule("/inscription/<key>", "form", limiter.limit(PAGE_LIMIT)(controllers.signup_form))
bp.add_url_rule("/inscription/<key>", "submit", limiter.limit(SIGNUP_LIMIT)(controllers.signup_submit),
                methods=["POST"])
bp.add_url_rule("/inscription/<key>/merci", "sent", limiter.limit(PAGE_LIMIT)(controllers.sent))
bp.add_url_rule("/v/<token>", "personal", limiter.limit(PAGE_LIMIT)(controllers.personal))
bp.add_url_rule("/v/<token>/confirm", "confirm", limiter.limit(SIGNUP_LIMIT)(controllers.confirm), methods=["POST"])
bp.add_url_rule("/v/<token>/withdraw", "withdraw", limiter.limit(SIGNUP_LIMIT)(controllers.withdraw),
                methods=["POST"])
bp.add_url_rule("/retrait", "withdrawn", controllers.withdrawn)
