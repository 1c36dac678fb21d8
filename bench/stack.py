"""What the benchmark starts and stops: a database, Redis, the fake LLM, gunicorn servers, speech workers.

Everything is started on this machine, on ports 8900-8999, and removed afterwards: a PostgreSQL database
of its own (`bench_<pid>_<name>`, created and dropped through BENCH_PG_URL's server) when PostgreSQL is
reachable, else a SQLite file under /tmp/bench-*/; a redis-server of its own when the binary exists.
CPU is read from /proc: a process tree's user + system time, children that exited included.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PORTS = range(8900, 9000)
# Where the bench databases are created from (any database of the server the bench may connect to).
PG_ADMIN_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
_taken: set[int] = set()


def free_port() -> int:
    """A port of 8900-8999 that nobody listens on (and that this run has not handed out yet)."""
    for port in PORTS:
        if port in _taken:
            continue
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
        _taken.add(port)
        return port
    raise RuntimeError("no free port in 8900-8999")


def wait_for(url: str, *, seconds: float = 60, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status < 500:
                    return
        except OSError:
            pass
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{process.args[:3]} exited with {process.returncode} before {url} answered")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not answer within {seconds:.0f} s")
        time.sleep(0.2)


def stop(process: subprocess.Popen | None, *, seconds: float = 30) -> None:
    """SIGTERM this one process (it stops its own children), then SIGKILL it if it lingers."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


# --------------------------------------------------------------------------- CPU from /proc


def _ticks(pid: int) -> int | None:
    """utime + stime + cutime + cstime of `pid`, in clock ticks; None when the process is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()  # the command name may hold spaces
    return sum(int(f) for f in fields[11:15])  # fields 14-17 of stat(5), counted from "state" (3)


def _children(pid: int) -> list[int]:
    children: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            children += [int(c) for c in (task / "children").read_text().split()]
    return children


def tree_cpu_seconds(pid: int) -> float:
    """CPU seconds used by `pid` and its descendants: live ones directly, exited ones through their
    parent's cutime/cstime (gunicorn recycles workers, and those must still count)."""
    total = 0
    stack = [pid]
    while stack:
        current = stack.pop()
        ticks = _ticks(current)
        if ticks is None:
            continue
        total += ticks
        stack += _children(current)
    return total / CLOCK_TICKS


# --------------------------------------------------------------------------- database


@dataclass
class Database:
    url: str
    kind: str  # "postgresql" or "sqlite"
    version: str
    _drop: list = field(default_factory=list, repr=False)

    def close(self) -> None:
        for drop in self._drop:
            drop()


def postgres_reachable() -> bool:
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, connect_timeout=3):
            return True
    except Exception:
        return False


def create_database(kind: str, name: str, workdir: Path) -> Database:
    """A fresh, empty database: `kind` "postgresql", "sqlite", or "auto" (PostgreSQL when reachable)."""
    if kind == "auto":
        kind = "postgresql" if postgres_reachable() else "sqlite"
    if kind == "sqlite":
        import sqlite3

        path = workdir / f"{name}.sqlite3"
        return Database(url=f"sqlite:///{path}", kind="sqlite", version=f"SQLite {sqlite3.sqlite_version}")
    import psycopg

    dbname = f"bench_{os.getpid()}_{name}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{dbname}"')
        conn.execute(f'CREATE DATABASE "{dbname}"')
        version = conn.execute("SHOW server_version").fetchone()[0]

    def drop() -> None:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')

    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    return Database(url=f"{base}/{dbname}", kind="postgresql", version=f"PostgreSQL {version}", _drop=[drop])


def sql(database: Database, statement: str, params: tuple = ()) -> list[tuple]:
    """Run one statement on the bench database from the harness (checks, set-ups); returns its rows."""
    if database.kind == "sqlite":
        import sqlite3

        conn = sqlite3.connect(database.url.removeprefix("sqlite:///"), timeout=30)
        try:
            cursor = conn.execute(statement.replace("%s", "?"), params)
            rows = cursor.fetchall()
            conn.commit()
            return rows
        finally:
            conn.close()
    import psycopg

    with psycopg.connect(database.url, autocommit=True) as conn:
        cursor = conn.execute(statement, params)
        return cursor.fetchall() if cursor.description else []


# --------------------------------------------------------------------------- Redis and the fake LLM


@contextlib.contextmanager
def redis_server() -> Iterator[str | None]:
    """A redis-server of our own (no persistence) on a free port: its URL, or None without the binary."""
    binary = shutil.which("redis-server")
    if binary is None:
        yield None
        return
    port = free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                if sock.recv(16).startswith(b"+PONG"):
                    break
            if time.monotonic() > deadline:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.1)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        stop(process)


@dataclass
class FakeLLM:
    url: str  # root, e.g. http://127.0.0.1:8901
    latency: float
    process: subprocess.Popen

    @property
    def base_url(self) -> str:
        return self.url + "/v1"

    def stats(self) -> dict:
        with urllib.request.urlopen(self.url + "/_bench/stats", timeout=10) as response:
            return json.loads(response.read())

    def reset(self) -> None:
        request = urllib.request.Request(self.url + "/_bench/reset", data=b"{}", method="POST")
        urllib.request.urlopen(request, timeout=10).close()


@contextlib.contextmanager
def fake_llm(
    *,
    latency: float,
    stream_interval: float = 0.0,
    chat_fail_rate: float = 0.0,
    speech_fail_rate: float = 0.0,
    hang_seconds: float = 30.0,
    seed: int = 12,
) -> Iterator[FakeLLM]:
    port = free_port()
    process = subprocess.Popen(
        [
            PYTHON,
            str(ROOT / "bench" / "fakellm.py"),
            f"--port={port}",
            f"--latency={latency}",
            f"--stream-interval={stream_interval}",
            f"--chat-fail-rate={chat_fail_rate}",
            f"--speech-fail-rate={speech_fail_rate}",
            f"--hang-seconds={hang_seconds}",
            f"--seed={seed}",
        ],
        stdout=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(url + "/_bench/stats", seconds=20, process=process)
        yield FakeLLM(url=url, latency=latency, process=process)
    finally:
        stop(process, seconds=5)


# --------------------------------------------------------------------------- the app under gunicorn


@dataclass
class ServerConfig:
    """How the app is served: gunicorn.conf.py's settings, read from the environment."""

    workers: int = 2
    threads: int = 32
    worker_class: str = "uvicorn"
    speech_queue: str = "thread"  # "redis" needs redis_url and runs a speech worker beside gunicorn
    speech_engine: str = "espeak"
    redis_url: str | None = None
    speech_processes: int = 1
    extra_env: dict[str, str] = field(default_factory=dict)

    def describe(self) -> str:
        text = f"gunicorn {self.workers} {self.worker_class} workers"
        if self.worker_class == "gthread":
            text += f" x {self.threads} threads"
        text += f"; cache {'Redis' if self.redis_url else 'local memory'}"
        text += f"; speech {self.speech_engine}, synthesized "
        if self.speech_queue == "redis":
            text += f"by a speech_worker ({self.speech_processes} process(es)) from the Redis queue"
        else:
            text += "in background threads of the app processes"
        return text


def app_environment(database: Database, llm: FakeLLM, config: ServerConfig, workdir: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": database.url,
        "DATA_DIR": str(workdir),
        "MEDIA_ROOT": str(workdir / "media"),
        "DEBUG": "false",
        "SECRET_KEY": os.environ.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(48),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "CHAT_PROVIDER": "openai",
        "OPENAI_API_KEY": "bench",
        "OPENAI_BASE_URL": llm.base_url,
        "OPENAI_TIMEOUT": "30",
        "DAILY_CHAT_LIMIT": "1000000",
        "REGISTER_RATE_PER_IP": "1000000/min",
        "LOGIN_RATE_PER_IP": "1000000/min",
        "LOG_LEVEL": "WARNING",
        "SPEECH_ENGINE": config.speech_engine,
        "SPEECH_QUEUE": config.speech_queue,
        "SPEECH_QUEUE_NAMESPACE": f"bench{os.getpid()}",
        "WEB_CONCURRENCY": str(config.workers),
        "GUNICORN_THREADS": str(config.threads),
        "GUNICORN_WORKER_CLASS": config.worker_class,
        "GUNICORN_ACCESSLOG": "",
    }
    if config.redis_url:
        env["REDIS_URL"] = config.redis_url
    env.update(config.extra_env)
    return env


def prepare_database(env: dict[str, str]) -> None:
    """migrate and load_questions, as a release does."""
    subprocess.run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([PYTHON, "manage.py", "load_questions"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


@dataclass
class Server:
    url: str
    processes: list[subprocess.Popen]  # gunicorn master first, then speech workers

    def cpu_seconds(self) -> float:
        return sum(tree_cpu_seconds(p.pid) for p in self.processes)

    def cpu_split(self) -> dict[str, float]:
        split = {"gunicorn": tree_cpu_seconds(self.processes[0].pid)}
        if len(self.processes) > 1:
            split["speech_worker"] = sum(tree_cpu_seconds(p.pid) for p in self.processes[1:])
        return split


@contextlib.contextmanager
def app_server(env: dict[str, str], config: ServerConfig, *, log: Path) -> Iterator[Server]:
    """gunicorn -c gunicorn.conf.py (and, with SPEECH_QUEUE=redis, `manage.py speech_worker`)."""
    port = free_port()
    env = {**env, "GUNICORN_BIND": f"127.0.0.1:{port}"}
    output = log.open("ab")
    gunicorn = Path(PYTHON).parent / "gunicorn"
    processes = [
        subprocess.Popen([str(gunicorn), "-c", "gunicorn.conf.py"], cwd=ROOT, env=env, stdout=output, stderr=output)
    ]
    try:
        if config.speech_queue == "redis":
            command = [PYTHON, "manage.py", "speech_worker", "--processes", str(config.speech_processes)]
            processes.append(subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=output))
        url = f"http://127.0.0.1:{port}"
        wait_for(url + "/api/health/", process=processes[0])
        yield Server(url=url, processes=processes)
    finally:
        for process in processes:
            stop(process)
        output.close()


def workdir() -> Path:
    return Path(tempfile.mkdtemp(prefix="bench-", dir="/tmp"))


# --------------------------------------------------------------------------- the baseline


@dataclass
class BaselineConfig:
    worker_class: str = "sync"  # "sync" or "gthread"
    workers: int = 2
    threads: int = 32
    tts: str = "espeak"  # or "espeak+sleep" (espeak, then BASELINE_TTS_EXTRA seconds as gTTS's round trip)

    @property
    def name(self) -> str:
        if self.worker_class == "sync":
            return f"baseline sync {self.workers}"
        return f"baseline gthread {self.workers}x{self.threads}"


@contextlib.contextmanager
def baseline_server(database: Database, llm: FakeLLM, config: BaselineConfig, workdir: Path) -> Iterator[Server]:
    """bench/baseline.py under gunicorn (not gunicorn.conf.py: the seed project had none of it)."""
    env = {
        **os.environ,
        "BASELINE_DATABASE_URL": database.url,
        "BASELINE_MEDIA": str(workdir / "baseline-media"),
        "BASELINE_TTS": config.tts,
        "OPENAI_BASE_URL": llm.base_url,
        "OPENAI_API_KEY": "bench",
    }
    subprocess.run([PYTHON, str(ROOT / "bench" / "baseline.py"), "--init"], env=env, check=True)
    port = free_port()
    command = [
        str(Path(PYTHON).parent / "gunicorn"),
        "--pythonpath", str(ROOT),
        "--bind", f"127.0.0.1:{port}",
        "--workers", str(config.workers),
        "--worker-class", config.worker_class,
        "--threads", str(config.threads if config.worker_class == "gthread" else 1),
        "--timeout", "300",
        "--log-level", "warning",
        "bench.baseline:application",
    ]  # fmt: skip
    # cwd is the bench folder, so gunicorn does not pick up the project's gunicorn.conf.py.
    process = subprocess.Popen(command, cwd=ROOT / "bench", env=env)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_for(url + "/api/health/", process=process)
        yield Server(url=url, processes=[process])
    finally:
        stop(process)
