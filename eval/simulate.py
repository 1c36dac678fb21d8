"""Simulated candidates: personas (eval/personas/*.json) played through the real HTTP API of a live server.

A persona is data: per candidate message, a strategy (how to write the message) and what the persona
expects of the interviewer's judgement. `run_candidate` registers a fresh user, optionally uploads the
persona's CV, starts an interview, answers until the interviewer closes (or MAX_TURNS), finishes it,
reads the interview, its messages and every audio URL back, and returns the whole exchange as a
transcript (a JSON-ready dict) for eval.criteria to grade. Standard library only (urllib).
"""

from __future__ import annotations

import json
import re
import secrets
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eval.bank import Bank, Found, other_language

PERSONA_DIR = Path(__file__).resolve().parent / "personas"
# A persona that keeps the interviewer on one question (a loop) is stopped here, and fails the plan.
MAX_TURNS = 12
PASSWORD_BYTES = 18
STRATEGIES = ("literal", "strong", "partial", "mismatched", "other_language", "echo", "star")
EXPECT_KEYS = {"kind", "correctness", "holds_question", "injection", "reply_mentions"}

_SENTENCE = re.compile(r"(?<=[.!?。])\s+")
_QUOTED = re.compile(r"[“\"]([^”\"]+)[”\"]")


# --- Personas ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One candidate message: how to write it, and what the persona expects of its judgement."""

    send: str
    text: dict = field(default_factory=dict)  # language -> literal text (strategy "literal")
    expect: dict = field(default_factory=dict)

    @classmethod
    def of(cls, raw: dict, *, persona: str) -> Step:
        if raw.get("send") not in STRATEGIES:
            raise ValueError(f"persona {persona}: unknown strategy {raw.get('send')!r} (one of {STRATEGIES})")
        if raw["send"] == "literal" and not all(raw.get("text", {}).get(lang) for lang in ("en", "ko")):
            raise ValueError(f"persona {persona}: a literal step needs text in en and ko")
        unknown = set(raw.get("expect", {})) - EXPECT_KEYS
        if unknown:
            raise ValueError(f"persona {persona}: unknown expectation {sorted(unknown)} (known: {sorted(EXPECT_KEYS)})")
        return cls(send=raw["send"], text=raw.get("text", {}), expect=raw.get("expect", {}))


@dataclass(frozen=True)
class Persona:
    """A scripted candidate: `turns` in order, then `then` for every later message (default: the last turn)."""

    name: str
    description: str
    turns: tuple[Step, ...]
    then: Step
    cv: dict = field(default_factory=dict)  # language -> CV text, uploaded before the start

    @classmethod
    def load(cls, path: Path) -> Persona:
        raw = json.loads(path.read_text(encoding="utf-8"))
        name = raw["name"]
        turns = tuple(Step.of(step, persona=name) for step in raw.get("turns", []))
        then = Step.of(raw["then"], persona=name) if "then" in raw else (turns[-1] if turns else None)
        if then is None:
            raise ValueError(f"persona {name}: needs `turns` or `then`")
        return cls(name=name, description=raw.get("description", ""), turns=turns, then=then, cv=raw.get("cv", {}))

    def step(self, n: int) -> Step:
        return self.turns[n] if n < len(self.turns) else self.then


def personas_load(directory: Path = PERSONA_DIR, *, names: list[str] | None = None) -> list[Persona]:
    """Every persona file, in file-name order (or only those named)."""
    personas = [Persona.load(path) for path in sorted(directory.glob("*.json"))]
    if names:
        unknown = set(names) - {p.name for p in personas}
        if unknown:
            raise ValueError(f"unknown personas: {sorted(unknown)}")
        personas = [p for p in personas if p.name in names]
    return personas


# --- What the candidate writes --------------------------------------------------------------------------


@dataclass
class InPlay:
    """What the candidate believes is being asked: the last question-asking interviewer message."""

    text: str = ""  # the interviewer message that asked it
    stage: str = ""
    found: Found | None = None  # the bank question (or probe) recognised in it
    focus: str = ""  # for a personal question: the CV skill or project it is about


def write(step: Step, *, play: InPlay, language: str, bank: Bank) -> str:
    """The candidate's message for `step`, given the question in play."""
    if step.send == "literal":
        return step.text[language]
    if step.send == "echo":
        return _asked_text(play, language)
    if play.stage == "personal" or play.found is None:
        # A question built from the CV, not from the bank: a STAR story is the strong answer to it.
        story_language = other_language(language) if step.send == "other_language" else language
        return star_story(focus=play.focus, language=story_language)
    entry = play.found.entry
    if step.send in ("strong", "star"):
        return entry.answer(language)
    if step.send == "other_language":
        return entry.answer(other_language(language))
    if step.send == "mismatched":
        other = bank.elsewhere(entry)
        return (other or entry).answer(language)
    if step.send == "partial":
        points = entry.key_points(language)
        # Saying back what the question names makes no point ("WebSocket or SSE?" "WebSocket."): the
        # partial candidate names each point by a term of its own.
        asked = f"{entry.question(language)} {play.text}"
        if play.found.point is not None:  # a follow-up: the probed point, and only it
            return _point_terms([points[play.found.point]], language, asked=asked)
        # About half of what was asked, by construction: the terms of the first half of the key points.
        return _point_terms(points[: max(1, len(points) // 2)], language, asked=asked)
    raise ValueError(f"unknown strategy {step.send!r}")


def _asked_text(play: InPlay, language: str) -> str:
    """The question as the interviewer asked it (what an echoing candidate repeats)."""
    found = play.found
    if found is not None and found.point is None:
        return found.entry.question(language)
    if found is not None:
        return found.entry.key_points(language)[found.point]["probe"].strip()
    sentences = [s for s in _SENTENCE.split(play.text.strip()) if s]
    return sentences[-1] if sentences else play.text


def _point_terms(points: list[dict], language: str, *, asked: str = "") -> str:
    """A sentence naming each point by its first term that the question does not say, and nothing else."""
    said = asked.casefold()
    terms = []
    for point in points:
        candidates = [*point.get("keywords", []), *point.get("synonyms", [])] or [point["text"]]
        terms.append(next((term for term in candidates if term.casefold() not in said), candidates[0]))
    if language == "ko":
        return f"제 생각에는 {', '.join(terms)} 정도가 핵심입니다."
    return f"I think it comes down to {', '.join(terms[:-1]) + ' and ' if len(terms) > 1 else ''}{terms[-1]}."


def star_story(*, focus: str, language: str) -> str:
    """A STAR answer (situation, task, action, result, with a number) about `focus`."""
    if language == "ko":
        about = f"“{focus}” 작업이었습니다. " if focus else ""
        return (
            f"이전 직장에서 저희 팀이 운영하던 결제 서비스가 사용량이 몰릴 때마다 느려졌습니다. {about}"
            "제가 개선을 맡아 병목을 직접 측정하고, 구조를 설계해 단계적으로 구현했으며, 기능 플래그로 "
            "나누어 배포하기로 결정했습니다. "
            "그 결과 p95 응답 시간을 900ms에서 250ms로 단축했고 오류율도 40% 줄였습니다."
        )
    about = f"The work was “{focus}”. " if focus else ""
    return (
        "At my last company our team ran a checkout service that slowed down badly at peak hours. "
        f"{about}I was responsible for the fix: I measured where the time went, I designed the change and "
        "I implemented it step by step, and I decided to roll it out behind a feature flag. As a result, p95 "
        "latency went down from 900 ms to 250 ms and the error rate fell by 40 percent."
    )


def focus_of(question: str, cv_summary: dict) -> str:
    """The CV skill or project a personal question is about: the summary's item found in it, else the
    quoted part of the question."""
    items = [*cv_summary.get("projects", []), *cv_summary.get("skills", [])]
    for item in sorted(items, key=len, reverse=True):
        if item and item in question:
            return item
    quoted = _QUOTED.search(question)
    return quoted.group(1) if quoted else ""


# --- HTTP ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict
    body: Any  # parsed JSON, or None
    data: bytes = b""


class Api:
    """A tiny client of the server's HTTP API (urllib: a new connection per request, like any client)."""

    def __init__(self, base_url: str, *, timeout: float = 120.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    def call(self, method: str, path: str, body: Any = None, *, token: str = "") -> Response:
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        return self._send(method, self._url(path), data, headers, token)

    def upload(self, path: str, *, filename: str, content: bytes, content_type: str, token: str) -> Response:
        boundary = f"----eval{secrets.token_hex(12)}"
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n"
        ).encode()
        data = head + content + f"\r\n--{boundary}--\r\n".encode()
        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}", "Accept": "application/json"}
        return self._send("POST", self._url(path), data, headers, token)

    def fetch(self, url: str) -> Response:
        return self._send("GET", url, None, {}, "", parse=False)

    def _url(self, path: str) -> str:
        return path if path.startswith("http") else f"{self.base_url}{path}"

    def _send(self, method: str, url: str, data: bytes | None, headers: dict, token: str, parse: bool = True):
        request = urllib.request.Request(url, data=data, method=method, headers=headers)  # noqa: S310 - http(s) only
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                status, head, raw = response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            status, head, raw = error.code, dict(error.headers), error.read()
        body = None
        if parse and raw:
            try:
                body = json.loads(raw)
            except ValueError:
                body = None
        return Response(status=status, headers={k.lower(): v for k, v in head.items()}, body=body, data=raw)


# --- One candidate ------------------------------------------------------------------------------------


def _interview_state(interview: dict) -> dict:
    return {key: interview.get(key) for key in ("stage", "progress", "plan", "turns_needed", "status")}


def _update(play: InPlay, message: dict, *, bank: Bank, cv_summary: dict) -> str | None:
    """Follow the interviewer: a message that asks a (new or restated) question puts it in play.
    Returns the key of what the message asks, or None when it asks nothing recognisable."""
    text, stage = message["content"], message.get("stage") or ""
    found = bank.find(text)
    if found is not None:
        play.text, play.stage, play.found, play.focus = text, stage, found, ""
        return found.key
    if stage == "personal":
        play.text, play.stage, play.found = text, stage, None
        play.focus = focus_of(text, cv_summary)
        return "personal:" + " ".join(text.split()[-12:])
    if stage and stage != play.stage:
        # A new stage whose question the candidate cannot place (a bank edited since): answer blind.
        play.text, play.stage, play.found, play.focus = text, stage, None, ""
    return None


def run_candidate(
    *, api: Api, bank: Bank, persona: Persona, position: str, language: str, topic: str = "", tag: str = ""
) -> dict:
    """Play `persona` through one interview and return its transcript (see the module docstring)."""
    transcript: dict = {
        "persona": persona.name,
        "position": position,
        "language": language,
        "topic": topic,
        "turns": [],
        "errors": [],
        "unrecognised": [],
    }
    suffix = secrets.token_hex(4)
    username = f"cand_{persona.name}_{position}_{language}_{tag}{suffix}"[:150]
    registered = api.call(
        "POST",
        "/api/auth/register/",
        {"username": username, "email": f"{username}@eval.example", "password": secrets.token_urlsafe(PASSWORD_BYTES)},
    )
    if registered.status != 201:
        transcript["errors"].append({"step": "register", "status": registered.status, "body": registered.body})
        return transcript
    token = registered.body["access"]
    transcript["quota_limit"] = registered.body["user"]["quota"]["limit"]

    start_body: dict = {"position": position, "language": language}
    if topic:
        start_body["topic"] = topic
    cv_summary: dict = {}
    if persona.cv:
        uploaded = api.upload(
            "/api/cvs/",
            filename=f"cv-{language}.txt",
            content=persona.cv[language].encode(),
            content_type="text/plain",
            token=token,
        )
        if uploaded.status != 201:
            transcript["errors"].append({"step": "cv", "status": uploaded.status, "body": uploaded.body})
            return transcript
        cv_summary = uploaded.body["summary"]
        transcript["cv"] = {"id": uploaded.body["id"], "summary": cv_summary}
        start_body["cv_id"] = uploaded.body["id"]

    started = api.call("POST", "/api/interviews/", start_body, token=token)
    if started.status != 201:
        transcript["errors"].append({"step": "start", "status": started.status, "body": started.body})
        return transcript
    interview = started.body
    interview_id = interview["id"]
    transcript["start"] = {"request": start_body, **_interview_state(interview), "notice": interview.get("notice")}
    play = InPlay()
    opening = interview["messages"][0]
    transcript["opening"] = {"message": opening, "asks": _update(play, opening, bank=bank, cv_summary=cv_summary)}
    if transcript["opening"]["asks"] is None:
        transcript["unrecognised"].append(opening["content"])
    state = _interview_state(interview)

    for n in range(MAX_TURNS):
        if state["stage"] == "closing":
            break
        step = persona.step(n)
        content = write(step, play=play, language=language, bank=bank)
        asked = play.found.key if play.found else ("personal" if play.stage == "personal" else None)
        points = [point["text"] for point in play.found.entry.key_points(language)] if play.found else []
        answered = api.call("POST", f"/api/interviews/{interview_id}/answers/", {"content": content}, token=token)
        turn = {
            "n": n,
            "send": step.send,
            "expect": step.expect,
            "content": content,
            "heard": play.text,  # the interviewer's message the candidate answers
            "asked": asked,
            "asked_points": points,
            "before": state,
            "status": answered.status,
        }
        transcript["turns"].append(turn)
        if answered.status != 201:
            turn["error"] = answered.body
            transcript["errors"].append({"step": f"answer {n}", "status": answered.status, "body": answered.body})
            break
        reply = answered.body["reply"]
        state = _interview_state(answered.body["interview"])
        turn.update(
            answer=answered.body["answer"],
            reply=reply,
            after=state,
            quota_used=answered.body["quota"]["used"],
            reply_asks=_update(play, reply, bank=bank, cv_summary=cv_summary),
        )
        if turn["reply_asks"] is None and state["stage"] != "closing":
            transcript["unrecognised"].append(reply["content"])

    finished = api.call("POST", f"/api/interviews/{interview_id}/finish/", token=token)
    if finished.status != 200:
        transcript["errors"].append({"step": "finish", "status": finished.status, "body": finished.body})
    else:
        transcript["quota_used"] = finished.body["quota"]["used"]
    detail = api.call("GET", f"/api/interviews/{interview_id}/", token=token)
    transcript["interview"] = detail.body if detail.status == 200 else None
    transcript["report"] = (detail.body or {}).get("report") if detail.status == 200 else None
    transcript["messages"] = _all_messages(api, interview_id, token=token, errors=transcript["errors"])
    transcript["audio"] = [_audio(api, m["audio_url"]) for m in transcript["messages"] if m.get("audio_url")]
    return transcript


def _all_messages(api: Api, interview_id: int, *, token: str, errors: list) -> list[dict]:
    messages: list[dict] = []
    url: str | None = f"/api/interviews/{interview_id}/messages/?page_size=100"
    while url:
        page = api.call("GET", url, token=token)
        if page.status != 200:
            errors.append({"step": "messages", "status": page.status, "body": page.body})
            break
        messages += page.body["results"]
        url = page.body.get("next")
    return messages


def _audio(api: Api, url: str) -> dict:
    fetched = api.fetch(url)
    return {
        "url": url,
        "status": fetched.status,
        "content_type": fetched.headers.get("content-type", ""),
        "bytes": len(fetched.data),
        "head": fetched.data[:4].hex(),
    }
