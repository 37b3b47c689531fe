"""Gunicorn settings of the web process: the Procfile, ``scripts/run`` and the benchmarks all start it with
``gunicorn -c config/gunicorn.conf.py``. Command-line options given after it win (``--bind`` in development).

Why one request per process at a time: a request is a few milliseconds of Python work and a few short database
round trips, never a wait on Zoom or SMTP (the worker does those). Threads of one process would share its
interpreter lock, so a burst of requests would all slow down together; separate processes, two per core, answer
each request at its own pace (``bench/scheduling_latency``: p95 about 60 ms with 4 × 1 against 80 ms with 3 × 4
on 2 cores). The gthread worker keeps idle keep-alive connections in its poller, not in its one thread.
"""

import multiprocessing
import os

bind = f"0.0.0.0:{os.environ.get('PORT', '5000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count()))
threads = int(os.environ.get("WEB_THREADS", 1))
worker_class = "gthread"
# Our own request log (service.request_log) says what each request did; gunicorn's access log would repeat it.
accesslog = None
