"""gunicorn's settings for the deployment: ``gunicorn -c tracker/gunicorn.conf.py tracker.wsgi:application``.

The Dockerfile's CMD and the compose ``web`` service both start the app with this file, so the image and compose
serve it the same way. What an operator may need to change comes from the environment:

- ``GUNICORN_BIND`` (``0.0.0.0:8000``): the address to listen on (comma-separated for several).
- ``GUNICORN_WORKERS`` (``2``): worker processes.
- ``GUNICORN_THREADS`` (``4``): request threads per worker: workers times threads requests are served at once,
  each thread with its own database connection.
- ``GUNICORN_TIMEOUT`` (``30``): seconds a worker's main loop may stay silent before the arbiter kills it.

Why ``gthread`` rather than gunicorn's default ``sync`` worker: a sync worker tells the arbiter it is alive only
between requests, so any response that takes longer than ``timeout`` to send (a CSV export of every event to a slow
client) has its worker killed mid-stream, every time. In ``gthread`` (gunicorn 27, ``gunicorn/workers/gthread.py``)
requests run in a thread pool while the worker's main thread loops in ``ThreadWorker.run``, calling
``self.notify()`` (the heartbeat) at least once a second (``wait_for_and_dispatch_events(timeout=1.0)``) whatever
the request threads are doing; so a long streaming response is never killed by the timeout, and a worker is
killed only when its main loop itself is stuck. The timeout therefore bounds no request: a slow one is bounded, if
at all, by the database and the proxy in front, not by gunicorn.

A CSV list is a ``StreamingHttpResponse`` without ``Content-Length``, which gunicorn sends with
``Transfer-Encoding: chunked`` to an HTTP/1.1 client (``Response.is_chunked``). If the stream stops early (an
exception in the generator, a worker killed or restarted) gunicorn closes the connection without the final
zero-length chunk, and the client reports an incomplete download instead of a complete-looking file. Over HTTP/1.0
nothing marks the end, so the proxy in front must speak HTTP/1.1 to gunicorn (nginx: ``proxy_http_version 1.1``).
"""

import os


def _env_int(name: str, default: int, minimum: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SystemExit(f"{name} must be a whole number, not {raw!r}.") from None
    if value < minimum:
        raise SystemExit(f"{name} must be at least {minimum}, not {value}.")
    return value


bind = [address.strip() for address in os.environ.get("GUNICORN_BIND", "0.0.0.0:8000").split(",") if address.strip()]
workers = _env_int("GUNICORN_WORKERS", 2, minimum=1)
worker_class = "gthread"
threads = _env_int("GUNICORN_THREADS", 4, minimum=1)
timeout = _env_int("GUNICORN_TIMEOUT", 30, minimum=1)
