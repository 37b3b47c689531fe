from flask import Blueprint

from service.webhooks import controllers

bp = Blueprint("webhooks", __name__, url_prefix="/webhooks")
bp.add_url_rule("/zoom", view_func=controllers.zoom, methods=["POST"])
