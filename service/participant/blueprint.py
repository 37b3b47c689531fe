from flask import Blueprint

from service.participant import controllers, poll, practice
from service.page_language import keep_chosen_language

bp = Blueprint("participant", __name__)
keep_chosen_language(bp)  # a page read in the other language stays in it after a click
bp.add_url_rule("/p/<token>", view_func=controllers.page)
bp.add_url_rule("/p/<token>/agenda.ics", view_func=controllers.calendar_file)
bp.add_url_rule("/p/<token>/leave", view_func=controllers.confirm_leave)
bp.add_url_rule("/p/<token>/leave", view_func=controllers.leave, methods=["POST"])
bp.add_url_rule("/left", view_func=controllers.left)
bp.add_url_rule("/p/<token>/practice/step-out", "practice_step_out", view_func=practice.step_out, methods=["POST"])
bp.add_url_rule("/p/<token>/practice/step-in", "practice_step_in", view_func=practice.step_in, methods=["POST"])
bp.add_url_rule("/p/<token>/sondage", view_func=poll.poll_page)
bp.add_url_rule("/p/<token>/sondage", view_func=poll.answer, methods=["POST"])
