"""gunicorn settings, read from the environment (see README's configuration table).

GUNICORN_WORKER_CLASS picks the serving model, and with it the application (so command lines name
none: `gunicorn -c gunicorn.conf.py`):
- "uvicorn" (the default; ASGI, config.asgi): each worker is an event loop; a request's synchronous Django code
  runs in a thread of its own, made for it, so the LLM calls in flight are not capped by a fixed
  pool of threads, and a streamed reply is sent as it is produced;
- "gthread" (WSGI, config.wsgi): a request holds one of GUNICORN_THREADS threads, so at most
  WEB_CONCURRENCY x GUNICORN_THREADS LLM calls are in flight.
"""

import multiprocessing
import os
import sys


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = _int("WEB_CONCURRENCY", min(multiprocessing.cpu_count(), 4))
_WORKER_CLASSES = {
    "uvicorn": ("uvicorn_worker.UvicornWorker", "config.asgi:application"),
    "gthread": ("gthread", "config.wsgi:application"),
}
_serving = os.environ.get("GUNICORN_WORKER_CLASS", "uvicorn")
if _serving not in _WORKER_CLASSES:
    raise SystemExit(f"GUNICORN_WORKER_CLASS must be one of {', '.join(_WORKER_CLASSES)}, not {_serving!r}")
worker_class, wsgi_app = _WORKER_CLASSES[_serving]
threads = _int("GUNICORN_THREADS", 32)
# Must stay above OPENAI_TIMEOUT (+ a fallback attempt), or gunicorn kills a worker mid-answer.
timeout = _int("GUNICORN_TIMEOUT", 120)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 200)
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-") or None  # empty turns the access log off
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def worker_exit(server: object, worker: object) -> None:
    # A graceful stop finishes the worker's in-flight speech syntheses instead of leaving claimed clips.
    services = sys.modules.get("speech.services")  # not imported: this worker never scheduled any
    if services is not None:
        services.synthesis_pool.shutdown(wait=True)
