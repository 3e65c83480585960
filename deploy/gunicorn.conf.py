"""Gunicorn's configuration of the portal (``gunicorn -c deploy/gunicorn.conf.py``).

Threaded workers, one process per CPU plus one (at least three) and four threads
each: a request mostly waits for PostgreSQL or Redis, threads share a process's
memory (and its page cache, core/pagecache.py), and the extra process keeps both
CPUs busy while one holds its interpreter lock. Measured with `make loadtest` on 2
cores: 3 processes answered cached pages about 45 % faster than 2 (with 4 or 8
threads). Every value can be set from the environment: ``WEB_CONCURRENCY``
(processes), ``GUNICORN_THREADS``, ``GUNICORN_TIMEOUT``, ``GUNICORN_BACKLOG``,
``PORT`` and ``GUNICORN_BIND``.
"""

import multiprocessing
import os

wsgi_app = "portal.wsgi:application"
bind = os.environ.get("GUNICORN_BIND") or f"127.0.0.1:{os.environ.get('PORT', '8000')}"
worker_class = "gthread"
workers = int(
    os.environ.get("WEB_CONCURRENCY") or max(3, multiprocessing.cpu_count() + 1)
)
threads = int(os.environ.get("GUNICORN_THREADS") or 4)
# Connections waiting to be accepted (gunicorn's default, stated): a burst queues
# there instead of being refused.
backlog = int(os.environ.get("GUNICORN_BACKLOG") or 2048)
# A request that takes longer is killed (and logged); the proxy's timeout is longer.
timeout = int(os.environ.get("GUNICORN_TIMEOUT") or 60)
graceful_timeout = 30
# An idle keep-alive connection is closed after this many seconds (wrk and the
# proxy reuse theirs; a gthread worker polls them without holding a thread).
keepalive = 5
# Recycle workers now and then, so that a slow leak never grows for weeks.
max_requests = 2000
max_requests_jitter = 200
# The portal logs slow requests itself; the proxy in front keeps the access log.
accesslog = None
errorlog = "-"
# Addresses allowed to set X-Forwarded-* (Django reads them itself, see
# DJANGO_BEHIND_PROXY and PORTAL_TRUSTED_PROXIES).
forwarded_allow_ips = os.environ.get("PORTAL_TRUSTED_PROXIES", "127.0.0.1,::1")
# The largest request line and header gunicorn accepts (its defaults), stated.
limit_request_line = 4094
limit_request_fields = 100
# No control socket in the home directory: systemd (or the Procfile runner) is the
# control interface, and two instances on one machine would share its path.
control_socket_disable = True
# Gunicorn's own messages (start, stop, a worker killed on timeout) in the portal's
# JSON lines too, when the portal writes those (PORTAL_LOG_FORMAT=json).
if os.environ.get("PORTAL_LOG_FORMAT", "").strip().lower() == "json":
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "core.logs.JsonFormatter"}},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stderr",
            }
        },
        "loggers": {
            "gunicorn.error": {
                "handlers": ["console"],
                "level": "INFO",
                "propagate": False,
            },
        },
    }
