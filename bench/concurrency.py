"""Benchmark: 50 candidates answering at once while the LLM takes 1.0 s per reply.

Starts the fake OpenAI-compatible server (1.0 s latency) and the production server (gunicorn with
gunicorn.conf.py, gthread workers) on free local ports, registers N users who each start an
interview, then fires N answers at the same moment and reports wall time, throughput and p50/p95.
If the number of LLM calls in flight were capped by the number of processes, the wall time would
be ~N / workers seconds; with threads it should stay close to one LLM latency.

    python bench/concurrency.py [--answers 50] [--latency 1.0] [--workers 2] [--threads 32]
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench python bench/concurrency.py
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from devtools.fakeopenai import FakeOpenAI  # noqa: E402 - needs the project on sys.path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def call(method: str, url: str, body: dict | None = None, token: str | None = None) -> tuple[int, dict, float]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, json.loads(response.read() or b"{}"), time.perf_counter() - started
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}"), time.perf_counter() - started


def in_parallel(jobs: list) -> list:
    results: list = [None] * len(jobs)
    barrier = threading.Barrier(len(jobs))

    def run(index: int) -> None:
        barrier.wait()
        results[index] = jobs[index]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=50)
    parser.add_argument("--latency", type=float, default=1.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=32)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="mi-bench-"))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with FakeOpenAI(latency=args.latency) as llm:
        env = {
            **os.environ,
            "DATABASE_URL": os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{workdir / 'bench.sqlite3'}"),
            "DATA_DIR": str(workdir),
            "DEBUG": "false",
            "SECRET_KEY": "benchmark-only-secret-key-0123456789abcdef-0123456789",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "CHAT_PROVIDER": "openai",
            "OPENAI_API_KEY": "bench",
            "OPENAI_BASE_URL": llm.base_url,
            "OPENAI_TIMEOUT": "30",
            "DAILY_CHAT_LIMIT": "100",
            "REGISTER_RATE_PER_IP": "100000/min",
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "WEB_CONCURRENCY": str(args.workers),
            "GUNICORN_THREADS": str(args.threads),
            "GUNICORN_ACCESSLOG": "",
            "LOG_LEVEL": "WARNING",
            "SPEECH_ENGINE": "espeak",  # offline; audio is synthesized in the background as in production
        }
        python = sys.executable
        subprocess.run([python, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
        subprocess.run(
            [python, "manage.py", "load_questions"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
        )
        gunicorn = Path(python).parent / "gunicorn"
        server = subprocess.Popen(
            [str(gunicorn), "config.wsgi:application", "-c", "gunicorn.conf.py"], cwd=ROOT, env=env
        )
        try:
            deadline = time.monotonic() + 30
            while not _up(base):
                if time.monotonic() > deadline:
                    raise SystemExit("gunicorn did not come up")
                time.sleep(0.2)

            password = "a benchmark passphrase 42"  # noqa: S105 - throwaway users in a temp database
            tokens = []
            for n in range(args.answers):
                status, body, _ = call(
                    "POST",
                    f"{base}/api/auth/register/",
                    {"username": f"bench{n}", "email": f"b{n}@x.io", "password": password},
                )
                assert status == 201, body
                tokens.append(body["access"])
            starts = in_parallel(
                [
                    lambda t=t: call("POST", f"{base}/api/interviews/", {"position": "be", "topic": "databases"}, t)
                    for t in tokens
                ]
            )
            assert all(s == 201 for s, _, _ in starts), [b for s, b, _ in starts if s != 201][:3]

            jobs = [
                lambda t=t, i=b["id"]: call(
                    "POST", f"{base}/api/interviews/{i}/answers/", {"content": "A B-tree index speeds up reads."}, t
                )
                for (_, b, _), t in zip(starts, tokens, strict=True)
            ]
            started = time.perf_counter()
            results = in_parallel(jobs)
            wall = time.perf_counter() - started
        finally:
            server.terminate()
            server.wait(timeout=30)

    ok = [elapsed for status, _, elapsed in results if status == 201]
    failed = len(results) - len(ok)
    print(
        f"answers: {len(results)} concurrent, LLM latency {args.latency:.1f} s, "
        f"gunicorn gthread {args.workers} workers x {args.threads} threads"
    )
    print(f"succeeded: {len(ok)}  failed: {failed}")
    if ok:
        print(f"wall time: {wall:.2f} s   throughput: {len(ok) / wall:.1f} answers/s")
        print(f"latency p50: {statistics.median(ok):.2f} s   p95: {percentile(ok, 0.95):.2f} s   max: {max(ok):.2f} s")
        capped = args.answers / args.workers * args.latency
        print(f"(if LLM calls were capped by processes, wall time would be ~{capped:.0f} s)")
    return 0 if failed == 0 else 1


def _up(base: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base}/api/health/", timeout=1):
            return True
    except OSError:
        return False


if __name__ == "__main__":
    raise SystemExit(main())
