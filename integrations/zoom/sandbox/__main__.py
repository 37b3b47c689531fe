"""``python -m integrations.zoom.sandbox``: serve the Zoom sandbox (one process, many threads: many workers call
it at once, over kept-alive connections).

It prints ``Zoom sandbox listening on http://HOST:PORT`` once it accepts connections (``--port 0`` picks a free
port, which is how tests start it). Credentials default to the ``SANDBOX_*`` constants of ``config.settings``,
which the service uses in ``ZOOM_MODE=sandbox``.
"""

from __future__ import annotations

import argparse
import logging

from gunicorn.app.base import BaseApplication

from config.settings import (
    SANDBOX_ACCOUNT_ID,
    SANDBOX_CLIENT_ID,
    SANDBOX_CLIENT_SECRET,
    SANDBOX_HOSTS,
    SANDBOX_PORT,
    SANDBOX_WEBHOOK_SECRET,
)
from integrations.zoom.sandbox import SandboxConfig, create_sandbox_app

# One process (the state is in memory), many threads; connections kept alive as Zoom keeps them.
THREADS = 128
KEEPALIVE_SECONDS = 300


class SandboxServer(BaseApplication):
    """gunicorn with one ``gthread`` worker: threaded, HTTP/1.1 keep-alive (werkzeug's server closes every
    connection, which would hide the cost of connection reuse from every measurement)."""

    def __init__(self, app, options: dict):
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        return self.application


def _announce(worker) -> None:
    host, port = worker.sockets[0].sock.getsockname()[:2]
    print(f"Zoom sandbox listening on http://{host}:{port}", flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m integrations.zoom.sandbox", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=SANDBOX_PORT, help="0 picks a free port")
    parser.add_argument("--webhook-url", default="", help="where to send signed meeting notices")
    parser.add_argument("--webhook-secret", default=SANDBOX_WEBHOOK_SECRET)
    parser.add_argument("--account-id", default=SANDBOX_ACCOUNT_ID)
    parser.add_argument("--client-id", default=SANDBOX_CLIENT_ID)
    parser.add_argument("--client-secret", default=SANDBOX_CLIENT_SECRET)
    parser.add_argument("--users", default=SANDBOX_HOSTS, help="host users (comma-separated e-mails)")
    parser.add_argument("--token-ttl", type=int, default=3600, help="seconds an access token lives")
    parser.add_argument("--verbose", action="store_true", help="log every request")
    args = parser.parse_args(argv)

    logging.basicConfig(level=logging.INFO, format="%(asctime)s sandbox %(levelname)s %(message)s")
    config = SandboxConfig(
        account_id=args.account_id, client_id=args.client_id, client_secret=args.client_secret,
        webhook_secret=args.webhook_secret, webhook_url=args.webhook_url,
        users=tuple(u.strip() for u in args.users.split(",") if u.strip()), token_ttl=args.token_ttl,
    )
    options = {
        "bind": f"{args.host}:{args.port}",
        "workers": 1,
        "worker_class": "gthread",
        "threads": THREADS,
        "keepalive": KEEPALIVE_SECONDS,
        "timeout": 0,  # an injected "timeout" fault holds a thread, never the worker
        "graceful_timeout": 2,
        "loglevel": "info" if args.verbose else "warning",
        "accesslog": "-" if args.verbose else None,
        "post_worker_init": _announce,
    }
    SandboxServer(create_sandbox_app(config), options).run()


if __name__ == "__main__":
    main()
