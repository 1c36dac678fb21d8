"""`make bench`: this project against the source project's design, under load, and its reliability runs.

Starts the production configuration on this machine (gunicorn with gunicorn.conf.py, DEBUG off; a fresh
PostgreSQL database when PostgreSQL is reachable, else SQLite; a redis-server of its own when the binary
exists, for the cache and the speech queue with a speech_worker beside gunicorn) and the fake OpenAI
server in a process of its own with 1.0 s latency, then drives simulated candidates with an asyncio
client. Scenarios (each against this project and the baselines, bench/baseline.py):

  single  one answer alone: its latency minus the LLM's
  burst   50 answers sent at the same moment: wall time
  load    100 candidates x 3 answers in a row: answers/s, p95, errors, server CPU per answer
  audio   the same while fetching every audio_url
  stream  time to the first streamed text minus the fake's time to its first token, alone and 50 at once
  feed    GET /api/feed/ over 10,000 public interviews and 100,000 messages, 20 readers: p95
  quota   reliability: 100 turns of one user (limit 5) at once across two server processes
  flaky   reliability: the LLM and the speech engine failing 20% of calls

Writes BENCHMARKS.md (--out) and the raw figures as JSON (--json).

    python bench/run.py [--quick] [--only single,burst,...] [--baselines sync,gthread|none]
                        [--database auto|postgresql|sqlite] [--redis auto|off] [--out FILE] [--json FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import math
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import reliability, scenarios, stack  # noqa: E402 - needs the project on sys.path
from bench.report import render, targets_checked  # noqa: E402

PERF = ("single", "burst", "load", "audio", "stream", "feed")
RELIABILITY = ("quota", "flaky")
SIZES = {  # full run, --quick
    "candidates": (100, 10),
    "answers_each": (3, 2),
    "burst": (50, 10),
    "single": (10, 3),
    "stream_sequential": (10, 3),
    "stream_concurrent": (50, 5),
    "feed_interviews": (10_000, 1_000),
    "feed_messages": (100_000, 10_000),
    "feed_readers": (20, 5),
    "feed_seconds": (15.0, 3.0),
    "race_turns": (100, 20),
    "flaky_candidates": (20, 6),
}


def perf_runs(target: scenarios.Target, wanted: list[str], sizes: dict, llm: stack.FakeLLM, log: list) -> dict:
    """The performance scenarios against one target; candidates are registered once and reused."""
    out: dict = {}
    answering = [s for s in wanted if s != "feed"]
    if answering:
        count = max(sizes["candidates"], sizes["burst"], sizes["stream_concurrent"] + 1)
        prefix = target.name.replace(" ", "").replace("x", "t") + "c"
        people, out["register"] = asyncio.run(scenarios.candidates_register(target, count, prefix=prefix))
        log.append(f"{target.name}: registered {count} candidates in {out['register']['seconds']:.1f} s")
    for name in wanted:
        began = time.monotonic()
        if name == "single":
            out[name] = asyncio.run(scenarios.single(target, people[0], answers=sizes["single"], latency=llm.latency))
        elif name == "burst":
            out[name] = asyncio.run(scenarios.burst(target, people[: sizes["burst"]]))
        elif name in ("load", "audio"):
            group = people[: sizes["candidates"]]
            out[name] = asyncio.run(
                scenarios.load(target, group, answers_each=sizes["answers_each"], audio=name == "audio")
            )
        elif name == "stream":
            group = people[: sizes["stream_concurrent"] + 1]
            out[name] = asyncio.run(scenarios.streaming(target, group, llm, sequential=sizes["stream_sequential"]))
        elif name == "feed":
            pages = max(2, min(50, sizes["feed_interviews"] // 20))
            out[name] = asyncio.run(
                scenarios.feed(target, readers=sizes["feed_readers"], seconds=sizes["feed_seconds"], pages=pages)
            )
        log.append(f"{target.name}: {name} done in {time.monotonic() - began:.1f} s")
        print(log[-1], flush=True)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, to check the harness (minutes)")
    parser.add_argument("--only", default="", help=f"scenarios, comma-separated: {','.join(PERF + RELIABILITY)}")
    parser.add_argument("--baselines", default="sync,gthread", help="sync, gthread, both, or none")
    parser.add_argument("--baseline-tts", default="espeak", choices=["espeak", "espeak+sleep"])
    parser.add_argument("--database", default=os.environ.get("BENCH_DATABASE", "auto"))
    parser.add_argument("--redis", default="auto", choices=["auto", "off"])
    parser.add_argument("--worker-class", default="uvicorn", choices=["uvicorn", "gthread"])  # the product default
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=32)
    parser.add_argument("--latency", type=float, default=1.0, help="the fake LLM's seconds to its first token")
    parser.add_argument("--out", default=str(ROOT / "BENCHMARKS.md"))
    parser.add_argument("--json", default="", help="also write the raw figures here")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a performance target is missed")
    parser.add_argument("--keep", action="store_true", help="keep the work directory (server logs, SQLite files)")
    for name, (full, _) in SIZES.items():
        parser.add_argument(f"--{name.replace('_', '-')}", type=type(full), default=None)
    args = parser.parse_args(argv)

    wanted = [s for s in (args.only.split(",") if args.only else PERF + RELIABILITY) if s]
    if unknown := set(wanted) - set(PERF + RELIABILITY):
        parser.error(f"unknown scenarios: {', '.join(sorted(unknown))}")
    sizes = {name: pair[1] if args.quick else pair[0] for name, pair in SIZES.items()}
    sizes.update({k: v for k, v in vars(args).items() if k in SIZES and v is not None})
    baselines = {
        "sync": stack.BaselineConfig("sync", tts=args.baseline_tts),
        "gthread": stack.BaselineConfig("gthread", tts=args.baseline_tts),
    }
    chosen = [] if args.baselines == "none" else [baselines[b] for b in args.baselines.split(",") if b]

    workdir = stack.workdir()
    started = dt.datetime.now().astimezone()
    results: dict = {"targets": {}, "reliability": {}, "sizes": sizes, "latency": args.latency, "log": []}
    databases: list[stack.Database] = []
    print(f"bench: work directory {workdir}", flush=True)
    try:
        with contextlib.ExitStack() as stage:
            redis_url = stage.enter_context(stack.redis_server()) if args.redis == "auto" else None
            config = stack.ServerConfig(
                workers=args.workers,
                threads=args.threads,
                worker_class=args.worker_class,
                redis_url=redis_url,
                speech_queue="redis" if redis_url else "thread",
            )
            llm = stage.enter_context(stack.fake_llm(latency=args.latency))
            database = stack.create_database(args.database, "app", workdir)
            databases.append(database)
            env = stack.app_environment(database, llm, config, workdir)
            stack.prepare_database(env)
            perf = [s for s in wanted if s in PERF]
            if "feed" in perf:
                began = time.monotonic()
                seed = [sys.executable, str(ROOT / "bench" / "seed_feed.py")]
                seed += [f"--interviews={sizes['feed_interviews']}", f"--messages={sizes['feed_messages']}"]
                subprocess.run(seed, cwd=ROOT, env=env, check=True)
                results["log"].append(f"feed seeded in {time.monotonic() - began:.1f} s")
            results["config"] = {
                "server": config.describe(),
                "database": database.version,
                "llm": f"bench/fakellm.py (devtools.fakeopenai in its own process), {args.latency:.1f} s to the "
                "first token, the whole reply at once",
                "baseline_tts": args.baseline_tts,
            }
            if perf:
                with stack.app_server(env, config, log=workdir / "app.log") as server:
                    target = scenarios.Target("project", server.url, server.cpu_seconds, streams=True)
                    results["targets"]["project"] = perf_runs(target, perf, sizes, llm, results["log"])
                    results["targets"]["project"]["cpu_split"] = server.cpu_split()
                for baseline in chosen:
                    base_db = stack.create_database(database.kind, baseline.name.split()[1], workdir)
                    databases.append(base_db)
                    with stack.baseline_server(base_db, llm, baseline, workdir) as server:
                        target = scenarios.Target(baseline.name, server.url, server.cpu_seconds, streams=False)
                        results["targets"][baseline.name] = perf_runs(
                            target, [s for s in perf if s != "feed"], sizes, llm, results["log"]
                        )
            if "quota" in wanted:
                began = time.monotonic()
                results["reliability"]["quota"] = reliability.quota_race(
                    database, llm, workdir, turns=sizes["race_turns"]
                )
                results["log"].append(f"quota race done in {time.monotonic() - began:.1f} s")
                print(results["log"][-1], flush=True)
            if "flaky" in wanted:
                began = time.monotonic()
                results["reliability"]["flaky"] = reliability.flaky_upstream(
                    database,
                    workdir,
                    candidates=sizes["flaky_candidates"],
                    queue=config.speech_queue,
                    redis_url=redis_url,
                )
                results["log"].append(f"flaky upstream done in {time.monotonic() - began:.1f} s")
                print(results["log"][-1], flush=True)
    finally:
        for database in databases:
            with contextlib.suppress(Exception):
                database.close()
        if args.keep:
            print(f"bench: server logs and files kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    meta = {
        "date": started.isoformat(timespec="minutes"),
        "seconds": (dt.datetime.now().astimezone() - started).total_seconds(),
        "machine": _machine(),
        "command": " ".join(["python bench/run.py", *(argv if argv is not None else sys.argv[1:])]),
        "quick": args.quick,
        "latency": args.latency,
    }
    Path(args.out).write_text(render(results, meta), encoding="utf-8")
    if args.json:
        Path(args.json).write_text(json.dumps({"meta": meta, **results}, indent=1, default=_json_default) + "\n")
    print(f"bench: wrote {args.out} ({meta['seconds']:.0f} s)")
    # Reliability is a property of the code: a failed check fails the run. Performance targets depend on the
    # machine and its load: a miss is reported, and fails the run only with --strict.
    failed = [name for name, r in results["reliability"].items() if not r["passed"]]
    missed = [t["what"] for t in targets_checked(results) if not t["passed"]]
    for name in failed:
        print(f"bench: reliability run {name!r} FAILED")
    for what in missed:
        print(f"bench: target missed: {what}")
    return 1 if failed or (args.strict and missed) else 0


def _json_default(value: object) -> object:
    return None if isinstance(value, float) and math.isnan(value) else str(value)


def _machine() -> str:
    cpu = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = ""
    with contextlib.suppress(OSError, ValueError, IndexError):
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kb / 1024 / 1024:.1f} GiB RAM"
    load = os.getloadavg()
    return (
        f"{os.cpu_count()} cores ({cpu}){memory}; {platform.system()} {platform.release()}; Python "
        f"{platform.python_version()}; load average at the start {load[0]:.2f}"
    )


if __name__ == "__main__":
    raise SystemExit(main())
