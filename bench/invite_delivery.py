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
3. sends every invitation row as the worker does, in jobs of ``INVITES_PER_JOB`` rows
   (``worker.jobs.invites.send_invites``: claim, render from the database, iMIP message, SMTP over the process's
   one connection, record) in one process, timing each job;
4. beside each timed pass (``--runs``, 3 by default; the rows are made pending again between passes), runs the
   simple alternative in the same process against the same SMTP stand-in — a bare ``icalendar`` + ``smtplib``
   loop (:func:`bare_loop`) — and prints both rates and their ratio (min / median / max over the runs);
5. prints p50/p95/max per message (the median run), the time rendering alone takes (and the size of the
   messages, rendered again), and, from a separate untimed pass, the peak Python memory (tracemalloc slows
   every allocation, so it never runs inside a timed loop) and the process RSS.

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
    parser.add_argument("--runs", type=int, default=3, help="timed passes (each beside a bare-loop pass)")
    parser.add_argument("--statements", action="store_true",
                        help="one more, untimed pass counting the SQL statements each message costs (and their time)")
    parser.add_argument("--profile", action="store_true", help="one more pass under cProfile (top 25 by own time)")
    return parser.parse_args()


def _mmm(values: list[float], spec: str = ".1f") -> str:
    return " / ".join(format(v, spec) for v in (values[0], statistics.median(values), values[-1]))


def bare_loop(port: int, count: int) -> float:
    """The simple alternative: ``icalendar`` + ``smtplib``, one connection per message, to the same SMTP
    stand-in: one weekly event (52 weeks) with its VTIMEZONE, a text and an HTML body, the calendar inline and
    attached (about 20 KiB). Returns the seconds ``count`` messages took."""
    import smtplib
    from datetime import datetime, timezone
    from email.message import EmailMessage
    from uuid import uuid4
    from zoneinfo import ZoneInfo

    from icalendar import Calendar, Event, Timezone, vCalAddress

    zone = ZoneInfo("America/Toronto")
    body = "Ordre du jour de la rencontre, questions et ressources de soutien. " * 55
    started = time.perf_counter()
    for index in range(count):
        calendar = Calendar()
        calendar.add("prodid", "-//bench//bare//FR")
        calendar.add("version", "2.0")
        calendar.add("method", "REQUEST")
        start = datetime(2027, 1, 5, 18, 30, tzinfo=zone) + timedelta(days=index % 7)
        event = Event()
        event.add("uid", f"{uuid4()}@bench")
        event.add("dtstamp", datetime.now(timezone.utc))
        event.add("dtstart", start)
        event.add("dtend", start + timedelta(minutes=30))
        event.add("rrule", {"FREQ": "WEEKLY", "COUNT": 52})
        event.add("summary", "Rencontre d’équipe")
        event.add("description", body)
        event.add("organizer", vCalAddress("mailto:ep@exemple.ca"))
        attendee = vCalAddress(f"mailto:p{index}@exemple.ca")
        attendee.params.update({"ROLE": "REQ-PARTICIPANT", "PARTSTAT": "NEEDS-ACTION", "RSVP": "TRUE"})
        event.add("attendee", attendee)
        calendar.add_component(Timezone.from_tzinfo(zone, first_date=start.date(),
                                                    last_date=(start + timedelta(weeks=52)).date()))
        calendar.add_component(event)
        data = calendar.to_ical()
        message = EmailMessage()
        message["From"], message["To"] = "Entre pairs <ep@exemple.ca>", f"p{index}@exemple.ca"
        message["Subject"] = "Invitation : Rencontre d’équipe"
        message.set_content(body)
        message.add_alternative(f"<p>{body}</p>", subtype="html")
        message.add_alternative(data, maintype="text", subtype="calendar", params={"method": "REQUEST"})
        message.add_attachment(data, maintype="application", subtype="ics", filename="invite.ics")
        with smtplib.SMTP("127.0.0.1", port, timeout=20) as connection:
            connection.send_message(message)
    bare_loop.size = len(message.as_bytes())
    return time.perf_counter() - started


def _count_statements(engine, send_all, messages: int) -> str:
    """Run one pass counting each statement shape (its first words) and the time spent executing them."""
    from collections import Counter

    from sqlalchemy import event

    counts: Counter[str] = Counter()
    spent: Counter[str] = Counter()

    def before(conn, cursor, statement, parameters, context, executemany):
        conn.info["bench_started"] = time.perf_counter()

    def after(conn, cursor, statement, parameters, context, executemany):
        shape = " ".join(statement.split()[:6])[:90]
        counts[shape] += 1
        spent[shape] += time.perf_counter() - conn.info.pop("bench_started")

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        started = time.perf_counter()
        send_all()
        elapsed = time.perf_counter() - started
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)
    lines = [f"statements per message: {sum(counts.values()) / messages:.1f}, "
             f"{sum(spent.values()) / messages * 1000:.2f} ms of {elapsed / messages * 1000:.2f} ms a message "
             f"(an untimed pass; commits not counted)"]
    for shape, count in counts.most_common():
        lines.append(f"  {count / messages:5.2f}/message {spent[shape] / count * 1000:6.3f} ms each  {shape}")
    return "\n".join(lines)


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

            from service.domain.clock import now_utc
            from service.domain.delivery import _compose_message
            from service.models import InviteStatus

            def reset_rows() -> None:
                db.session.execute(db.update(Invite).values(status=InviteStatus.PENDING, next_attempt_at=None,
                                                            claimed_at=None, superseded_by_id=None))
                db.session.commit()

            from worker.jobs.invites import send_invites
            from worker.queues import INVITES_PER_JOB

            def send_all() -> list[float]:
                """What the worker runs: jobs of INVITES_PER_JOB rows; each message's time is its job's share."""
                timings = []
                for start in range(0, len(ids), INVITES_PER_JOB):
                    chunk = ids[start:start + INVITES_PER_JOB]
                    t0 = time.perf_counter()
                    counts = send_invites(chunk)
                    timings += [(time.perf_counter() - t0) / len(chunk)] * len(chunk)
                    assert counts == {delivery.Outcome.SENT.value: len(chunk)}, counts
                return timings

            runs, baselines = [], []
            for run in range(args.runs):
                if run:
                    reset_rows()
                load = Path("/proc/loadavg").read_text().split()[0]
                started = time.perf_counter()
                timings = send_all()
                elapsed = time.perf_counter() - started
                bare = bare_loop(port, len(ids))
                runs.append((elapsed, timings, load))
                baselines.append(bare)
                print(f"run {run + 1}: {len(ids) / elapsed:.1f} messages/s; bare loop {len(ids) / bare:.1f} messages/s;"
                      f" ratio {bare / elapsed:.2f}; load {load}", flush=True)

            if args.statements:
                reset_rows()
                print(_count_statements(db.engine, send_all, len(ids)), flush=True)
            if args.profile:
                import cProfile
                import pstats

                reset_rows()
                profiler = cProfile.Profile()
                profiler.runcall(send_all)
                pstats.Stats(profiler).sort_stats("tottime").print_stats(25)

            # Memory in its own pass: tracemalloc slows every allocation several times over.
            reset_rows()
            tracemalloc.start()
            send_all()
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()

            # The rendering alone, for the same rows (no claim, no SMTP, no writes).
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

    rates = sorted(len(ids) / elapsed for elapsed, _, _ in runs)
    bare_rates = sorted(len(ids) / bare for bare in baselines)
    ratios = sorted(bare / elapsed for (elapsed, _, _), bare in zip(runs, baselines))
    elapsed, timings, _ = sorted(runs, key=lambda r: r[0])[len(runs) // 2]
    ordered = sorted(timings)
    print(f"database: {'PostgreSQL' if args.database_url else 'SQLite'}; {args.groups} groups x 8 members, "
          f"{args.occurrences}-week series")
    print(f"runs:                 {len(runs)}; load average at each start: {', '.join(load for _, _, load in runs)}")
    print(f"messages/s (one process), min / median / max: {_mmm(rates)}")
    print(f"bare icalendar + smtplib loop, same SMTP stand-in:  {_mmm(bare_rates)} "
          f"({bare_loop.size / 1024:.1f} KiB a message, one connection each)")
    print(f"ratio to the bare loop (same run): {_mmm(ratios, '.2f')}")
    print(f"per message (its job's time / its rows): p50 {statistics.median(ordered) * 1000:.1f} ms, "
          f"p95 {ordered[int(len(ordered) * 0.95) - 1] * 1000:.1f} ms, max {ordered[-1] * 1000:.1f} ms")
    print(f"rendering alone:      {render_elapsed / len(ids) * 1000:.1f} ms per message "
          f"({render_elapsed / elapsed * 100:.0f}% of the median run's sending time)")
    print(f"message size:         median {statistics.median(sizes) / 1024:.1f} KiB, mean "
          f"{statistics.mean(sizes) / 1024:.1f} KiB, max {max(sizes) / 1024:.1f} KiB")
    print(f"peak Python memory:   {peak / 1024 / 1024:.1f} MiB while sending (a separate, untimed pass); "
          f"process RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
