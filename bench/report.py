"""BENCHMARKS.md from one run's figures: configuration, targets, a table per scenario, reliability, limits."""

from __future__ import annotations

import math
from typing import Any

PROJECT = "project"
# (key, what, goal text, check): the targets, checked against this project's figures.
TARGETS = [
    ("single", "one answer alone: latency minus the LLM's", "<= 20 ms", lambda r: r["overhead_p50"] <= 0.020),
    (
        "stream",
        "first streamed text minus the fake's first token (alone, p50)",
        "<= 30 ms",
        lambda r: r["sequential"]["overhead_p50"] <= 0.030,
    ),
    ("burst", "{burst} answers at once: wall time", "<= 1.3 s", lambda r: r["wall"] <= 1.3),
    (
        "load",
        "{candidates} candidates x {answers_each} answers: answers/s, p95, errors",
        ">= 80/s, p95 < 1.5 s, 0 errors",
        lambda r: r["answers_per_second"] >= 80 and r["p95"] < 1.5 and r["errors"] == 0,
    ),
    ("audio", "the same while fetching every audio_url: answers/s", ">= 60/s", lambda r: r["answers_per_second"] >= 60),
    ("feed", "public feed, {feed_readers} concurrent readers: p95", "< 50 ms", lambda r: r["p95"] < 0.050),
]


def ms(seconds: float | None) -> str:
    return (
        "-" if seconds is None or (isinstance(seconds, float) and math.isnan(seconds)) else f"{seconds * 1000:.0f} ms"
    )


def sec(seconds: float | None) -> str:
    return "-" if seconds is None or (isinstance(seconds, float) and math.isnan(seconds)) else f"{seconds:.2f} s"


def num(value: float | None, unit: str = "") -> str:
    return "-" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.1f}{unit}"


def measured(key: str, r: dict) -> str:
    if key == "single":
        return f"{ms(r['overhead_p50'])} (p50 {sec(r['p50'])})"
    if key == "stream":
        alone, together = r["sequential"], r["concurrent"]
        return f"{ms(alone['overhead_p50'])} ({together['n']} at once: p95 {ms(together['overhead_p95'])})"
    if key == "burst":
        return sec(r["wall"])
    if key in ("load", "audio"):
        return f"{num(r['answers_per_second'])}/s, p95 {sec(r['p95'])}, {r['errors']} errors"
    return f"p95 {ms(r['p95'])} ({num(r['requests_per_second'])} req/s)"


def targets_checked(results: dict) -> list[dict]:
    project = results["targets"].get(PROJECT, {})
    return [
        {
            "key": key,
            "what": what.format(**results["sizes"]),
            "goal": goal,
            "measured": measured(key, project[key]),
            "passed": check(project[key]),
        }
        for key, what, goal, check in TARGETS
        if key in project
    ]


def _ratio(project: float, baseline: float, *, higher_is_better: bool) -> str:
    if any(v is None or (isinstance(v, float) and math.isnan(v)) or v == 0 for v in (project, baseline)):
        return "-"
    ratio = project / baseline if higher_is_better else baseline / project
    return f"{ratio:.1f}x"


# Per scenario: rows of (label, how to read the figure, format, higher is better).
ROWS: dict[str, list[tuple[str, Any, Any, bool]]] = {
    "single": [
        ("answer latency p50", lambda r: r["p50"], sec, False),
        ("minus the LLM's latency", lambda r: r["overhead_p50"], ms, False),
    ],
    "burst": [
        ("wall time", lambda r: r["wall"], sec, False),
        ("answer p50", lambda r: r["p50"], sec, False),
        ("answer p95", lambda r: r["p95"], sec, False),
        ("errors", lambda r: r["errors"], str, False),
        ("server CPU per answer", lambda r: r["cpu_ms_per_answer"] / 1000, ms, False),
    ],
    "load": [
        ("answers/s", lambda r: r["answers_per_second"], num, True),
        ("wall time", lambda r: r["wall"], sec, False),
        ("answer p50", lambda r: r["p50"], sec, False),
        ("answer p95", lambda r: r["p95"], sec, False),
        ("answer p99", lambda r: r["p99"], sec, False),
        ("errors", lambda r: r["errors"], str, False),
        ("server CPU per answer", lambda r: r["cpu_ms_per_answer"] / 1000, ms, False),
    ],
    "stream": [
        ("first text, alone (p50)", lambda r: r["sequential"]["ttft_p50"], sec, False),
        ("minus the fake's first token", lambda r: r["sequential"]["overhead_p50"], ms, False),
        ("  of which before the LLM call", lambda r: r["sequential"]["before_llm_p50"], ms, False),
        ("  of which after its first chunk", lambda r: r["sequential"]["after_llm_p50"], ms, False),
        ("first text, N at once (p50)", lambda r: r["concurrent"]["ttft_p50"], sec, False),
        ("first text, N at once (p95)", lambda r: r["concurrent"]["ttft_p95"], sec, False),
        ("errors", lambda r: r["errors"], str, False),
    ],
    "feed": [
        ("p50", lambda r: r["p50"], ms, False),
        ("p95", lambda r: r["p95"], ms, False),
        ("p99", lambda r: r["p99"], ms, False),
        ("requests/s", lambda r: r["requests_per_second"], num, True),
        ("server CPU per request", lambda r: r["cpu_ms_per_request"] / 1000, ms, False),
        ("errors", lambda r: r["errors"], str, False),
    ],
}
ROWS["audio"] = [*ROWS["load"], ("audio p95", lambda r: r["endpoints"].get("audio", {}).get("p95"), sec, False)]
TITLES = {
    "single": "One answer alone",
    "burst": "Answers sent at the same moment",
    "load": "Candidates answering in a row, all at once",
    "audio": "The same while fetching every audio_url",
    "stream": "Streaming: time to the first text",
    "feed": "Public feed",
}


def _figure(read: Any, result: dict | None) -> Any:
    if result is None:
        return None
    try:
        return read(result)
    except (KeyError, TypeError):
        return None


def render(results: dict, meta: dict) -> str:
    targets = results["targets"]
    baselines = [name for name in targets if name != PROJECT]
    sizes = results["sizes"]
    config = results.get("config", {})
    out = ["# Benchmarks", ""]
    out.append(f"Written by `{meta['command']}` on {meta['date']} in {meta['seconds']:.0f} s.")
    if meta["quick"]:
        out.append("**A --quick run: small sizes that check the harness; the figures are not the benchmark.**")
    out += ["", "## Configuration", ""]
    out.append(f"- Machine: {meta['machine']}. The load client, the fake LLM and the servers share it.")
    if config:
        out.append(f"- This project: {config['server']}; DEBUG off; {config['database']}.")
        out.append(f"- LLM: {config['llm']}.")
        tts = "espeak inline" if config["baseline_tts"] == "espeak" else "espeak inline plus 0.3 s standing in for gTTS"
        out.append(
            "- Baselines (the source project's design, `bench/baseline.py`): one synchronous view that calls the "
            f"LLM (openai SDK, same fake), writes the rows and synthesizes the speech ({tts}: gTTS needs Google, "
            f"which the benchmark cannot reach), under gunicorn: {', '.join(baselines) or 'none run'}; same database."
        )
    out.append(
        f"- Sizes: {sizes['candidates']} candidates x {sizes['answers_each']} answers, {sizes['burst']} at once, "
        f"{sizes['single']} answers alone, streaming {sizes['stream_sequential']} alone and "
        f"{sizes['stream_concurrent']} at once, feed over {sizes['feed_interviews']:,} public interviews and "
        f"{sizes['feed_messages']:,} messages with {sizes['feed_readers']} readers for {sizes['feed_seconds']:.0f} s."
    )
    out.append(
        "- Method: candidates register once per server; interviews are started before each measured phase; "
        "CPU is the servers' processes' user+system time from /proc (gunicorn master, workers, exited workers, "
        "speech worker) over the measured phase; between scenarios the harness waits for the server to go idle."
    )

    checked = targets_checked(results)
    if checked:
        out += ["", "## Targets", "", "| target | goal | measured | result |", "|---|---|---|---|"]
        for t in checked:
            out.append(f"| {t['what']} | {t['goal']} | {t['measured']} | {'pass' if t['passed'] else '**missed**'} |")
        missed = [t["what"] for t in checked if not t["passed"]]
        out += ["", f"Missed: {'; '.join(missed)}." if missed else "Every target met."]

    for key, rows in ROWS.items():
        if key not in targets.get(PROJECT, {}):
            continue
        out += ["", f"## {TITLES[key]} ({key})", ""]
        header = "| | this project |" + "".join(f" {b} | ratio |" for b in baselines if key in targets[b])
        out += [header, "|---|---|" + "---|---|" * sum(1 for b in baselines if key in targets[b])]
        for label, read, fmt, higher in rows:
            mine = _figure(read, targets[PROJECT][key])
            line = f"| {label} | {fmt(mine) if mine is not None else '-'} |"
            for b in baselines:
                if key not in targets[b]:
                    continue
                theirs = _figure(read, targets[b][key])
                ratio = "-" if label == "errors" else _ratio(mine, theirs, higher_is_better=higher)
                line += f" {fmt(theirs) if theirs is not None else '-'} | {ratio} |"
            out.append(line)
        if key == "stream" and baselines:
            out.append("")
            out.append("The baselines cannot stream: their first text is the whole answer, speech included.")
    if baselines:
        out += [
            "",
            "Ratio: how many times better this project is (time: baseline / project; rate: project / baseline).",
        ]

    project = targets.get(PROJECT, {})
    if "load" in project or "audio" in project:
        scenario = "audio" if "audio" in project else "load"
        out += ["", f"### Per endpoint, this project ({scenario})", ""]
        out += ["| endpoint | requests | p50 | p95 | p99 | statuses |", "|---|---|---|---|---|---|"]
        for endpoint, e in project[scenario]["endpoints"].items():
            statuses = ", ".join(f"{k}: {v}" for k, v in sorted(e["statuses"].items()))
            out.append(
                f"| {endpoint} | {e['count']} | {sec(e['p50'])} | {sec(e['p95'])} | {sec(e['p99'])} | {statuses} |"
            )
    if "register" in project:
        r = project["register"]["endpoints"].get("register", {})
        out += ["", f"Registration (not in the answer figures): p50 {sec(r.get('p50'))}, 4 at a time."]

    out += _reliability(results.get("reliability", {}))
    out += ["", "## What limits it", "", *limits(results)]
    out += ["", "Profiles: (to be added by the lead from a profiled run)."]
    return "\n".join(out) + "\n"


def _reliability(rel: dict) -> list[str]:
    if not rel:
        return []
    out = ["", "## Reliability", ""]
    if q := rel.get("quota"):
        out.append(
            f"**Quota race** ({'pass' if q['passed'] else '**FAILED**'}): one user, daily limit {q['limit']}, "
            f"{q['turns']} first answers of {q['turns']} interviews sent at once across {q['servers']} gunicorn "
            f"masters on one database. Statuses: {_counts(q['statuses'])}; ledger {q['ledger_used']} used; "
            f"{q['answers_stored']} answers and {q['replies_stored']} replies stored."
        )
        out += [f"- {name}: {'yes' if ok else '**no**'}" for name, ok in q["checks"].items()]
    if f := rel.get("flaky"):
        out += [
            "",
            f"**Flaky upstream** ({'pass' if f['passed'] else '**FAILED**'}): the fake LLM failing "
            f"{f['chat_fail_rate']:.0%} of chat calls (429, 500, 503, stalls past OPENAI_TIMEOUT=2 s, garbage, "
            f"dropped connections) and {f['speech_fail_rate']:.0%} of speech calls (the same, and empty audio; "
            f"speech through the `openai` engine to the fake); {f['candidates']} candidates x {f['answers_each']} "
            "answers, JSON and streamed in turn, retrying after 503/504, fetching every audio_url.",
            f"- Upstream: calls {_counts(f['upstream_calls'])}; injected failures {_counts(f['upstream_failures'])}.",
        ]
        for endpoint, statuses in f["statuses"].items():
            out.append(f"- {endpoint}: {_counts(statuses)}")
        out.append(
            f"- {f['submitted']} answers submitted, {f['missing']} missing from the database; ledger "
            f"{f['ledger_used']} units, {f['turns_delivered']} interviewer turns delivered; "
            f"{f['answers_still_waiting']} answers still waiting for a reply."
        )
        if f["undocumented"]:
            out.append(f"- Undocumented statuses: {_counts(f['undocumented'])}")
        out += [f"- {name}: {'yes' if ok else '**no**'}" for name, ok in f["checks"].items()]
    return out


def _counts(counter: dict) -> str:
    return ", ".join(f"{k} x{v}" for k, v in sorted(counter.items())) or "none"


def limits(results: dict) -> list[str]:
    """What the figures say limits throughput, derived from them (no guesses beyond the arithmetic)."""
    project = results["targets"].get(PROJECT, {})
    lines = []
    cores = 2
    for key in ("load", "audio"):
        if key not in project:
            continue
        r = project[key]
        cpu = r["cpu_ms_per_answer"] / 1000
        if cpu > 0:
            lines.append(
                f"- {TITLES[key]}: {ms(cpu)} of server CPU per answer, so {cores} cores at full use would serve at "
                f"most {cores / cpu:.0f} answers/s (measured {r['answers_per_second']:.0f}/s; the load client and "
                "the fake LLM used the same cores)."
            )
        # Each candidate waits for its reply before answering again: at best one answer per LLM latency.
        latency = results.get("latency", 1.0)
        lines.append(
            f"  {results['sizes']['candidates']} candidates answering in a row with a {latency:.1f} s LLM can give "
            f"at most {results['sizes']['candidates'] / latency:.0f} answers/s; the p95 of {sec(r['p95'])} against "
            f"the LLM's {latency:.1f} s is time spent in the server (its CPU, the database, waiting for a core)."
        )
    if "single" in project:
        lines.append(
            f"- Alone, an answer spends {ms(project['single']['overhead_p50'])} in the server around its LLM call."
        )
    if "stream" in project:
        s = project["stream"]["sequential"]
        lines.append(
            f"- Streaming: {ms(s['before_llm_p50'])} from the request to the LLM call (auth, checks, quota, storing "
            f"the answer, building the prompt), {ms(s['after_llm_p50'])} from the LLM's first chunk to the client."
        )
    if "feed" in project:
        f = project["feed"]
        lines.append(
            f"- Feed: {ms(f['cpu_ms_per_request'] / 1000)} of server CPU per page, {f['requests_per_second']:.0f} "
            f"pages/s with {f['readers']} readers; readers that never pause queue for the {cores} cores, so the p95 "
            f"stays under 50 ms only while {f['readers']} x CPU per page / {cores} does (that needs under "
            f"{50 * cores / f['readers']:.1f} ms of CPU per page, at best)."
        )
    if "cpu_split" in project:
        split = project["cpu_split"]
        lines.append("- CPU over the whole run: " + ", ".join(f"{k} {v:.1f} s" for k, v in split.items()) + ".")
    return lines or ["- (no performance scenario ran)"]
