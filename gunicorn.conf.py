"""gunicorn settings, read from the environment (see README's configuration table).

gthread workers: a request waiting on the LLM holds a thread, not a process, so the number of LLM
calls in flight is WEB_CONCURRENCY x GUNICORN_THREADS, not the number of processes.
"""

import multiprocessing
import os
import sys


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = _int("WEB_CONCURRENCY", min(multiprocessing.cpu_count(), 4))
worker_class = "gthread"
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
