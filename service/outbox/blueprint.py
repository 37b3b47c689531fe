from flask import Blueprint

from service.outbox import controllers

bp = Blueprint("outbox", __name__, url_prefix="/dev/outbox")
bp.add_url_rule("/", view_func=controllers.index)
bp.add_url_rule("/<name>", view_func=controllers.show)
bp.add_url_rule("/<name>/html", view_func=controllers.html_body)
bp.add_url_rule("/<name>/invite.ics", view_func=controllers.calendar)
bp.add_url_rule("/<name>/raw", view_func=controllers.raw)
