"""Does the cost of the background and interactive paths stay flat as the data grows? PostgreSQL only.

    .venv/bin/python bench/scale.py                                  # 500 then 5,000 groups
    .venv/bin/python bench/scale.py --groups 500 --history-weeks 12   # one size, less history
    .venv/bin/python bench/scale.py --database-url postgresql://postgres@127.0.0.1:5432/bench_w18_scale

For each size it:
1. drops and creates the database, migrates it, and builds one group through the real domain services: 8 members
   (2 trained moderators), a 52-week series with its Zoom meeting ready and every invitation sent, the prompt
   rows the protocol gives each session; then ``--history-weeks`` of past sessions (ended, their prompts posted);
2. copies that group ``--groups`` - 1 times in SQL (new ids, unique values suffixed), each copy shifted by a
   different quarter-hour of the week, so that sessions spread over the week as a real installation's do;
3. measures, in this process against its own Redis database (``--redis-url``, default db 12, emptied):
   - the **sweep** (``worker.jobs.sweep.sweep``, the retention pass left out): milliseconds per pass, ``--passes``;
   - the **claim** of a prompt instant (``posting.claim_due`` at each of the next ``--claims`` instants, each
     then recorded as posted, as the job does): p50 / p99;
   - the **console poll** (``GET /m/<token>/revision`` with ``If-None-Match``, warm, as an open console asks every
     5 s, and ``GET /m/<token>/state``): p50 / p95 over ``--polls`` requests on random upcoming sessions;
   - **scheduling** one session for a random group (``scheduling.schedule_session``, commit and enqueue
     included): p50 / p95 over ``--schedules`` requests;
4. prints ``EXPLAIN (ANALYZE, BUFFERS)`` of every SELECT one sweep pass, one claim and one scheduling ran (the statements
   captured as they were sent, with their parameters), and at the end the ratio of each figure at the largest
   size to the smallest.

Times are wall-clock on a shared machine: the load average is printed with each size.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from datetime import time as clock
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# Table -> (foreign key column -> referenced table); ids of a copy are the template's plus copy x span.
CLONED = {
    "groups": {"organisation_id": None},
    "members": {"group_id": "groups"},
    "zoom_meetings": {"group_id": "groups"},
    "session_series": {"group_id": "groups", "zoom_meeting_id": "zoom_meetings"},
    "group_sessions": {"group_id": "groups", "series_id": "session_series", "moderator_id": "members",
                       "zoom_meeting_id": "zoom_meetings"},
    "prompts": {"session_id": "group_sessions"},
    "invites": {"member_id": "members", "series_id": "session_series", "session_id": "group_sessions",
                "superseded_by_id": "invites"},
    "group_coordinators": {"group_id": "groups", "coordinator_id": None},
}
# Values that must stay unique across copies.
SUFFIXED = {"members": ("email", "email_key", "link_nonce"), "session_series": ("calendar_uid",),
            "group_sessions": ("calendar_uid",), "invites": ("calendar_uid", "email"), "zoom_meetings": ("zoom_id",)}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--groups", type=int, action="append", help="sizes (repeatable; default 500 and 5000)")
    parser.add_argument("--history-weeks", type=int, default=52)
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/bench_w18_scale")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/12")
    parser.add_argument("--passes", type=int, default=20)
    parser.add_argument("--claims", type=int, default=40)
    parser.add_argument("--polls", type=int, default=300)
    parser.add_argument("--schedules", type=int, default=30)
    parser.add_argument("--no-plans", action="store_true", help="leave out the EXPLAIN ANALYZE output")
    parser.add_argument("--reuse", action="store_true",
                        help="measure again the database a previous run left (one size: the one it was built for)")
    return parser.parse_args()


def pct(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def recreate(url: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()


def build_template(history_weeks: int) -> int:
    """One group through the domain services, its invitations sent, and its past; returns the group's id."""
    from sqlalchemy import text, update

    from service.domain import scheduling
    from service.domain.audit import Actor
    from service.extensions import db
    from service.models import Coordinator, Invite, InviteStatus, MeetingStatus, Organisation
    from tests.factories import make_group

    organisation = Organisation(name="Échelle")
    coordinator = Coordinator(organisation=organisation, email="echelle@exemple.ca")
    db.session.add_all([organisation, coordinator])
    db.session.commit()
    actor = Actor.coordinator(coordinator)
    group = make_group(actor, members=8, trained=2, name="Modèle")
    first = date.today() + timedelta(days=8)
    series = scheduling.schedule_series(group, scheduling.SeriesPlan(first, clock(18, 30), occurrence_count=52), actor)
    meeting = series.zoom_meeting
    meeting.status, meeting.join_url, meeting.passcode = MeetingStatus.READY, "https://zoom.exemple/j/1?pwd=x", "1"
    meeting.zoom_id, meeting.host_user, meeting.chat_channel_id = "900000001", "host@exemple.ca", "chan-1"
    db.session.execute(update(Invite).values(status=InviteStatus.SENT, sent_at=datetime.now(timezone.utc),
                                             attempts=1))
    db.session.commit()
    # The past: the same weekly sessions, 1 to history_weeks weeks before the first, held and their prompts posted.
    shift = "(interval '1 week' * w)"
    db.session.execute(text(f"""
        INSERT INTO group_sessions (group_id, series_id, kind, status, starts_at, duration_minutes, timezone,
            language, original_starts_at, moderator_id, centring_variant, zoom_meeting_id, calendar_sequence,
            actual_started_at, actual_ended_at, follow_up_needed, revision, created_at, updated_at,
            speaking_order_seed)
        SELECT s.group_id, s.series_id, s.kind, 'ended', s.starts_at - {shift} - interval '52 weeks',
            s.duration_minutes, s.timezone, s.language, s.original_starts_at - {shift} - interval '52 weeks',
            s.moderator_id, s.centring_variant, s.zoom_meeting_id, 0,
            s.starts_at - {shift} - interval '52 weeks', s.starts_at - {shift} - interval '52 weeks' + interval '30 minutes',
            false, 1, s.created_at, s.updated_at, s.speaking_order_seed
        FROM group_sessions s CROSS JOIN generate_series(0, :weeks - 1) w
        WHERE s.id = (SELECT min(id) FROM group_sessions WHERE series_id = :series)
    """), {"weeks": min(history_weeks, 52), "series": series.id})
    db.session.execute(text("""
        INSERT INTO prompts (session_id, step_key, audience, offset_seconds, duration_seconds, due_at, expires_at,
            status, attempts, posted_at, provider_message_id, updated_at)
        SELECT h.id, p.step_key, p.audience, p.offset_seconds, p.duration_seconds,
            h.starts_at + make_interval(secs => p.offset_seconds),
            h.starts_at + make_interval(secs => p.offset_seconds + p.duration_seconds),
            CASE WHEN p.status = 'skipped' THEN 'skipped' ELSE 'posted' END, 1,
            h.starts_at + make_interval(secs => p.offset_seconds), 'm' || h.id || p.step_key, h.starts_at
        FROM group_sessions h
        JOIN prompts p ON p.session_id = (SELECT min(id) FROM group_sessions WHERE series_id = :series)
        WHERE h.series_id = :series AND h.status = 'ended'
    """), {"series": series.id})
    db.session.commit()
    return group.id


def clone(copies: int) -> None:
    """``copies`` more groups like the template, each shifted by its own quarter-hour of the week."""
    from sqlalchemy import text

    from service.extensions import db

    def columns(table: str) -> list[tuple[str, str]]:
        return [tuple(row) for row in db.session.execute(text(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = :t "
            "ORDER BY ordinal_position"), {"t": table})]

    spans = {}
    for table in CLONED:
        has_id = any(name == "id" for name, _ in columns(table))
        if has_id:
            spans[table] = int(db.session.execute(text(f"SELECT coalesce(max(id), 0) FROM {table}")).scalar()) + 1
    shift = "(interval '15 minutes' * ((c * 37) % 672))"
    for table, references in CLONED.items():
        selected = []
        names = []
        for name, kind in columns(table):
            names.append(name)
            if name == "id":
                selected.append(f"id + c * {spans[table]}")
            elif name in references and references[name] is not None:
                selected.append(f"{name} + c * {spans[references[name]]}")
            elif name in SUFFIXED.get(table, ()):
                selected.append(f"{name} || '-' || c")
            elif kind == "timestamp with time zone":
                selected.append(f"{name} + {shift}")
            elif table == "session_series" and name == "first_date":
                selected.append(f"({name} + {shift})::date")
            else:
                selected.append(name)
        db.session.execute(text(
            f"INSERT INTO {table} ({', '.join(names)}) SELECT {', '.join(selected)} FROM {table} "
            f"CROSS JOIN generate_series(1, :copies) c"), {"copies": copies})
        db.session.commit()
        if table in spans:
            db.session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                    f"(SELECT max(id) FROM {table}))"))
            db.session.commit()
    db.session.commit()
    # What a live database is after its inserts settled: visibility maps set, statistics fresh, the inserts'
    # pages written out (measured right after millions of inserts, the figures were the checkpoint's).
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM (ANALYZE)"))
        connection.execute(text("CHECKPOINT"))


class Capture:
    """The statements sent while active (with their parameters), for EXPLAIN ANALYZE."""

    def __init__(self, engine):
        from sqlalchemy import event

        self.statements: list[tuple[str, object]] = []
        self.active = False
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, conn, cursor, statement, parameters, context, executemany):
        if self.active and statement.lstrip().upper().startswith("SELECT") and not executemany:
            self.statements.append((statement, parameters))


def explain(engine, statements: list[tuple[str, object]]) -> list[str]:
    plans = []
    seen = set()
    for statement, parameters in statements:
        if statement in seen:
            continue
        seen.add(statement)
        connection = engine.raw_connection()
        try:
            cursor = connection.cursor()
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
            plans.append(" ".join(statement.split())[:400] + "\n" + "\n".join(row[0] for row in cursor.fetchall()))
            connection.rollback()
        finally:
            connection.close()
    return plans


def measure(app, args, groups: int) -> dict:
    from sqlalchemy import func, select, update

    from service import links
    from service.domain import posting, scheduling
    from service.domain.audit import Actor
    from service.domain.clock import now_utc
    from service.extensions import db
    from service.models import Coordinator, Group, GroupSession, Prompt, PromptStatus, SessionStatus
    from service.protocol import SessionKind
    from worker.claims import Heartbeat
    from worker.jobs.sweep import sweep

    redis = app.extensions["redis"]
    settings = app.extensions["settings"]
    engine = db.engine
    capture = Capture(engine)
    figures: dict = {"groups": groups, "load": Path("/proc/loadavg").read_text().split()[0]}
    figures["rows"] = {name: db.session.execute(select(func.count()).select_from(model)).scalar()
                       for name, model in (("sessions", GroupSession), ("prompts", Prompt))}

    # The sweep, retention left out (it runs once an hour).
    redis.flushdb()
    redis.set("entre_pairs:retention_ran", 1, ex=3600)
    sweep()  # warm
    capture.active = True
    sweep()
    capture.active = False
    sweep_plans = list(capture.statements)
    capture.statements.clear()
    timings = []
    for _ in range(args.passes):
        started = time.perf_counter()
        sweep()
        timings.append(time.perf_counter() - started)
    figures["sweep_ms"] = (statistics.median(timings) * 1000, pct(timings, 0.95) * 1000)

    # Claims of the next instants, in order, each then recorded as posted (what the job does).
    instants = db.session.execute(
        select(Prompt.due_at).where(Prompt.status == PromptStatus.PENDING, Prompt.audience == "everyone",
                                    Prompt.due_at > now_utc())
        .group_by(Prompt.due_at).order_by(Prompt.due_at).limit(args.claims)).scalars().all()
    timings, claimed = [], 0
    with Heartbeat(redis) as claimer:
        for index, instant in enumerate(instants):
            capture.active = index == len(instants) // 2
            started = time.perf_counter()
            rows = posting.claim_due(instant, claimer, now=instant)
            timings.append(time.perf_counter() - started)
            capture.active = False
            claimed += len(rows)
            db.session.execute(update(Prompt).where(Prompt.id.in_([r.prompt_id for r in rows]))
                               .values(status=PromptStatus.POSTED, posted_at=instant, claimed_by=None))
            db.session.commit()
    claim_plans = list(capture.statements)
    capture.statements.clear()
    figures["claim_ms"] = (statistics.median(timings) * 1000, pct(timings, 0.99) * 1000)
    figures["claimed_per_instant"] = claimed / max(1, len(instants))

    # Console polls on random upcoming sessions (each console's first poll warms its grant, as in service).
    upcoming = db.session.execute(
        select(GroupSession).where(GroupSession.status == SessionStatus.SCHEDULED, GroupSession.moderator_id.is_not(None),
                                   GroupSession.starts_at > now_utc(), GroupSession.starts_at < now_utc() + timedelta(days=30))
        .order_by(func.random()).limit(50)).scalars().all()
    tokens = [links.console_token(settings, session.moderator, session) for session in upcoming]
    client = app.test_client()
    etags = {}
    for token in tokens:
        etags[token] = client.get(f"/m/{token}/revision").headers.get("ETag")
    revision, state = [], []
    for index in range(args.polls):
        token = tokens[index % len(tokens)]
        started = time.perf_counter()
        response = client.get(f"/m/{token}/revision", headers={"If-None-Match": etags[token] or ""})
        revision.append(time.perf_counter() - started)
        assert response.status_code in (200, 304), response.status_code
        if index % 10 == 0:
            started = time.perf_counter()
            assert client.get(f"/m/{token}/state").status_code == 200
            state.append(time.perf_counter() - started)
    figures["poll_ms"] = (statistics.median(revision) * 1000, pct(revision, 0.95) * 1000)
    figures["state_ms"] = (statistics.median(state) * 1000, pct(state, 0.95) * 1000)

    # Scheduling one session for random groups.
    coordinator = db.session.execute(select(Coordinator)).scalars().first()
    actor = Actor.coordinator(coordinator)
    group_ids = db.session.execute(select(Group.id).order_by(func.random()).limit(args.schedules)).scalars().all()
    timings = []
    for index, group_id in enumerate(group_ids):
        group = db.session.get(Group, group_id)
        when = datetime.combine(date.today() + timedelta(days=20 + index % 30), clock(19, 0))
        capture.active = index == len(group_ids) // 2
        started = time.perf_counter()
        scheduling.schedule_session(group, SessionKind.REGULAR, when, 30, actor)
        timings.append(time.perf_counter() - started)
        capture.active = False
        db.session.expire_all()
    figures["schedule_ms"] = (statistics.median(timings) * 1000, pct(timings, 0.95) * 1000)
    schedule_plans = list(capture.statements)
    if not args.no_plans:
        figures["plans"] = explain(engine, sweep_plans) + explain(engine, claim_plans) + explain(engine,
                                                                                               schedule_plans)
    redis.flushdb()
    return figures


def main() -> None:
    args = parse_args()
    sizes = args.groups or [500, 5000]
    from config import load_settings
    from service.app import create_app
    from service.extensions import db

    results = []
    for groups in sizes:
        print(f"\n== {groups} groups: {'measured again' if args.reuse else 'building'} "
              f"(history {args.history_weeks} weeks)...", flush=True)
        if not args.reuse:
            recreate(args.database_url)
        folder = Path(tempfile.mkdtemp(prefix="bench-scale-"))
        app = create_app(load_settings({
            "APP_ENV": "test", "INSTANCE_PATH": str(folder), "DATABASE_URL": args.database_url,
            "REDIS_URL": args.redis_url, "SECRET_KEY": "bench-secret-key-long-enough-0123456789",
        }))
        with app.app_context():
            from flask_migrate import upgrade

            upgrade()
            app.extensions["redis"].flushdb()
            started = time.perf_counter()
            if not args.reuse:
                build_template(args.history_weeks)
                clone(groups - 1)
                print(f"   built in {time.perf_counter() - started:.0f} s", flush=True)
            random.seed(groups)
            figures = measure(app, args, groups)
            db.session.remove()
            db.engine.dispose()
        results.append(figures)
        show(figures)
    if len(results) > 1:
        small, large = results[0], results[-1]
        print(f"\n== {large['groups']} groups against {small['groups']} (ratio of the figures; target <= 1.5)")
        for key, label in (("sweep_ms", "sweep per pass (median)"), ("claim_ms", "claim p99"),
                           ("poll_ms", "console poll p95"), ("state_ms", "console state p95"),
                           ("schedule_ms", "scheduling p95")):
            index = 0 if key == "sweep_ms" else 1
            print(f"   {label:28} {small[key][index]:8.1f} ms -> {large[key][index]:8.1f} ms = "
                  f"{large[key][index] / small[key][index]:.2f} x")


def show(figures: dict) -> None:
    print(f"   load average {figures['load']}; {figures['rows']['sessions']} sessions, "
          f"{figures['rows']['prompts']} prompt rows")
    print(f"   sweep per pass        median {figures['sweep_ms'][0]:.1f} ms   p95 {figures['sweep_ms'][1]:.1f} ms")
    print(f"   claim of an instant   p50 {figures['claim_ms'][0]:.1f} ms   p99 {figures['claim_ms'][1]:.1f} ms   "
          f"({figures['claimed_per_instant']:.1f} rows per instant)")
    print(f"   console poll          p50 {figures['poll_ms'][0]:.2f} ms   p95 {figures['poll_ms'][1]:.2f} ms")
    print(f"   console state         p50 {figures['state_ms'][0]:.1f} ms   p95 {figures['state_ms'][1]:.1f} ms")
    print(f"   scheduling            p50 {figures['schedule_ms'][0]:.1f} ms   p95 {figures['schedule_ms'][1]:.1f} ms")
    for plan in figures.get("plans", []):
        print("\n   " + plan.replace("\n", "\n   "))


if __name__ == "__main__":
    main()
