"""Security headers on every response.

Personal links carry a token in their path, so no page may leak its address through a Referer header.
"""

from flask import Flask, request

from service.extensions import current_settings

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)


def init_app(app: Flask) -> None:
    app.after_request(_add_security_headers)


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
