"""``python -m integrations.zoom.sandbox``: serve the Zoom sandbox (threaded: many workers call it at once).

It prints ``Zoom sandbox listening on http://HOST:PORT`` once it accepts connections (``--port 0`` picks a free
port, which is how tests start it). Credentials default to the ``SANDBOX_*`` constants of ``config.settings``,
which the service uses in ``ZOOM_MODE=sandbox``.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys

from werkzeug.serving import WSGIRequestHandler, make_server

from config.settings import (
    SANDBOX_ACCOUNT_ID,
    SANDBOX_CLIENT_ID,
    SANDBOX_CLIENT_SECRET,
    SANDBOX_HOSTS,
    SANDBOX_PORT,
    SANDBOX_WEBHOOK_SECRET,
)
from integrations.zoom.sandbox import SandboxConfig, create_sandbox_app


class KeepAliveHandler(WSGIRequestHandler):
    """HTTP/1.1 keep-alive, as Zoom offers: clients reuse their connections."""

    protocol_version = "HTTP/1.1"
    verbose = False

    def log_request(self, code="-", size="-"):
        if self.verbose:
            super().log_request(code, size)


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
    KeepAliveHandler.verbose = args.verbose
    server = make_server(args.host, args.port, create_sandbox_app(config), threaded=True,
                         request_handler=KeepAliveHandler)
    server.daemon_threads = True
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(f"Zoom sandbox listening on http://{args.host}:{server.server_port}", flush=True)
    try:
        server.serve_forever()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
