"""The baseline: the source project's design, as a tiny standalone WSGI app (no Django).

The seed project (Mock-Interviewer) answered a turn in one synchronous view: check the daily count,
call the LLM, store the exchange, synthesize the reply with gTTS, write the MP3, return the text and
the audio URL; gunicorn ran it with sync workers. This app does the same work on the same paths and
fields as this project, so the same load client drives both:

- POST /api/auth/register/   a user row, its password hashed like Django's default (PBKDF2-SHA256,
                              1,000,000 iterations), a random token            -> 201 {access}
- POST /api/interviews/      today's turn count, the LLM's greeting, the rows, the speech, inline
                                                                              -> 201 {id, messages}
- POST /api/interviews/{id}/answers/  today's count, the history, the LLM, the rows, the speech, inline
                                                                              -> 201 {answer, reply}
- GET  /api/audio/{name}.mp3 the stored file; GET /api/health/.

The LLM is the same fake OpenAI server, called through the openai SDK (plain chat completion, as the
seed did). gTTS needs Google, which the benchmark has no access to: speech is this project's offline
espeak engine, called inline (BASELINE_TTS=espeak, the default), or espeak plus a sleep of
BASELINE_TTS_EXTRA seconds standing in for gTTS's round trip to Google. The database is SQLite
(sqlite3) or PostgreSQL (psycopg), one connection per request as Django's CONN_MAX_AGE=0 did.

    gunicorn --pythonpath bench baseline:application    (env: BASELINE_DATABASE_URL, BASELINE_MEDIA,
                                                          OPENAI_BASE_URL, OPENAI_API_KEY)
    python bench/baseline.py --init                     creates the tables
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import secrets
import sqlite3
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from speech.engines import espeak  # noqa: E402 - the offline engine, standing in for gTTS

DATABASE_URL = os.environ["BASELINE_DATABASE_URL"]
MEDIA = Path(os.environ["BASELINE_MEDIA"])
TTS = os.environ.get("BASELINE_TTS", "espeak")
TTS_EXTRA = float(os.environ.get("BASELINE_TTS_EXTRA", "0.3"))
DAILY_LIMIT = int(os.environ.get("BASELINE_DAILY_LIMIT", "1000000"))
HASH_ITERATIONS = 1_000_000  # Django 5.2's PBKDF2PasswordHasher.iterations

SCHEMA = [
    "CREATE TABLE IF NOT EXISTS users (id {pk}, username TEXT UNIQUE NOT NULL, password TEXT NOT NULL, "
    "token TEXT UNIQUE NOT NULL)",
    "CREATE TABLE IF NOT EXISTS interviews (id {pk}, user_id INTEGER NOT NULL, topic TEXT NOT NULL, "
    "created_at TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS messages (id {pk}, interview_id INTEGER NOT NULL, user_id INTEGER NOT NULL, "
    "role TEXT NOT NULL, content TEXT NOT NULL, audio TEXT, created_at TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS messages_interview ON messages (interview_id, id)",
    "CREATE INDEX IF NOT EXISTS messages_user_day ON messages (user_id, role, created_at)",
]
_ANSWERS = re.compile(r"^/api/interviews/(\d+)/answers/$")
_AUDIO = re.compile(r"^/api/audio/([0-9a-f]{64})\.mp3$")
_llm = None


class Db:
    """One connection, `%s` placeholders on both databases."""

    def __init__(self) -> None:
        self.sqlite = DATABASE_URL.startswith("sqlite")
        if self.sqlite:
            self.conn = sqlite3.connect(DATABASE_URL.removeprefix("sqlite:///"), timeout=20, isolation_level=None)
            self.conn.execute("PRAGMA journal_mode=WAL")
        else:
            import psycopg

            self.conn = psycopg.connect(DATABASE_URL, autocommit=True)

    def run(self, statement: str, params: tuple = ()) -> list[tuple]:
        if self.sqlite:
            statement = statement.replace("%s", "?")
        cursor = self.conn.execute(statement, params)
        return cursor.fetchall() if cursor.description else []

    def insert(self, statement: str, params: tuple) -> int:
        return self.run(statement + " RETURNING id", params)[0][0]

    def close(self) -> None:
        self.conn.close()


def init() -> None:
    db = Db()
    pk = "INTEGER PRIMARY KEY AUTOINCREMENT" if db.sqlite else "SERIAL PRIMARY KEY"
    for statement in SCHEMA:
        db.run(statement.format(pk=pk))
    db.close()


def llm_reply(messages: list[dict[str, str]]) -> str:
    global _llm
    if _llm is None:  # made in the worker, after gunicorn's fork
        from openai import OpenAI

        _llm = OpenAI(base_url=os.environ["OPENAI_BASE_URL"], api_key=os.environ.get("OPENAI_API_KEY", "x"))
    completion = _llm.chat.completions.create(model="gpt-4o-mini", messages=messages, timeout=30)
    return completion.choices[0].message.content or ""


def speak(text: str) -> str:
    """Synthesize inline and store the MP3; returns its name."""
    data = espeak.synthesize(text, language="en")
    if TTS == "espeak+sleep":
        time.sleep(TTS_EXTRA)
    name = hashlib.sha256(text.encode() + secrets.token_bytes(8)).hexdigest()
    MEDIA.mkdir(parents=True, exist_ok=True)
    (MEDIA / f"{name}.mp3").write_bytes(data)
    return name


def application(environ: dict, start_response: Any) -> list[bytes]:
    method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "")
    try:
        if path == "/api/health/":
            return _json(start_response, 200, {"status": "ok"})
        if (match := _AUDIO.match(path)) and method == "GET":
            file = MEDIA / f"{match[1]}.mp3"
            if not file.exists():
                return _json(start_response, 404, {"error": "not found"})
            data = file.read_bytes()
            start_response("200 OK", [("Content-Type", "audio/mpeg"), ("Content-Length", str(len(data)))])
            return [data]
        if method != "POST":
            return _json(start_response, 405, {"error": "method not allowed"})
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = json.loads(environ["wsgi.input"].read(length) or b"{}")
        db = Db()
        try:
            if path == "/api/auth/register/":
                return _register(start_response, db, body)
            user_id = _user(db, environ.get("HTTP_AUTHORIZATION", ""))
            if user_id is None:
                return _json(start_response, 401, {"error": "Invalid token."})
            if path == "/api/interviews/":
                return _start(start_response, db, environ, user_id, body)
            if match := _ANSWERS.match(path):
                return _answer(start_response, db, environ, user_id, int(match[1]), body)
            return _json(start_response, 404, {"error": "not found"})
        finally:
            db.close()
    except Exception as exc:  # the seed answered 500 with the error text
        return _json(start_response, 500, {"error": f"{type(exc).__name__}: {exc}"})


def _register(start_response: Any, db: Db, body: dict) -> list[bytes]:
    salt = secrets.token_hex(11)
    digest = hashlib.pbkdf2_hmac("sha256", body["password"].encode(), salt.encode(), HASH_ITERATIONS).hex()
    token = secrets.token_hex(20)
    db.insert(
        "INSERT INTO users (username, password, token) VALUES (%s, %s, %s)",
        (body["username"], f"pbkdf2_sha256${HASH_ITERATIONS}${salt}${digest}", token),
    )
    return _json(start_response, 201, {"access": token})


def _user(db: Db, header: str) -> int | None:
    token = header.partition(" ")[2]
    rows = db.run("SELECT id FROM users WHERE token = %s", (token,))
    return rows[0][0] if rows else None


def _over_limit(db: Db, user_id: int) -> bool:
    today = dt.date.today().isoformat()
    rows = db.run(
        "SELECT COUNT(*) FROM messages WHERE user_id = %s AND role = 'assistant' AND created_at >= %s",
        (user_id, today),
    )
    return rows[0][0] >= DAILY_LIMIT


def _start(start_response: Any, db: Db, environ: dict, user_id: int, body: dict) -> list[bytes]:
    if _over_limit(db, user_id):
        return _json(start_response, 429, {"error": "You have exceeded the chat request limit for today."})
    topic = body.get("topic", "")
    text = llm_reply(
        [
            {"role": "system", "content": f"You are an interviewer for a {body.get('position')} position on {topic}."},
            {"role": "user", "content": "Start the interview with a greeting and the first question."},
        ]
    )
    now = dt.datetime.now().isoformat()
    interview_id = db.insert(
        "INSERT INTO interviews (user_id, topic, created_at) VALUES (%s, %s, %s)", (user_id, topic, now)
    )
    audio = speak(text)
    message_id = db.insert(
        "INSERT INTO messages (interview_id, user_id, role, content, audio, created_at) "
        "VALUES (%s, %s, 'assistant', %s, %s, %s)",
        (interview_id, user_id, text, audio, now),
    )
    message = {"id": message_id, "role": "assistant", "content": text, "audio_url": _audio_url(environ, audio)}
    return _json(start_response, 201, {"id": interview_id, "messages": [message]})


def _answer(start_response: Any, db: Db, environ: dict, user_id: int, interview_id: int, body: dict) -> list[bytes]:
    if not db.run("SELECT id FROM interviews WHERE id = %s AND user_id = %s", (interview_id, user_id)):
        return _json(start_response, 404, {"error": "not found"})
    if _over_limit(db, user_id):
        return _json(start_response, 429, {"error": "You have exceeded the chat request limit for today."})
    history = db.run("SELECT role, content FROM messages WHERE interview_id = %s ORDER BY id", (interview_id,))
    messages = [{"role": "system", "content": "You are a job interviewer. Ask one question at a time."}]
    messages += [{"role": role, "content": content} for role, content in history]
    messages.append({"role": "user", "content": body["content"]})
    text = llm_reply(messages)
    now = dt.datetime.now().isoformat()
    answer_id = db.insert(
        "INSERT INTO messages (interview_id, user_id, role, content, created_at) VALUES (%s, %s, 'user', %s, %s)",
        (interview_id, user_id, body["content"], now),
    )
    audio = speak(text)
    reply_id = db.insert(
        "INSERT INTO messages (interview_id, user_id, role, content, audio, created_at) "
        "VALUES (%s, %s, 'assistant', %s, %s, %s)",
        (interview_id, user_id, text, audio, now),
    )
    return _json(
        start_response,
        201,
        {
            "answer": {"id": answer_id, "role": "user", "content": body["content"], "audio_url": None},
            "reply": {"id": reply_id, "role": "assistant", "content": text, "audio_url": _audio_url(environ, audio)},
        },
    )


def _audio_url(environ: dict, name: str) -> str:
    return f"http://{environ['HTTP_HOST']}/api/audio/{name}.mp3"


def _json(start_response: Any, status: int, payload: Any) -> list[bytes]:
    data = json.dumps(payload).encode()
    reason = {200: "OK", 201: "Created", 401: "Unauthorized", 404: "Not Found", 405: "Method Not Allowed"}
    reason |= {429: "Too Many Requests", 500: "Internal Server Error"}
    start_response(
        f"{status} {reason.get(status, 'Error')}",
        [("Content-Type", "application/json"), ("Content-Length", str(len(data)))],
    )
    return [data]


if __name__ == "__main__":
    if sys.argv[1:] == ["--init"]:
        init()
    else:
        print(__doc__)
