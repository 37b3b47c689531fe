from flask import Blueprint

from service.public import controllers

bp = Blueprint("public", __name__)
bp.add_url_rule("/", view_func=controllers.home)
bp.add_url_rule("/language/<language>", view_func=controllers.switch_language)
bp.add_url_rule("/healthz", view_func=controllers.health)
