"""How fast a scheduling request answers with 20 coordinators at once, while Zoom takes 500 ms per call.

    bench/scheduling_latency [--coordinators 20] [--requests 25] [--database-url URL] [--redis-url URL]

It runs the real application under gunicorn (``config/gunicorn.conf.py``, as the Procfile does) on a fresh
database, points ZOOM_API_URL / ZOOM_OAUTH_URL at a stand-in that answers every call after 500 ms and counts them,
creates one coordinator (with an API token) and one group per simulated coordinator, warms every web process up
(five requests per coordinator, not measured), then has them all start posting scheduling requests at the same
moment — single sessions and, every fifth request, a 10-week series — each pausing about ``--think-seconds``
(default 1 s) between two requests, as a person reading the answer would. It prints p50 / p95 / max latency
(all requests, then singles and series apart) and how many calls reached "Zoom" during the run: 0, because the
web only writes rows and enqueues work (no worker runs here, so the queued jobs simply wait).

Everything stays on 127.0.0.1; the run is bounded (coordinators x requests) and stops by itself.
"""

from __future__ import annotations

import argparse
import os
import random
import runpy
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fixtures.procfs import cpu_seconds, descendants  # noqa: E402  (after the path above)

ZOOM_DELAY_SECONDS = 0.5
GUNICORN_CONFIG = ROOT / "config" / "gunicorn.conf.py"


class SlowZoom(BaseHTTPRequestHandler):
    """Answers anything after 500 ms; counts the calls (the web must make none)."""

    calls = 0

    def _answer(self):
        type(self).calls += 1
        time.sleep(ZOOM_DELAY_SECONDS)
        body = b'{"access_token": "slow", "expires_in": 3600, "id": 1}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PATCH = do_DELETE = _answer

    def log_message(self, *args):
        pass


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def prepare_database(url: str) -> None:
    """An empty database for the run (PostgreSQL: dropped and created again)."""
    if url.startswith("postgresql"):
        import psycopg

        base, name = url.rsplit("/", 1)
        with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{name}"')


def seed(environment: dict[str, str], coordinators: int) -> list[tuple[str, int]]:
    """Migrate, then one coordinator (token) and one group of six per simulated person."""
    os.environ.update(environment)
    from flask_migrate import upgrade

    from service.app import create_app
    from service.domain.audit import Actor
    from service.domain.coordinators import create_coordinator
    from service.domain.groups import GroupDraft, create_group
    from service.domain.rules import MemberDraft
    from service.extensions import current_settings, db

    app = create_app()
    seeded = []
    with app.app_context():
        upgrade()
        for number in range(coordinators):
            issued = create_coordinator(current_settings(), f"coordination{number}@bench.example",
                                        f"Coordination {number}", "Banc d’essai")
            members = [MemberDraft(f"Personne {i}", f"p{number}-{i}@bench.example", "fr", None, i == 0)
                       for i in range(6)]
            group = create_group(GroupDraft(f"Groupe {number}", "fr", "America/Toronto", members),
                                 Actor.coordinator(issued.coordinator))
            seeded.append((issued.token, group.id))
        db.session.remove()
    app.extensions["redis"].flushdb()
    return seeded


def wait_until_up(base_url: str, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("gunicorn stopped before answering")
        try:
            if requests.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                return
        except requests.RequestException:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not answer in time")


def one_coordinator(base_url: str, token: str, group_id: int, count: int, offset: int,
                    think: float = 0.0) -> list[tuple[float, int, str]]:
    """Post ``count`` scheduling requests as one coordinator would: submit, read the answer, think, again.

    ``think`` is the mean pause between two requests (uniform between half and one and a half times it);
    0 makes every coordinator fire back to back, a saturation test rather than people at work.
    """
    pace = random.Random(offset)
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    results = []
    first_day = date.today() + timedelta(days=7)
    for index in range(count):
        day = first_day + timedelta(days=offset + index * 3)
        if index % 5 == 4:
            url = f"{base_url}/api/v1/groups/{group_id}/series"
            body = {"first_date": (day + timedelta(days=400)).isoformat(), "local_time": "19:00",
                    "occurrence_count": 10}
        else:
            url = f"{base_url}/api/v1/groups/{group_id}/sessions"
            body = {"kind": "regular", "starts_at": f"{day.isoformat()}T19:30:00", "duration_minutes": 30}
        started = time.perf_counter()
        response = session.post(url, json=body, timeout=30)
        results.append((time.perf_counter() - started, response.status_code, "series" if index % 5 == 4 else "single"))
        if think:
            time.sleep(pace.uniform(0.5 * think, 1.5 * think))
    return results


def server_cpu_seconds(master_pid: int) -> float:
    """User + system CPU time of gunicorn's master and workers so far (Linux /proc)."""
    return cpu_seconds([master_pid, *descendants(master_pid)])


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(share * len(ordered))) - 1))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--coordinators", type=int, default=20)
    parser.add_argument("--requests", type=int, default=25, help="scheduling requests per coordinator")
    parser.add_argument("--think-seconds", type=float, default=1.0,
                        help="mean pause between one coordinator's requests (0: back to back, saturation)")
    parser.add_argument("--database-url", default=os.environ.get(
        "BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/bench_scheduling"))
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/11"))
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: config/gunicorn.conf.py)")
    parser.add_argument("--threads", type=int, help="threads per worker (default: config/gunicorn.conf.py)")
    args = parser.parse_args()

    procfile_settings = runpy.run_path(str(GUNICORN_CONFIG))
    args.workers = args.workers or procfile_settings["workers"]
    args.threads = args.threads or procfile_settings["threads"]

    zoom = ThreadingHTTPServer(("127.0.0.1", 0), SlowZoom)
    threading.Thread(target=zoom.serve_forever, daemon=True).start()
    zoom_url = f"http://127.0.0.1:{zoom.server_port}"

    instance = tempfile.mkdtemp(prefix="bench-scheduling-")
    environment = {
        "APP_ENV": "development", "INSTANCE_PATH": instance, "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis_url, "SECRET_KEY": secrets.token_urlsafe(40),
        "ZOOM_API_URL": f"{zoom_url}/v2", "ZOOM_OAUTH_URL": f"{zoom_url}/oauth/token",
    }
    prepare_database(args.database_url)
    seeded = seed(environment, args.coordinators)

    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    # The server's log goes to a file: a pipe nobody reads would fill up and stall gunicorn mid-run.
    server_log = Path(instance) / "gunicorn.log"
    gunicorn = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "-c", str(GUNICORN_CONFIG), "--bind", f"127.0.0.1:{port}",
         "--workers", str(args.workers), "--threads", str(args.threads), "service.app:create_app()"],
        cwd=ROOT, env={**os.environ, **environment}, stdout=subprocess.DEVNULL, stderr=server_log.open("wb"),
    )
    try:
        wait_until_up(base_url, gunicorn)
        # Warm-up, not measured: every coordinator sends five requests (a series among them) at once, so that each
        # gunicorn process has imported, compiled and connected what a scheduling request needs — a server in
        # service is warm; the first requests of a process just started are not what the target is about.
        with ThreadPoolExecutor(max_workers=len(seeded)) as pool:
            list(pool.map(lambda item: one_coordinator(base_url, item[1][0], item[1][1], 5, 2000 + 20 * item[0]),
                          enumerate(seeded)))
        zoom_calls_before = SlowZoom.calls
        cpu_before = server_cpu_seconds(gunicorn.pid)
        load_before = os.getloadavg()[0]
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=len(seeded)) as pool:
            futures = [pool.submit(one_coordinator, base_url, token, group_id, args.requests, number,
                                   args.think_seconds)
                       for number, (token, group_id) in enumerate(seeded)]
            results = [result for future in futures for result in future.result()]
        elapsed = time.perf_counter() - started
        server_cpu = server_cpu_seconds(gunicorn.pid) - cpu_before
    finally:
        gunicorn.send_signal(signal.SIGTERM)
        try:
            gunicorn.wait(timeout=30)
        except subprocess.TimeoutExpired:
            gunicorn.kill()
            gunicorn.wait()
        zoom.shutdown()

    latencies = [seconds * 1000 for seconds, _status, _kind in results]
    failures = [status for _seconds, status, _kind in results if status != 201]
    print(f"scheduling requests: {len(results)} from {len(seeded)} concurrent coordinators "
          f"(think time {args.think_seconds:g} s) in {elapsed:.1f} s "
          f"({len(results) / elapsed:.0f} req/s); gunicorn {args.workers} workers x {args.threads} threads; "
          f"database {args.database_url.split('://')[0]}")
    print(f"latency ms: p50 {statistics.median(latencies):.1f}  p95 {percentile(latencies, 0.95):.1f}  "
          f"max {max(latencies):.1f}")
    for kind in ("single", "series"):
        of_kind = [seconds * 1000 for seconds, _status, k in results if k == kind]
        print(f"  {kind:6} ({len(of_kind)}): p50 {statistics.median(of_kind):.1f}  "
              f"p95 {percentile(of_kind, 0.95):.1f}  max {max(of_kind):.1f}")
    print(f"server CPU per request: {server_cpu / len(results) * 1000:.1f} ms; machine load average before the run: "
          f"{load_before:.2f} on {os.cpu_count()} cores (other processes share them)")
    print(f"answers other than 201: {len(failures)}")
    print(f"calls that reached Zoom (slowed to {ZOOM_DELAY_SECONDS * 1000:.0f} ms) during the run: "
          f"{SlowZoom.calls - zoom_calls_before}")
    return 1 if failures or SlowZoom.calls != zoom_calls_before else 0


if __name__ == "__main__":
    raise SystemExit(main())
