from flask import Blueprint

from service.supervisor import controllers
from service.page_language import keep_chosen_language

bp = Blueprint("supervisor", __name__)
keep_chosen_language(bp)  # a page read in the other language stays in it after a click
bp.add_url_rule("/s/<token>", view_func=controllers.page)
bp.add_url_rule("/s/<token>/requests/<int:request_id>/done", view_func=controllers.mark_done, methods=["POST"])
