"""How much CPU the chat-posting path costs per message, against the local Zoom sandbox.

    .venv/bin/python bench/zoom_chat.py [--messages 2000] [--redis redis://127.0.0.1:6379/14]

Starts the sandbox on a free port (no latency, limits raised so they never bite), then posts messages one after
the other through ``Zoom.post_chat_message`` in this process and reports this process's CPU seconds per message
(the worker's budget is 2 ms: 500 posts per CPU-second) and the wall-clock latency of a post.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from redis import Redis  # noqa: E402

from config import load_settings  # noqa: E402
from integrations.zoom import MeetingSpec, zoom_from_settings  # noqa: E402
from tests.fixtures.zoom import start_sandbox, stop_sandbox  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--profile", action="store_true", help="print where the CPU goes")
    args = parser.parse_args()
    sandbox = start_sandbox()
    try:
        sandbox.configure(per_second={"medium": 100000})
        settings = load_settings({"APP_ENV": "test", "INSTANCE_PATH": "/tmp/bench-zoom", "SECRET_KEY": "b" * 40,
                                  "REDIS_URL": args.redis, "ZOOM_API_URL": sandbox.api_url,
                                  "ZOOM_OAUTH_URL": sandbox.oauth_url})
        settings = dataclasses.replace(settings, ZOOM_CHAT_RATE_PER_SECOND=100000.0)
        redis = Redis.from_url(settings.REDIS_URL)
        zoom = zoom_from_settings(settings, redis)
        host = settings.ZOOM_HOSTS[0]
        meeting = zoom.meetings.create(host, MeetingSpec(
            topic="Bench", agenda="", start_time=datetime(2031, 1, 1, tzinfo=timezone.utc), duration_minutes=30,
            timezone="UTC", passcode="Ab3dEf7hJk", chat_enabled=True))
        zoom.post_chat_message(host, meeting.chat_channel_id, "warm-up")
        latencies = []
        profiler = None
        if args.profile:
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        cpu_start = time.process_time()
        for i in range(args.messages):
            started = time.perf_counter()
            zoom.post_chat_message(host, meeting.chat_channel_id, f"Question {i}: Qu’est-ce qui vous aide?")
            latencies.append(time.perf_counter() - started)
        cpu = time.process_time() - cpu_start
        if profiler is not None:
            import pstats

            profiler.disable()
            pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
        latencies.sort()
        print(f"{args.messages} posts: {cpu / args.messages * 1000:.2f} ms CPU per post "
              f"({args.messages / cpu:.0f} posts per CPU-second in the posting process)")
        print(f"wall latency per post: p50 {statistics.median(latencies) * 1000:.2f} ms, "
              f"p99 {latencies[int(len(latencies) * 0.99)] * 1000:.2f} ms (sandbox on the same machine)")
        redis.flushdb()
    finally:
        stop_sandbox(sandbox)


if __name__ == "__main__":
    main()
