"""Reliability runs: what must hold under concurrency and failure, checked over HTTP and in the database.

quota_race: one user with a daily limit of 5 sends N turns at once across TWO server processes
  (two gunicorn masters on two ports, one database). Each turn is the first answer of its own
  interview, so that the quota, not "one pending answer per interview", decides: exactly 5 succeed,
  the rest are 429 quota_exceeded, nothing is 5xx, and the ledger and the stored rows say 5.
flaky_upstream: the fake LLM fails a share of chat calls (429, 500, 503, stalls past OPENAI_TIMEOUT,
  garbage, dropped connections) and of speech calls (the same, and empty audio; speech goes through the
  `openai` engine to the same fake, the only built-in way to make synthesis fail). Candidates start,
  answer (JSON and streamed), retry after 503/504 as a client should, and fetch every audio_url. Every
  status must be one API.md documents, every submitted answer must be stored, and the units charged
  (the DailyUsage ledger) must equal the interviewer turns delivered (the assistant messages).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

from bench import stack
from bench.client import Candidate, Client, Recorder, register, start

# What API.md documents for each call (an upstream failure is 503 llm_unavailable / 504 llm_timeout,
# a clip that failed is 503 speech_unavailable); anything else is a failure of the run.
DOCUMENTED = {
    "start": {201, 429, 503, 504},
    "answer": {201, 409, 429, 503, 504},
    "answer (stream)": {200, 409, 429},  # upstream failures arrive as an `error` event in a 200
    "retry": {201, 409, 429, 503, 504},
    "audio": {200, 503},
}
STREAM_ERROR_CODES = {"llm_unavailable", "llm_timeout"}


async def _first_answers_at_once(urls: list[str], token: str, interview_ids: list[int]) -> Recorder:
    recorder = Recorder()
    clients = [Client(url, recorder) for url in urls]
    for client in clients:
        await client.__aenter__()
    try:
        await asyncio.gather(
            *(
                clients[n % len(clients)].call(
                    "answer", "POST", f"/api/interviews/{i}/answers/", {"content": f"race answer {n}"}, token=token
                )
                for n, i in enumerate(interview_ids)
            )
        )
    finally:
        for client in clients:
            await client.__aexit__(None, None, None)
    return recorder


def quota_race(
    database: stack.Database, llm: stack.FakeLLM, workdir: Path, *, turns: int = 100, limit: int = 5
) -> dict:
    config = stack.ServerConfig(extra_env={"DAILY_CHAT_LIMIT": str(limit)})
    env = stack.app_environment(database, llm, config, workdir)
    log = workdir / "quota-race.log"
    with stack.app_server(env, config, log=log) as one, stack.app_server(env, config, log=log) as two:
        # Set-up: the user's interviews, each waiting for its first answer (a raised limit for that).
        async def setup() -> tuple[Candidate, list[int]]:
            async with Client(one.url, Recorder()) as client:
                person = await register(client, "racer")
                raised = "UPDATE accounts_user SET daily_chat_limit = %s WHERE username = 'racer'"
                stack.sql(database, raised, (turns + 10,))
                # One Candidate per interview (same user, same token): start() keeps the interview it made.
                copies = [Candidate(username=person.username, token=person.token) for _ in range(turns)]
                semaphore = asyncio.Semaphore(25)

                async def one_start(copy: Candidate) -> int:
                    async with semaphore:
                        await start(client, copy)
                    return copy.interview_id

                return person, list(await asyncio.gather(*(one_start(c) for c in copies)))

        person, interview_ids = asyncio.run(setup())
        # Today's ledger back to zero and the limit back to the default (5): the race starts.
        user_id = stack.sql(database, "SELECT id FROM accounts_user WHERE username = 'racer'")[0][0]
        stack.sql(database, "UPDATE accounts_user SET daily_chat_limit = NULL WHERE id = %s", (user_id,))
        stack.sql(database, "UPDATE accounts_dailyusage SET used = 0 WHERE user_id = %s", (user_id,))
        recorder = asyncio.run(_first_answers_at_once([one.url, two.url], person.token, interview_ids))

    statuses = Counter(f"{s.status} {s.code}".strip() for s in recorder.samples)
    used = stack.sql(database, "SELECT COALESCE(SUM(used), 0) FROM accounts_dailyusage WHERE user_id = %s", (user_id,))
    answers = stack.sql(
        database,
        "SELECT COUNT(*) FROM interviews_message m JOIN interviews_interview i ON m.interview_id = i.id "
        "WHERE i.owner_id = %s AND m.role = 'user'",
        (user_id,),
    )
    replies = stack.sql(
        database,
        "SELECT COUNT(*) FROM interviews_message m JOIN interviews_interview i ON m.interview_id = i.id "
        "WHERE i.owner_id = %s AND m.role = 'assistant' AND m.reply_to_id IS NOT NULL",
        (user_id,),
    )
    ok = sum(1 for s in recorder.samples if s.status == 201)
    refused = sum(1 for s in recorder.samples if s.status == 429 and s.code == "quota_exceeded")
    server_errors = sum(1 for s in recorder.samples if s.status >= 500 or s.status == 0)
    checks = {
        f"exactly {limit} succeed": ok == limit,
        "the rest are 429 quota_exceeded": refused == turns - limit,
        "no 5xx or dropped request": server_errors == 0,
        f"ledger says {limit} used": int(used[0][0]) == limit,
        f"{limit} answers and {limit} replies stored": answers[0][0] == limit and replies[0][0] == limit,
    }
    return {
        "turns": turns,
        "limit": limit,
        "servers": 2,
        "statuses": dict(statuses),
        "ledger_used": int(used[0][0]),
        "answers_stored": answers[0][0],
        "replies_stored": replies[0][0],
        "checks": checks,
        "passed": all(checks.values()),
    }


async def _flaky_candidate(client: Client, person: Candidate, n: int, *, answers: int, submitted: list[str]) -> None:
    async def post(endpoint: str, path: str, body: dict | None = None) -> tuple[int, object]:
        return await client.call(endpoint, "POST", path, body, token=person.token)

    for _ in range(6):  # a failed start stores nothing; start again
        status, body = await post("start", "/api/interviews/", {"position": "be", "topic": "databases"})
        if status == 201:
            break
        await asyncio.sleep(0.2)
    else:
        return
    interview = body["id"]
    urls = [m["audio_url"] for m in body["messages"] if m.get("audio_url")]
    for k in range(answers):
        content = f"flaky candidate {n} answer {k}: an index keeps keys sorted so lookups read few pages"
        submitted.append(content)
        path = f"/api/interviews/{interview}/answers/"
        if k % 2:  # every other answer streamed
            status, result, _ = await client.stream("answer (stream)", path, {"content": content}, token=person.token)
            failed = status == 200 and not (isinstance(result, dict) and "reply" in result)
        else:
            status, result = await post("answer", path, {"content": content})
            failed = status in (503, 504)
        for _ in range(8):  # the answer is stored and waiting: /retry/ produces its reply
            if not failed:
                break
            await asyncio.sleep(0.2)
            status, result = await post("retry", f"/api/interviews/{interview}/retry/")
            failed = status in (503, 504, 409)
        if isinstance(result, dict) and isinstance(result.get("reply"), dict) and result["reply"].get("audio_url"):
            urls.append(result["reply"]["audio_url"])
        elif failed:
            return  # still no reply after the retries: this candidate stops here
    for url in urls:
        for _ in range(4):  # a failed clip is made again on a later request (SPEECH_RETRY_SECONDS=1)
            status, _ = await client.call("audio", "GET", url)
            if status == 200:
                break
            await asyncio.sleep(1.1)


def flaky_upstream(
    database: stack.Database,
    workdir: Path,
    *,
    candidates: int = 20,
    answers: int = 3,
    chat_fail_rate: float = 0.2,
    speech_fail_rate: float = 0.2,
    latency: float = 0.2,
    queue: str = "thread",
    redis_url: str | None = None,
) -> dict:
    config = stack.ServerConfig(
        speech_engine="openai",
        speech_queue=queue,
        redis_url=redis_url,
        extra_env={"OPENAI_TIMEOUT": "2", "SPEECH_RETRY_SECONDS": "1", "SPEECH_WAIT_SECONDS": "10"},
    )
    with stack.fake_llm(
        latency=latency, chat_fail_rate=chat_fail_rate, speech_fail_rate=speech_fail_rate, hang_seconds=5, seed=5
    ) as llm:
        env = stack.app_environment(database, llm, config, workdir)
        with stack.app_server(env, config, log=workdir / "flaky.log") as server:

            async def run() -> tuple[Recorder, list[str]]:
                recorder, submitted = Recorder(), []
                async with Client(server.url, recorder) as client:
                    people = [await register(client, f"flaky{n}") for n in range(candidates)]
                    await asyncio.gather(
                        *(
                            _flaky_candidate(client, p, n, answers=answers, submitted=submitted)
                            for n, p in enumerate(people)
                        )
                    )
                return recorder, submitted

            recorder, submitted = asyncio.run(run())
            upstream = llm.stats()
    # The rows of this run's candidates (users named flaky<n>), counted in the database.
    flaky = ("flaky%",)
    messages_of_flaky = (
        "FROM interviews_message m JOIN interviews_interview i ON m.interview_id = i.id "
        "JOIN accounts_user u ON i.owner_id = u.id WHERE u.username LIKE %s"
    )
    stored = {
        row[0] for row in stack.sql(database, "SELECT m.content " + messages_of_flaky + " AND m.role = 'user'", flaky)
    }
    used = stack.sql(
        database,
        "SELECT COALESCE(SUM(d.used), 0) FROM accounts_dailyusage d JOIN accounts_user u ON d.user_id = u.id "
        "WHERE u.username LIKE %s",
        flaky,
    )
    delivered = stack.sql(database, "SELECT COUNT(*) " + messages_of_flaky + " AND m.role = 'assistant'", flaky)
    waiting = stack.sql(database, "SELECT COUNT(*) " + messages_of_flaky + " AND m.awaiting_reply", flaky)
    undocumented = Counter()
    for s in recorder.samples:
        if s.endpoint in ("register",):
            continue
        allowed = DOCUMENTED.get(s.endpoint, set())
        bad_stream_error = s.endpoint == "answer (stream)" and s.code and s.code not in STREAM_ERROR_CODES
        if s.status not in allowed or bad_stream_error or s.status == 0:
            undocumented[f"{s.endpoint}: {s.status} {s.code}".strip()] += 1
    missing = [c for c in submitted if c not in stored]
    checks = {
        "only documented statuses": not undocumented,
        "every submitted answer stored": not missing,
        "units used == turns delivered": int(used[0][0]) == delivered[0][0],
    }
    return {
        "candidates": candidates,
        "answers_each": answers,
        "chat_fail_rate": chat_fail_rate,
        "speech_fail_rate": speech_fail_rate,
        "statuses": {k: dict(v) for k, v in recorder.statuses().items()},
        "undocumented": dict(undocumented),
        "submitted": len(submitted),
        "missing": len(missing),
        "ledger_used": int(used[0][0]),
        "turns_delivered": delivered[0][0],
        "answers_still_waiting": waiting[0][0],
        "upstream_calls": upstream["calls"],
        "upstream_failures": upstream["failed"],
        "checks": checks,
        "passed": all(checks.values()),
    }
