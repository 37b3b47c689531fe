from urllib.parse import urlsplit

from flask import abort, jsonify, redirect, render_template, request, session, url_for
from sqlalchemy import text

from service import i18n
from service.extensions import db


def home():
    return render_template("public/home.html")


def switch_language(language: str):
    if language not in i18n.LANGUAGES:
        abort(404)
    session["lang"] = language
    return redirect(_same_site(request.args.get("next")) or url_for("public.home"))


def _same_site(target: str | None) -> str | None:
    """Only a path on this site (never another host) may be the target of a redirect."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def health():
    db.session.execute(text("SELECT 1"))
    return jsonify(status="ok")
