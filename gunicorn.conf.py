"""gunicorn settings for an app server (`gunicorn clinic.wsgi` reads this file from the project root).

Command-line options win, e.g. `--workers 1` or `--bind 0.0.0.0:8000`.
"""

import multiprocessing
import os

# Behind the TLS proxy on the same host; `--bind 0.0.0.0:8000` when the proxy is another machine.
bind = "127.0.0.1:8000"
# Sync workers: a stored page costs a fraction of a millisecond of CPU, so a worker per core
# (plus one waiting on the database) keeps the CPUs busy. WEB_CONCURRENCY is gunicorn's own variable.
workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * multiprocessing.cpu_count() + 1)
# Load Django once in the master: workers share its memory pages and start faster.
preload_app = True
# A request taking longer than this is stuck (a hung database or mail server): restart the worker.
timeout = 30
# Recycle workers now and then, so a slow leak can never grow a worker past its memory budget;
# rarely, though: a new worker imports the views and renders its first pages again, which under a
# burst (say 300 requests a second per worker) every 5,000 requests cost pages ~10% of throughput.
max_requests = 50000
max_requests_jitter = 5000
