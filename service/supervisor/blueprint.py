from flask import Blueprint

from service.supervisor import controllers

bp = Blueprint("supervisor", __name__)
bp.add_url_rule("/s/<token>", view_func=controllers.page)
bp.add_url_rule("/s/<token>/requests/<int:request_id>/done", view_func=controllers.mark_done, methods=["POST"])
