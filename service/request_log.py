"""One log line per request, naming the route rather than the path.

Personal links carry their credential in the path (``/m/<token>``, ``/p/<token>``): a path in a log would
hand the link to whoever reads the log. So the web server's own access log is off (see ``Procfile``) and this
line records the route pattern, the status and the time taken — never the path, the query or an address.
"""

from __future__ import annotations

import logging
import time

from flask import Flask, g, request

log = logging.getLogger("entre_pairs.requests")


def init_app(app: Flask) -> None:
    app.before_request(_start_clock)
    app.after_request(_log_request)


def _start_clock() -> None:
    g.request_started = time.perf_counter()


def _log_request(response):
    started = getattr(g, "request_started", None)
    elapsed_ms = (time.perf_counter() - started) * 1000 if started is not None else 0.0
    route = request.url_rule.rule if request.url_rule is not None else "(no route)"
    log.info("%s %s %s %.1fms", request.method, route, response.status_code, elapsed_ms)
    return response
