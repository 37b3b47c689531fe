"""How fast invitations render and leave, and what memory it takes.

    .venv/bin/python bench/invite_delivery.py                    # 20 groups of 8, 52-week series, SQLite
    .venv/bin/python bench/invite_delivery.py --groups 50 --occurrences 60
    .venv/bin/python bench/invite_delivery.py --database-url postgresql://postgres@127.0.0.1:5432/bench_invites

What it does:
1. builds a database (SQLite in a temporary folder unless ``--database-url``) with ``--groups`` groups of 8 members,
   each with a weekly series of ``--occurrences`` sessions across daylight-saving changes, through the real
   domain services, and marks their Zoom meetings ready;
2. starts a real SMTP server (aiosmtpd, in its own process so that it does not share this one's time) on
   127.0.0.1 and a free port, keeping nothing (``aiosmtpd.handlers.Sink``);
3. sends every invitation row with ``service.domain.delivery.deliver`` (claim, render from the database, iMIP
   message, SMTP, record) in one process, timing each;
4. prints messages/s, p50/p95/max per message, the share of time spent rendering (and the size of the messages,
   rendered again), and the peak Python memory (tracemalloc) and process RSS.

It uses its own Redis database (``--redis-url``, default db 12), emptied first and last.
"""

from __future__ import annotations

import argparse
import resource
import socket
import subprocess
import statistics
import sys
import tempfile
import time
import tracemalloc
from dataclasses import replace
from datetime import date, timedelta
from datetime import time as clock
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--groups", type=int, default=20)
    parser.add_argument("--occurrences", type=int, default=52)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/12")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    from sqlalchemy import select

    from config import load_settings
    from service.app import create_app
    from service.domain import delivery, scheduling
    from service.domain.audit import Actor
    from service.extensions import db
    from service.models import Coordinator, Invite, MeetingStatus, Organisation
    from tests.factories import make_group

    folder = Path(tempfile.mkdtemp(prefix="bench-invites-"))
    settings = load_settings({
        "APP_ENV": "test", "INSTANCE_PATH": str(folder), "DATABASE_URL": args.database_url
        or f"sqlite:///{folder / 'bench.sqlite3'}", "REDIS_URL": args.redis_url,
        "SECRET_KEY": "bench-secret-key-long-enough-0123456789", "MAIL_FROM": "Entre pairs <ep@exemple.ca>",
    })
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    smtp = subprocess.Popen([sys.executable, "-m", "aiosmtpd", "-n", "-c", "aiosmtpd.handlers.Sink",
                             "-l", f"127.0.0.1:{port}"])
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        app = create_app(replace(settings, SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_STARTTLS=False))
        app.extensions["redis"].flushdb()
        with app.app_context():
            from flask_migrate import upgrade

            if args.database_url:
                db.drop_all()
                db.session.execute(db.text("DROP TABLE IF EXISTS alembic_version"))
                db.session.commit()
            upgrade()
            organisation = Organisation(name="Bench")
            coordinator = Coordinator(organisation=organisation, email="bench@exemple.ca")
            db.session.add_all([organisation, coordinator])
            db.session.commit()
            actor = Actor.coordinator(coordinator)
            first = date.today() + timedelta(days=30)
            for index in range(args.groups):
                group = make_group(actor, members=8, trained=2, name=f"Groupe {index}")
                series = scheduling.schedule_series(group, scheduling.SeriesPlan(
                    first + timedelta(days=index % 7), clock(18, 30), occurrence_count=args.occurrences), actor)
                meeting = series.zoom_meeting
                meeting.status, meeting.join_url, meeting.passcode = (
                    MeetingStatus.READY, f"https://zoom.exemple/j/{9000 + index}?pwd=x", "123456")
            db.session.commit()
            ids = list(db.session.execute(select(Invite.id).order_by(Invite.id)).scalars())

            tracemalloc.start()
            timings = []
            started = time.perf_counter()
            for invite_id in ids:
                t0 = time.perf_counter()
                outcome = delivery.deliver(invite_id)
                timings.append(time.perf_counter() - t0)
                assert outcome is delivery.Outcome.SENT, outcome
            elapsed = time.perf_counter() - started
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()

            # The rendering alone, for the same rows (no claim, no SMTP, no writes).
            from service.domain.delivery import _compose_message
            from service.domain.clock import now_utc

            render_started = time.perf_counter()
            sizes = []
            for invite_id in ids:
                message, _ = _compose_message(db.session.get(Invite, invite_id), app.extensions["settings"], now_utc())
                sizes.append(len(message.as_bytes()))
            render_elapsed = time.perf_counter() - render_started
            db.session.remove()
        app.extensions["redis"].flushdb()
    finally:
        smtp.terminate()
        smtp.wait(timeout=10)

    ordered = sorted(timings)
    print(f"database: {'PostgreSQL' if args.database_url else 'SQLite'}; {args.groups} groups x 8 members, "
          f"{args.occurrences}-week series")
    print(f"messages sent:        {len(ids)} in {elapsed:.2f} s = {len(ids) / elapsed:.1f} messages/s (one process)")
    print(f"per message:          p50 {statistics.median(ordered) * 1000:.1f} ms, "
          f"p95 {ordered[int(len(ordered) * 0.95) - 1] * 1000:.1f} ms, max {ordered[-1] * 1000:.1f} ms")
    print(f"rendering alone:      {render_elapsed / len(ids) * 1000:.1f} ms per message "
          f"({render_elapsed / elapsed * 100:.0f}% of the sending time)")
    print(f"message size:         {statistics.mean(sizes) / 1024:.1f} KiB on average, {max(sizes) / 1024:.1f} KiB max")
    print(f"peak Python memory:   {peak / 1024 / 1024:.1f} MiB while sending; "
          f"process RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
