"""A thousand moderator consoles polling the real app under gunicorn: is it cheap?

    .venv/bin/python bench/console_polling.py                  # 1,000 consoles, 60 s, SQLite, 2 workers
    .venv/bin/python bench/console_polling.py --consoles 2000 --duration 120 --workers 3
    .venv/bin/python bench/console_polling.py --database-url postgresql://postgres@127.0.0.1:5432/bench_console

What it does:
1. builds a database (SQLite in a temporary folder unless ``--database-url``) with one group and one running session
   per console, through the real domain services, and signs each session's console link;
2. starts gunicorn as ``Procfile`` does (``service.app:create_app()``, gthread workers) on a free local port;
3. runs ``--consoles`` simulated consoles in one asyncio process: each polls ``/m/<token>/revision`` every
   ``--poll`` seconds (spread at random, as the page's script does) with ``If-None-Match``, and fetches
   ``/m/<token>/state`` only when the answer is not 304;
4. meanwhile a "moderator" presses "+2 minutes" through the real form (CSRF and all) ``--changes`` times a second on
   random sessions, so some polls do find a change;
5. prints requests/s, p50/p95/p99 latency of the polls, the share answered 304, and the web processes' CPU and
   memory over the measured window; then, in process, what one poll costs on the server when Redis answers versus
   when the database must (the design choice being measured).

It uses its own Redis database (``--redis-url``, default db 13), which it empties first and last. A JSON copy of
the figures goes to ``bench/results/`` (not kept in git).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fixtures.procfs import cpu_seconds, descendants  # noqa: E402  (after the path above)

PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--consoles", type=int, default=1000, help="simulated open consoles (default 1000)")
    parser.add_argument("--duration", type=float, default=60.0, help="measured seconds, after one poll of warm-up")
    parser.add_argument("--poll", type=float, default=None, help="seconds between polls (default: CONSOLE_POLL_SECONDS)")
    parser.add_argument("--changes", type=float, default=1.0, help='"+2 minutes" presses per second (default 1)')
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", 2)))
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--database-url", default="", help="default: a SQLite file in a temporary folder")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/13")
    return parser.parse_args()


# ---------------------------------------------------------------- setting up the data


def environment(args: argparse.Namespace, instance: Path) -> dict[str, str]:
    return {
        **os.environ,
        "APP_ENV": "development",
        "INSTANCE_PATH": str(instance),
        "DATABASE_URL": args.database_url or f"sqlite:///{instance / 'bench.sqlite3'}",
        "REDIS_URL": args.redis_url,
        "SECRET_KEY": "bench-console-polling-secret-key-0123456789",
        "BASE_URL": "http://127.0.0.1",
    }


def build_sessions(env: dict[str, str], count: int) -> tuple[list[str], float]:
    """One group and one running session per console; returns their console link tokens and the poll interval."""
    from flask_migrate import upgrade

    from config import load_settings
    from service import links
    from service.app import create_app
    from service.domain import live, scheduling
    from service.domain.audit import Actor
    from service.domain.clock import now_utc
    from service.domain.groups import GroupDraft, create_group
    from service.domain.rules import MemberDraft
    from service.extensions import db
    from service.models import ActorKind, Coordinator, Organisation
    from service.protocol import SessionKind

    settings = load_settings(env)
    app = create_app(settings)
    tokens = []
    with app.app_context():
        upgrade()
        app.extensions["redis"].flushdb()
        organisation = Organisation(name="Banc d’essai")
        coordinator = Coordinator(organisation=organisation, email=f"bench-{time.time_ns()}@exemple.ca")
        db.session.add_all([organisation, coordinator])
        db.session.commit()
        actor = Actor.coordinator(coordinator)
        starts = datetime.combine((now_utc() + timedelta(days=2)).date(), datetime.min.time()).replace(hour=20)
        for index in range(count):
            members = [
                MemberDraft(f"Personne{i} Groupe{index}", f"p{i}.g{index}@exemple.ca", "fr", f"chef{i}.g{index}@exemple.ca",
                            i == 0)
                for i in range(5)
            ]
            group = create_group(GroupDraft(f"Groupe {index}", "fr", "America/Toronto", members), actor)
            session = scheduling.schedule_session(group, SessionKind.REGULAR, starts, 30, actor)
            moderator = Actor(ActorKind.MODERATOR, session.moderator_id, organisation.id)
            live.started(session, now_utc() - timedelta(minutes=random.uniform(0, 20)), moderator)
            tokens.append(links.console_token(settings, session.moderator, session))
            if index % 200 == 199:
                print(f"  {index + 1} sessions ready", flush=True)
        db.session.remove()
        db.engine.dispose()
    app.extensions["redis"].close()
    return tokens, settings.CONSOLE_POLL_SECONDS


# ---------------------------------------------------------------- the web processes


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(env: dict[str, str], port: int, workers: int, threads: int) -> subprocess.Popen:
    command = [str(ROOT / ".venv/bin/gunicorn"), "-c", str(ROOT / "config" / "gunicorn.conf.py"),
               "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--threads", str(threads),
               "service.app:create_app()"]
    # The server's log goes to a file: a pipe nobody reads would fill up and stall gunicorn mid-run.
    server_log = tempfile.NamedTemporaryFile(prefix="bench-console-gunicorn-", suffix=".log", delete=False)
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=server_log,
                               start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as connection:
                connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n")
                if connection.recv(64).startswith(b"HTTP/1.1 200"):
                    return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("gunicorn did not start: " + Path(server_log.name).read_text(errors="replace")[-2000:])


def process_tree(root_pid: int) -> list[int]:
    return [root_pid, *descendants(root_pid)]


def resident_megabytes(pids: list[int]) -> list[float]:
    sizes = []
    for pid in pids:
        try:
            sizes.append(int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_SIZE / 2**20)
        except OSError:
            pass
    return sizes


# ---------------------------------------------------------------- the simulated consoles


@dataclass
class Tally:
    measuring: bool = False
    poll_latencies: list[float] = field(default_factory=list)
    timeline: list[tuple[float, float]] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    state_fetches: int = 0
    errors: int = 0


async def http_get(port: int, path: str, etag: str | None) -> tuple[int, dict[str, str], bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\nConnection: close\r\n"
        if etag:
            request += f"If-None-Match: {etag}\r\n"
        writer.write((request + "\r\n").encode())
        await writer.drain()
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", 0))
        body = await reader.readexactly(length) if length else b""
        return status, headers, body
    finally:
        writer.close()


async def console(port: int, token: str, poll: float, tally: Tally, stop: float) -> None:
    etag = None
    revision = None
    await asyncio.sleep(random.uniform(0, poll))
    while time.monotonic() < stop:
        started = time.perf_counter()
        try:
            status, headers, body = await http_get(port, f"/m/{token}/revision", etag)
            elapsed = time.perf_counter() - started
            if tally.measuring:
                tally.poll_latencies.append(elapsed)
                tally.timeline.append((time.monotonic(), elapsed))
                tally.statuses[status] = tally.statuses.get(status, 0) + 1
            if status == 200:
                answer = json.loads(body)
                if revision is not None and answer["revision"] != revision:
                    await http_get(port, f"/m/{token}/state", None)
                    if tally.measuring:
                        tally.state_fetches += 1
                revision, etag = answer["revision"], headers.get("etag")
            elif status != 304 and tally.measuring:
                tally.errors += 1
        except (OSError, asyncio.IncompleteReadError, ValueError):
            if tally.measuring:
                tally.errors += 1
        await asyncio.sleep(poll * random.uniform(0.8, 1.2))


def press_extra_time(base: str, tokens: list[str], per_second: float, stop: threading.Event, done: list[int]) -> None:
    """A moderator pressing "+2 minutes" through the real page and form."""
    import requests

    while per_second > 0 and not stop.wait(1 / per_second):
        token = random.choice(tokens)
        with requests.Session() as browser:
            page = browser.get(f"{base}/m/{token}", timeout=10).text
            fields = dict(re.findall(r'name="(csrf_token|plan_version)"[^>]*value="([^"]*)"', page))
            answer = browser.post(f"{base}/m/{token}/extra-time", data=fields, timeout=10,
                                  headers={"Accept": "application/json"})
            if answer.ok:
                done[0] += 1


async def run_consoles(port: int, tokens: list[str], poll: float, duration: float, tally: Tally,
                       on_measure_start, on_measure_end) -> None:
    stop = time.monotonic() + poll * 1.2 + duration
    tasks = [asyncio.create_task(console(port, token, poll, tally, stop)) for token in tokens]
    await asyncio.sleep(poll * 1.2)  # every console has polled once: its page is "open"
    on_measure_start()
    tally.measuring = True
    await asyncio.sleep(duration)
    tally.measuring = False
    on_measure_end()
    await asyncio.gather(*tasks)


# ---------------------------------------------------------------- one poll, server side


def server_cost(env: dict[str, str], tokens: list[str], rounds: int = 2000) -> dict[str, float]:
    """Microseconds for one poll handled by Flask with Redis answering, and for the database path alone."""
    from config import load_settings
    from service import links
    from service.app import create_app
    from service.domain.clock import now_utc
    from service.moderator import polling

    settings = load_settings(env)
    app = create_app(settings)
    client = app.test_client()
    sample = tokens[: min(len(tokens), 200)]
    results = {}
    with app.app_context():
        for token in sample:
            client.get(f"/m/{token}/revision")  # warm the cache
        started = time.perf_counter()
        for index in range(rounds):
            client.get(f"/m/{sample[index % len(sample)]}/revision", headers={"If-None-Match": "x"})
        results["flask_request_redis_hit_us"] = (time.perf_counter() - started) / rounds * 1e6
        claims = [links.console_claims(settings, token) for token in sample]
        now = now_utc()
        redis = app.extensions["redis"]
        from service.revisions import grant_key, revision_key

        started = time.perf_counter()
        for index in range(rounds):
            claim = claims[index % len(claims)]
            redis.mget(revision_key(claim.session_id), grant_key(claim.session_id))
        results["redis_lookup_us"] = (time.perf_counter() - started) / rounds * 1e6
        started = time.perf_counter()
        for index in range(rounds):
            claim = claims[index % len(claims)]
            polling.from_database(settings, claim.session_id, claim.member_id, claim.nonce, now)
        results["database_lookup_us"] = (time.perf_counter() - started) / rounds * 1e6
    app.extensions["redis"].close()
    return results


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def main() -> None:
    args = parse_args()
    instance = Path(tempfile.mkdtemp(prefix="bench-console-"))
    env = environment(args, instance)
    print(f"Preparing {args.consoles} running sessions in {env['DATABASE_URL'].split('://')[0]}…", flush=True)
    tokens, configured_poll = build_sessions(env, args.consoles)
    poll = args.poll or configured_poll
    port = free_port()
    server = start_gunicorn(env, port, args.workers, args.threads)
    pids = process_tree(server.pid)
    print(f"gunicorn: {args.workers} workers × {args.threads} threads on port {port} (pids {pids})", flush=True)

    tally = Tally()
    marks: dict[str, float] = {}
    stop_pressing = threading.Event()
    presses = [0]

    def measure_start() -> None:
        marks["cpu"], marks["wall"] = cpu_seconds(pids), time.monotonic()
        marks["self_cpu"] = time.process_time()
        marks["load_start"] = os.getloadavg()[0]
        threading.Thread(target=press_extra_time, args=(f"http://127.0.0.1:{port}", tokens, args.changes,
                                                         stop_pressing, presses), daemon=True).start()

    def measure_end() -> None:
        stop_pressing.set()
        marks["wall"] = time.monotonic() - marks["wall"]
        marks["cpu"] = cpu_seconds(pids) - marks["cpu"]
        marks["self_cpu"] = time.process_time() - marks["self_cpu"]
        marks["memory"] = resident_megabytes(pids)
        marks["load_end"] = os.getloadavg()[0]

    print(f"{args.consoles} consoles polling every {poll:g} s; measuring {args.duration:g} s…", flush=True)
    try:
        asyncio.run(run_consoles(port, tokens, poll, args.duration, tally, measure_start, measure_end))
        wall, cpu, generator_cpu, memory = marks["wall"], marks["cpu"], marks["self_cpu"], marks["memory"]
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)

    polls = len(tally.poll_latencies)
    not_modified = tally.statuses.get(304, 0)
    figures = {
        "consoles": args.consoles,
        "poll_seconds": poll,
        "measured_seconds": round(wall, 1),
        "gunicorn": f"{args.workers} workers x {args.threads} threads",
        "database": env["DATABASE_URL"].split("://")[0],
        "polls": polls,
        "polls_per_second": round(polls / wall, 1),
        "requests_per_second": round((polls + tally.state_fetches) / wall, 1),
        "share_304": round(not_modified / polls, 4) if polls else 0,
        "state_fetches": tally.state_fetches,
        "extra_time_presses": presses[0],
        "errors": tally.errors,
        "latency_ms": {name: round(percentile(tally.poll_latencies, share) * 1000, 2)
                       for name, share in (("p50", 0.50), ("p95", 0.95), ("p99", 0.99))},
        "latency_mean_ms": round(statistics.fmean(tally.poll_latencies) * 1000, 2) if polls else None,
        "web_cpu_percent_of_one_core": round(cpu / wall * 100, 1),
        "web_rss_mb": {"total": round(sum(memory), 1), "per_process": [round(size, 1) for size in memory]},
        "load_generator_cpu_percent": round(generator_cpu / wall * 100, 1),
        "cpus": os.cpu_count(),
        # Other work on the machine (e.g. test suites) widens the latency tail: judge the figures with it.
        "machine_load_average_1min": {"start": marks["load_start"], "end": marks["load_end"]},
    }
    print(json.dumps(figures, indent=2, ensure_ascii=False), flush=True)
    print("One poll's cost on the server, in process (microseconds):", flush=True)
    figures["server_cost"] = {name: round(value, 1) for name, value in server_cost(env, tokens).items()}
    print(json.dumps(figures["server_cost"], indent=2), flush=True)
    results = ROOT / "bench/results"
    results.mkdir(parents=True, exist_ok=True)
    (results / f"console_polling-{time.strftime('%Y%m%dT%H%M%S')}.json").write_text(json.dumps(figures, indent=2))
    from redis import Redis

    Redis.from_url(args.redis_url).flushdb()


if __name__ == "__main__":
    main()
