"""Security headers on every response.

Personal links carry a token in their path, so no page may leak its address through a Referer header.
"""

from flask import Flask, request
from werkzeug.middleware.proxy_fix import ProxyFix

from service.extensions import current_settings

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)


def init_app(app: Flask) -> None:
    app.after_request(_add_security_headers)
    _trust_proxies(app, app.extensions["settings"].TRUSTED_PROXY_COUNT)


def _trust_proxies(app: Flask, count: int) -> None:
    """Behind ``count`` reverse proxies, believe the client address, scheme and host they forward (and only the
    last ``count`` hops: a client cannot add its own). The login limits and external links depend on it."""
    if count > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)


def _add_security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "no-referrer")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if current_settings().is_production:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if request.endpoint != "static" and "Cache-Control" not in headers:
        # Pages may show personal data: no shared cache keeps them.
        headers["Cache-Control"] = "no-store"
    return response
