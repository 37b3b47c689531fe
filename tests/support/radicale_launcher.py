"""Run Radicale's WSGI application on 127.0.0.1 and an ephemeral port (``python radicale_launcher.py CONFIG``).

Radicale's own server refuses port 0 in its configuration, so its application is served here by the
standard library's WSGI server; the port the OS chose is printed as ``PORT <n>`` on the first line.
"""

import sys
from wsgiref.simple_server import WSGIRequestHandler, make_server

from radicale import Application, config


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 (the standard library's name)
        sys.stderr.write("%s\n" % (format % args))


def main(config_path: str) -> None:
    configuration = config.load(config.parse_compound_paths(config.DEFAULT_CONFIG_PATH, config_path))
    server = make_server("127.0.0.1", 0, Application(configuration), handler_class=_QuietHandler)
    print(f"PORT {server.server_port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main(sys.argv[1])
