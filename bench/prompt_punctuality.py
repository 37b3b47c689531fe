"""Are prompts posted on time, at rush hour, and never lost or doubled? The real worker and scheduler processes.

    bench/prompt_punctuality                         # N = 10, 100, 500 sessions starting at the same second
    bench/prompt_punctuality --sessions 100          # one size
    bench/prompt_punctuality --faults                # 20 % of Zoom's answers fail, and a worker is killed once
    bench/prompt_punctuality --database-url postgresql://postgres@127.0.0.1:5432/bench_prompts

For each N it:
1. builds a fresh database (SQLite in a temporary folder unless ``--database-url``) with N groups, each with a session
   whose Zoom meeting exists in the local Zoom sandbox (started here, on a free port);
2. sets the sandbox as the benchmark asks: 150 ms round trip (half on the way in, half on the way back) and Zoom's
   Medium limit at 60 requests/s, the service's own limit at 60/s too (``ZOOM_CHAT_RATE_PER_SECOND``);
3. makes the first ``--prompts`` chat prompts of every session fall due at the same instants (``--spacing`` apart,
   never less than the time the rate limit needs for N posts) a few seconds ahead, and puts them on the timetable
   as the web does;
4. runs the Procfile's processes: ``--workers`` prompt workers (``python -m worker --queues prompts,sweep``), one
   worker for the other queues, and two schedulers (a leader and a standby);
5. waits until every row is settled and prints, from the sandbox's own receipt times: lateness p50 / p99 / max
   (due time to the sandbox receiving the post), the posting rate, the worker processes' CPU-seconds per 1,000
   posts (their jobs included), lost and duplicated counts, and the rate-limit bound N/R beside the measured worst
   lateness of a rush.

``--kill-before-due``: one of the prompt workers (and its job process) is killed 0.1 s before the first instant,
when both jobs of that instant are already in the workers' hands, and not restarted: the survivor must post.

``--faults``: the sandbox fails 20 % of the chat posts (7 % a 503, 6 % a 504 after 1 s, 6 % an answer lost after the
message was kept, 1 % a 429 with Retry-After 1 s, which pauses every process), its tokens expire every 20 s, and one
prompt worker is killed with SIGKILL in the middle of the first rush (and restarted, as a process manager would).

It uses its own Redis database (``--redis-url``, default db 9), which it empties first and last. A JSON copy of the
figures goes to ``bench/results/`` (not kept in git).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LATENCY = 0.15
RATE = 60


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, action="append", help="N (repeatable; default 10, 100, 500)")
    parser.add_argument("--prompts", type=int, default=3, help="chat prompts per session in the run (default 3)")
    parser.add_argument("--spacing", type=float, default=3.0, help="seconds between two rushes, at least (default 3)")
    parser.add_argument("--workers", type=int, default=2, help="prompt worker processes (default 2)")
    parser.add_argument("--faults", action="store_true", help="20 %% Zoom faults and one worker killed")
    parser.add_argument("--kill-before-due", action="store_true",
                        help="kill one prompts worker and its job 0.1 s before the first instant (no restart)")
    parser.add_argument("--database-url", default="", help="default: a SQLite file in a temporary folder")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/9")
    parser.add_argument("--setting", action="append", default=[], metavar="NAME=VALUE",
                        help="a setting for every process of the run (repeatable), e.g. PROMPT_POST_THREADS=32")
    return parser.parse_args()


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def _spread(times: list[float], due: float) -> str:
    """When a rush's posts arrived: the first and the last after the due time, and the rate in between."""
    if len(times) < 2:
        return ""
    return (f"; first at +{times[0] - due:.2f} s, last at +{times[-1] - due:.2f} s, "
            f"{(len(times) - 1) / max(times[-1] - times[0], 1e-9):.0f} posts/s between")


def tail_breakdown(sandbox, session_ids: list[int]) -> dict:
    """What the tail is made of: lateness per instant (rush) and per number of attempts a row needed (a row
    taken over from a dead job counts one more), and the ten latest prompts with what happened to them."""
    from sqlalchemy import select

    from service.extensions import db
    from service.models import Prompt, PromptAudience

    received = {m["id"]: m["received_wall"] for m in sandbox.control("GET", "/chat")}
    rows = db.session.execute(select(Prompt.due_at, Prompt.attempts, Prompt.provider_message_id, Prompt.reason)
                              .where(Prompt.session_id.in_(session_ids), Prompt.audience == PromptAudience.EVERYONE,
                                     Prompt.reason.is_distinct_from("not_in_this_run"))).all()
    instants = sorted({row.due_at for row in rows})
    late = [(instants.index(row.due_at) + 1, row.attempts, received[row.provider_message_id] - row.due_at.timestamp(),
             row.reason) for row in rows if row.provider_message_id in received]

    def figures(values: list[float]) -> str:
        return (f"{len(values)} posts, p50 {percentile(values, 0.5):.2f} s, p99 {percentile(values, 0.99):.2f} s, "
                f"max {max(values):.2f} s") if values else "none"

    first_due = instants[0].timestamp() if instants else 0.0
    arrivals = sorted(received[row.provider_message_id] - first_due for row in rows
                      if row.provider_message_id in received)
    buckets = [0] * (int(arrivals[-1] / 0.5) + 1 if arrivals else 0)
    for at in arrivals:
        buckets[max(0, int(at / 0.5))] += 1
    # How much of the account's chat budget the run used: the calls that reached the sandbox between the first
    # instant and the last call, outside the pauses its 429s imposed (Retry-After 1 s from the answer).
    calls = sandbox.control("GET", "/calls")
    chat_calls = sorted((at, status) for at, name, status in calls
                        if name in ("send_chat_message", "list_chat_messages") and at >= first_due)
    paused, pause_end = 0.0, 0.0
    for at, status in chat_calls:
        if status == 429:
            start, end = at + LATENCY / 2, at + LATENCY / 2 + 1.0
            paused += end - max(start, pause_end) if end > pause_end else 0.0
            pause_end = max(pause_end, end)
    span = (chat_calls[-1][0] - first_due) if chat_calls else 0.0
    usable = max(span - paused, 1e-9)
    return {
        "account": (f"{len(chat_calls)} chat calls in the {span:.1f} s from the first instant to the last call, "
                    f"{paused:.1f} s of it paused by 429s: {len(chat_calls) / usable:.0f} calls/s the rest of the "
                    f"time (the limiter allows {RATE * 0.95:.0f})"),
        "timeline": " ".join(str(count) for count in buckets),
        "calls": [(round(at - first_due, 3), name, status) for at, name, status in calls if at >= first_due - 5],
        "by_instant": {f"rush {i}": figures([x for r, _, x, _ in late if r == i]) + _spread(
            sorted(received[row.provider_message_id] for row in rows
                   if row.due_at == due and row.provider_message_id in received), due.timestamp())
            for i, due in enumerate(instants, start=1)},
        "by_attempts": {f"{a} attempt(s)": figures([x for _, n, x, _ in late if n == a])
                        for a in sorted({n for _, n, _, _ in late})},
        "latest": [f"rush {r}, {n} attempt(s), {x:.2f} s{f', {reason}' if reason else ''}"
                   for r, n, x, reason in sorted(late, key=lambda item: -item[2])[:10]],
    }


def run(n: int, args: argparse.Namespace) -> dict:
    from dataclasses import replace

    from flask_migrate import upgrade
    from redis import Redis

    from config import load_settings
    from service.app import create_app
    from service.domain.audit import Actor
    from service.extensions import db
    from service.models import Coordinator, Organisation
    from tests.fixtures.worker_fleet import Fleet, claim_holders, fleet_environment, outcome, prepare_sessions, \
        unfinished, wait_until
    from tests.fixtures.zoom import start_sandbox, stop_sandbox

    instance = Path(tempfile.mkdtemp(prefix="bench-prompts-"))
    hosts = ",".join(f"host{i}@sandbox.entrepairs.test" for i in range(1, 11))
    sandbox = start_sandbox("--users", hosts)
    env_settings = {
        "APP_ENV": "test", "INSTANCE_PATH": str(instance),
        "DATABASE_URL": args.database_url or f"sqlite:///{instance / 'bench.sqlite3'}",
        "REDIS_URL": args.redis_url, "SECRET_KEY": "bench-secret-key-that-is-long-enough-0123456789",
        "ZOOM_API_URL": sandbox.api_url, "ZOOM_OAUTH_URL": sandbox.oauth_url, "ZOOM_HOSTS": hosts,
        "ZOOM_HOST_CONCURRENCY": str(n), "ZOOM_HOST_DAILY_LIMIT": "10000",
        "ZOOM_CHAT_RATE_PER_SECOND": str(RATE), "MAIL_OUTBOX_DIR": str(instance / "outbox"),
        **dict(item.split("=", 1) for item in args.setting),
    }
    settings = load_settings(env_settings)
    Redis.from_url(args.redis_url).flushdb()
    app = create_app(settings)
    log_dir = instance / "logs"
    log_dir.mkdir()
    fleet = Fleet(fleet_environment(env_settings), log_dir)
    try:
        with app.app_context():
            db.drop_all()
            with db.engine.begin() as conn:
                conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
            upgrade()
            # Setting up hundreds of meetings is not what is measured: no per-second limit until the run.
            sandbox.configure(daily_meeting_calls=100000, per_second={"light": 10000, "medium": 10000,
                                                                      "heavy": 10000})
            organisation = Organisation(name="Banc d'essai")
            coordinator = Coordinator(organisation=organisation, email=f"bench-{time.time_ns()}@exemple.ca",
                                      display_name="Banc")
            db.session.add_all([organisation, coordinator])
            db.session.commit()
            actor = Actor.coordinator(coordinator)
            print(f"  preparing {n} groups, sessions and Zoom meetings...", flush=True)
            spacing = max(args.spacing, 1.3 * n / RATE + 1)
            # The processes start first (a few seconds), then the rows are timed from then on.
            for index in range(args.workers):
                fleet.start_worker(f"prompts-{index + 1}", queues="prompts,sweep")
            fleet.start_scheduler("scheduler-a")
            fleet.start_scheduler("scheduler-b")
            from rq import Worker
            expected_workers = args.workers
            if not wait_until(lambda: len(Worker.all(connection=app.extensions["redis"])) >= expected_workers,
                              timeout=60, interval=0.2):
                raise RuntimeError("the workers did not start; see " + str(log_dir))
            time.sleep(1.0)  # and the schedulers are up too
            session_ids, first_due = prepare_sessions(actor, n, lead=4.0, spacing=spacing,
                                                      prompts_per_session=args.prompts)
            sandbox.configure(latency=LATENCY, per_second={"light": 30, "medium": RATE, "heavy": 10})
            fleet.start_worker("mail-worker", queues="zoom,mail,default")  # invitations go out meanwhile
            if args.faults:
                sandbox.configure(token_ttl=20)
                sandbox.revoke_tokens()
                # 20 % in all. A 429 says "the whole account waits" and pauses every process for its Retry-After:
                # at a few % of 60 calls a second the account would be paused nearly all the time (another
                # benchmark: Zoom refusing the account), so 429s are 1 % of calls here.
                for kind, share, extra in (("5xx", 0.07, {"status": 503}), ("timeout", 0.06, {"seconds": 1}),
                                           ("lost-answer", 0.06, {}), ("429", 0.01, {"retry_after": "1"})):
                    sandbox.inject(kind, count=10 ** 6, path="/chat/", method="POST", probability=share, **extra)
            workers = [name for name in fleet.processes if name.startswith("prompts-")]
            cpu_before = fleet.cpu_seconds(workers)
            killed = None
            if args.faults:
                wait_until(lambda: claim_holders(session_ids), timeout=60, interval=0.02)
                time.sleep(0.2)
                holders = claim_holders(session_ids)
                killed = fleet.worker_of(int(holders[0].split(":")[1])) if holders else None
                if killed:
                    cpu_before -= fleet.cpu_seconds([killed])  # its CPU so far is lost with it: not counted
                    fleet.kill(killed)
                    workers.remove(killed)
                    fleet.start_worker(f"{killed}-restarted", queues="prompts,sweep")
                    workers.append(f"{killed}-restarted")
            if args.kill_before_due:
                # Both jobs of the first instant are in the workers' hands (released 0.3 s ahead): one dies.
                time.sleep(max(0.0, first_due.timestamp() - 0.1 - time.time()))
                killed = workers[0]
                cpu_before -= fleet.cpu_seconds([killed])
                fleet.kill(killed)
                workers.remove(killed)
            settled = wait_until(lambda: unfinished(session_ids) == 0, timeout=300 + spacing * args.prompts,
                                 interval=0.5)
            cpu = fleet.cpu_seconds(workers) - cpu_before
            result = outcome(sandbox, session_ids)
            breakdown = tail_breakdown(sandbox, session_ids)
            stats = sandbox.stats()
    finally:
        fleet.stop()
        stop_sandbox(sandbox)
        Redis.from_url(args.redis_url).flushdb()

    late = result.lateness
    rush_bound = n / RATE
    # Each rush: the latest post of that instant (lateness of the last one) is what N/R bounds.
    worst = max(late) if late else float("nan")
    posts = result.posted
    return {
        "sessions": n, "prompts_per_session": args.prompts, "faults": args.faults,
        "kill_before_due": args.kill_before_due, "settled": settled,
        "expected": result.expected, "posted": posts, "lost": result.lost, "duplicated": result.duplicated,
        "statuses": dict(result.statuses), "retried": result.retried, "killed_worker": killed,
        "lateness_p50": percentile(late, 0.50), "lateness_p99": percentile(late, 0.99), "lateness_max": worst,
        "rate_bound_seconds": rush_bound, "saturated_target_seconds": 1.2 * rush_bound + 1,
        "posts_per_second_in_a_rush": (n / max(worst, 1e-9)) if n > RATE else None,
        "worker_cpu_seconds": cpu, "worker_cpu_seconds_per_1000_posts": 1000 * cpu / max(posts, 1),
        "posts_per_worker_cpu_second": posts / cpu if cpu else None,
        "sandbox_chat_calls": stats.get("chat_message", 0),
        "sandbox_requests": {"send": stats.get("call:send_chat_message", 0),
                             "list": stats.get("call:list_chat_messages", 0)}, "sandbox_429": stats.get("429_qps", 0),
        "sandbox_lost_answers": stats.get("lost_answer", 0), "breakdown": breakdown,
        "sandbox_faults": {key[len("fault_"):]: count for key, count in stats.items() if key.startswith("fault_")},
    }


def show(figures: dict) -> None:
    mode = "faults + a worker killed" if figures["faults"] else "no faults"
    if figures.get("kill_before_due"):
        mode += f", {figures['killed_worker']} killed 0.1 s before the first instant"
    print(f"\nN = {figures['sessions']} sessions x {figures['prompts_per_session']} prompts ({mode})")
    print(f"  posted {figures['posted']}/{figures['expected']}   lost {figures['lost']}   duplicated "
          f"{figures['duplicated']}   rows {figures['statuses']}   retried {figures['retried']}")
    print(f"  lateness p50 {figures['lateness_p50'] * 1000:.0f} ms   p99 {figures['lateness_p99'] * 1000:.0f} ms   "
          f"max {figures['lateness_max'] * 1000:.0f} ms")
    print(f"  rate-limit bound N/R = {figures['rate_bound_seconds']:.2f} s   target for a saturated rush "
          f"1.2 N/R + 1 = {figures['saturated_target_seconds']:.2f} s   measured max "
          f"{figures['lateness_max']:.2f} s")
    if figures["posts_per_second_in_a_rush"]:
        print(f"  posts per second in a rush: {figures['posts_per_second_in_a_rush']:.1f} (limit {RATE})")
    rate = figures["posts_per_worker_cpu_second"]
    print(f"  worker CPU {figures['worker_cpu_seconds']:.2f} s = {figures['worker_cpu_seconds_per_1000_posts']:.2f} "
          f"CPU-s per 1,000 posts ({rate:.0f} posts per CPU-second)" if rate else "  worker CPU: n/a")
    print(f"  sandbox: {figures['sandbox_requests']['send']} chat posts and {figures['sandbox_requests']['list']} "
          f"channel look-ups received, {figures['sandbox_chat_calls']} messages kept, {figures['sandbox_429']} answered 429, "
          f"{figures['sandbox_lost_answers']} answers lost on purpose; faults injected {figures['sandbox_faults']}")
    print("  what the tail is made of:")
    for part in ("by_instant", "by_attempts"):
        for label, line in figures["breakdown"][part].items():
            print(f"    {label}: {line}")
    print("    latest: " + "; ".join(figures["breakdown"]["latest"]))
    print("    posts received per half second from the first instant on: " + figures["breakdown"]["timeline"])
    print("    account: " + figures["breakdown"]["account"])


def main() -> None:
    args = parse_args()
    sizes = args.sessions or [10, 100, 500]
    results = []
    for n in sizes:
        figures = run(n, args)
        show(figures)
        results.append(figures)
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    path = out / f"prompt_punctuality-{'faults-' if args.faults else ''}{stamp}.json"
    path.write_text(json.dumps(results, indent=2, default=str))
    print(f"\nfigures saved to {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
