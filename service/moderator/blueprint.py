from flask import Blueprint

from service.moderator import controllers, debrief, poll
from service.page_language import keep_chosen_language

bp = Blueprint("moderator", __name__)
keep_chosen_language(bp)  # a console read in the other language stays in it (its polls, forms, redirects)
bp.add_url_rule("/m/<token>", view_func=controllers.console)
bp.add_url_rule("/m/<token>/revision", view_func=controllers.revision)
bp.add_url_rule("/m/<token>/state", view_func=controllers.state)
bp.add_url_rule("/m/<token>/start", view_func=controllers.start, methods=["POST"])
bp.add_url_rule("/m/<token>/extra-time", view_func=controllers.extra_time, methods=["POST"])
bp.add_url_rule("/m/<token>/next-step", view_func=controllers.next_step, methods=["POST"])
bp.add_url_rule("/m/<token>/keep-end", view_func=controllers.keep_end, methods=["POST"])
bp.add_url_rule("/m/<token>/close", view_func=controllers.close, methods=["POST"])
bp.add_url_rule("/m/<token>/end", view_func=controllers.end, methods=["POST"])
bp.add_url_rule("/m/<token>/follow-up", view_func=controllers.follow_up, methods=["POST"])
bp.add_url_rule("/m/<token>/debrief", "debrief", view_func=debrief.submit, methods=["POST"])
bp.add_url_rule("/m/<token>/poll", view_func=poll.counts, endpoint="poll_counts")
bp.add_url_rule("/m/<token>/poll/decision", view_func=poll.decide, methods=["POST"])
