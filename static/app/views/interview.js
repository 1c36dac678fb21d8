// The interview: the conversation streaming in, each interviewer message playable, each answer's
// evaluation under it, answering by typing or by voice (hands-free conversation mode included),
// retry after an upstream failure, and finishing.

import { api, newIdempotencyKey, postAnswerStream } from "../api.js";
import { formatTime, t } from "../i18n.js";
import { navigate, session } from "../state.js";
import { alertBox, busy, clear, errorMessage, h, pill, toast } from "../ui.js";
import { Dictation, dictationMode, dictationPreference, setDictationPreference } from "../voice.js";

const CONTENT_MAX = 4000; // the API's limit for one answer
const AUTOPLAY_KEY = "mi.autoplay";
const HANDSFREE_KEY = "mi.handsfree";
const SEND_COUNTDOWN_S = 3; // hands-free: time to read (and edit) the dictated text before it goes
const UPSTREAM_CODES = ["llm_unavailable", "llm_timeout"];

// The start screen hands over what POST /api/interviews/ answered, so the first question shows at once.
let stashed = null;
export function stashStart(started) {
  stashed = started;
}

async function loadAll(id) {
  const interview = await api(`/api/interviews/${id}/`);
  const messages = [];
  let next = `/api/interviews/${id}/messages/?page_size=100`;
  while (next) {
    const page = await api(next);
    messages.push(...page.results);
    next = page.next;
  }
  return { interview, messages };
}

function paragraphs(text) {
  return String(text)
    .split(/\n{2,}/)
    .map((part) => h("p", part));
}

// --- Rendering messages (also used by the public feed's transcripts) --------------------------------

let playing = null; // one interviewer message speaks at a time

export function audioPlayer(url) {
  const audio = h("audio", { preload: "none", src: url });
  const label = h("span", t("iv.play"));
  const icon = h("span.play-icon", { "aria-hidden": "true" });
  const problem = h("span.audio-problem", { role: "status" });
  const button = h("button.button.small.play", { type: "button", title: t("iv.play.label") }, icon, label);
  const show = (state) => {
    button.dataset.state = state;
    label.textContent = t(state === "playing" ? "iv.pause" : state === "ended" ? "iv.replay" : "iv.play");
  };
  button.addEventListener("click", () => {
    if (audio.paused) play();
    else audio.pause();
  });
  const play = () => {
    if (playing && playing !== audio) playing.pause();
    playing = audio;
    problem.textContent = "";
    if (audio.error) audio.load(); // a clip that was not ready a moment ago may be now
    return audio.play().catch(() => show("idle"));
  };
  audio.addEventListener("play", () => show("playing"));
  audio.addEventListener("pause", () => show(audio.ended ? "ended" : "idle"));
  audio.addEventListener("ended", () => show("ended"));
  audio.addEventListener("error", () => {
    show("idle");
    problem.textContent = t("error.speech_unavailable");
  });
  show("idle");
  const wrapper = h("div.msg-audio", button, audio, problem);
  wrapper.play = play;
  wrapper.audio = audio;
  return wrapper;
}

function scoreBar(dimension, score) {
  return h(
    "li.score",
    { "aria-label": t("iv.eval.score", { dim: t(`dim.${dimension}`), score }) },
    h("span.score-name", { "aria-hidden": "true" }, t(`dim.${dimension}`)),
    h("span.score-track", { "aria-hidden": "true" }, h("span.score-fill", { style: `width:${(score / 5) * 100}%` })),
    h("span.score-value", { "aria-hidden": "true" }, `${score}/5`),
  );
}

export function evaluationBlock(evaluation) {
  if (!evaluation) return null;
  const scores = evaluation.scores || {};
  const scored = ["correctness", "depth", "communication"].filter((d) => scores[d] !== null && scores[d] !== undefined);
  const list = (title, items, kind) =>
    items && items.length
      ? h(`div.points.points-${kind}`, h("h4", title), h("ul", items.map((item) => h("li", item))))
      : null;
  return h(
    "section.evaluation",
    { "aria-label": t("iv.eval.title"), dataset: { testid: "evaluation" } },
    h("div.evaluation-head", h("h3", t("iv.eval.title")), pill(t(`kind.${evaluation.kind}`), evaluation.kind)),
    scored.length ? h("ul.scores", scored.map((d) => scoreBar(d, scores[d]))) : null,
    evaluation.feedback ? h("p.feedback", evaluation.feedback) : null,
    h("div.points-row", list(t("iv.eval.covered"), evaluation.covered, "covered"), list(t("iv.eval.missed"), evaluation.missed, "missed")),
    evaluation.reference ? h("details.reference", h("summary", t("iv.eval.reference")), h("p", evaluation.reference)) : null,
  );
}

export function messageNode(message) {
  const mine = message.role === "user";
  return h(
    `article.msg.${mine ? "msg-user" : "msg-assistant"}`,
    { dataset: { id: message.id, role: message.role } },
    h(
      "header.msg-head",
      h("span.who", mine ? t("iv.you") : t("iv.interviewer")),
      message.stage && !mine ? pill(t(`stage.${message.stage}`), "stage") : null,
    ),
    h("div.msg-body", paragraphs(message.content)),
    !mine && message.audio_url ? audioPlayer(message.audio_url) : null,
    mine ? evaluationBlock(message.evaluation) : null,
  );
}

// --- The screen ------------------------------------------------------------------------------------

export async function interviewView(main, id) {
  let interview;
  let messages;
  if (stashed && String(stashed.id) === String(id)) {
    ({ messages } = stashed);
    interview = stashed;
    if (stashed.notice) toast(t("iv.notice", { text: stashed.notice }), "info");
    stashed = null;
  } else {
    ({ interview, messages } = await loadAll(id));
  }

  let dictation = null;
  let spokenSeconds = 0; // of the draft being written
  let countdown = null;
  let idempotency = null; // {key, body}: the same answer sent again keeps its key

  const heading = h("h1", `${t(`position.${interview.position}`)}${interview.topic ? ` · ${interview.topic}` : ""}`);
  const stageLine = h("p.stage-line");
  const progressBar = h("progress", { max: 1, value: 0, "aria-label": t("iv.title") });
  const transcript = h("div.transcript", { role: "log", "aria-live": "polite", "aria-label": t("iv.transcript") });
  const notices = h("div.notices");
  const textarea = h("textarea", {
    id: "answer",
    name: "content",
    rows: 4,
    maxlength: CONTENT_MAX,
    placeholder: t("iv.answer.placeholder"),
  });
  const counter = h("span.counter", { "aria-live": "off" });
  const sendButton = h("button.button.primary", { type: "submit", dataset: { testid: "send" } }, t("iv.send"));
  const micButton = h("button.button.mic", { type: "button", dataset: { testid: "mic" } }, h("span.mic-icon", { "aria-hidden": "true" }), h("span.mic-label", t("voice.mic")));
  const voiceStatus = h("p.voice-status", { role: "status" });
  const autoplay = h("input", { type: "checkbox", name: "autoplay", checked: localStorage.getItem(AUTOPLAY_KEY) === "1" });
  const handsFree = h("input", { type: "checkbox", name: "handsfree", checked: localStorage.getItem(HANDSFREE_KEY) === "1" });
  const engine = h(
    "select",
    { name: "dictation", "aria-label": t("voice.engine") },
    ["auto", "browser", "server"].map((value) =>
      h("option", { value, selected: dictationPreference() === value }, t(`voice.engine.${value}`)),
    ),
  );
  const finishButton = h("button.button", { type: "button", dataset: { testid: "finish" } }, t("iv.finish"));

  const composer = h(
    "form.composer",
    { onsubmit: (event) => (event.preventDefault(), sendAnswer()) },
    h("label.composer-label", { for: "answer" }, t("iv.answer.label")),
    textarea,
    h("div.composer-meta", counter, h("span.hint", t("iv.send.hint"))),
    voiceStatus,
    h("div.composer-actions", micButton, sendButton),
  );
  const settings = h(
    "div.voice-settings",
    h("label.choice", autoplay, h("span", t("iv.autoplay"))),
    h("label.choice", { title: t("voice.conversation.hint") }, handsFree, h("span", t("voice.conversation"))),
    h("label.inline", h("span", t("voice.engine")), engine),
  );
  const composerArea = h("div.composer-area");

  main.append(
    h(
      "section.interview",
      h(
        "header.interview-head",
        h("div", heading, stageLine),
        h("div.interview-progress", progressBar),
      ),
      transcript,
      notices,
      composerArea,
    ),
  );

  // --- State shown in the header and the composer ---------------------------------------------------

  const isComplete = () => interview.status === "active" && interview.stage === "closing";
  const quotaLeft = () => (session.user && session.user.quota ? session.user.quota.remaining : 1);

  function renderHead() {
    const { asked, planned } = interview.progress;
    clear(
      stageLine,
      pill(t(`stage.${interview.stage}`), "stage"),
      " ",
      h("span", { dataset: { testid: "progress" } }, t("iv.progress", { asked: Math.min(asked, planned), planned })),
      " ",
      interview.status === "finished" ? pill(t("status.finished"), "done") : null,
    );
    progressBar.max = planned || 1;
    progressBar.value = interview.status === "finished" ? planned : Math.max(0, asked - (isComplete() ? 0 : 1));
  }

  function renderComposer() {
    composerArea.replaceChildren();
    if (interview.status === "finished") {
      composerArea.append(
        alertBox(t("iv.finished"), {
          kind: "info",
          actions: [h("a.button.primary", { href: `#/interviews/${interview.id}/report` }, t("iv.report"))],
        }),
      );
      return;
    }
    const outOfTurns = quotaLeft() <= 0;
    if (outOfTurns) {
      composerArea.append(
        alertBox(t("iv.quota.out", { limit: session.user.quota.limit, time: formatTime(session.user.quota.resets_at) }), {
          kind: "warning",
        }),
      );
    }
    if (isComplete()) {
      composerArea.append(alertBox(t("iv.finish.ready"), { kind: "info" }));
      finishButton.className = "button primary";
    } else {
      finishButton.className = "button";
    }
    const blocked = outOfTurns || isComplete() || hasPendingAnswer();
    textarea.disabled = blocked;
    sendButton.disabled = blocked;
    micButton.disabled = blocked || dictationMode() === "none";
    if (!isComplete()) composerArea.append(composer);
    composerArea.append(settings, h("div.finish-row", finishButton));
    updateCounter();
  }

  function updateCounter() {
    counter.textContent = t("iv.answer.count", { n: textarea.value.length, max: CONTENT_MAX });
  }

  function hasPendingAnswer() {
    const last = messages[messages.length - 1];
    return interview.status === "active" && last && last.role === "user";
  }

  function showPending() {
    notices.replaceChildren();
    if (!hasPendingAnswer()) return;
    notices.append(
      alertBox(t("iv.pending"), { kind: "warning", actions: [retryButton()] }),
    );
  }

  function retryButton() {
    const button = h("button.button.primary", { type: "button", dataset: { testid: "retry" } }, t("iv.retry"));
    button.addEventListener("click", () =>
      busy(button, async () => {
        const thinking = thinkingNode();
        transcript.append(thinking);
        try {
          const result = await api(`/api/interviews/${interview.id}/retry/`, { method: "POST" });
          thinking.remove();
          applyResult(result);
          notices.replaceChildren();
        } catch (error) {
          thinking.remove();
          handleError(error, { stored: true });
        }
      }),
    );
    return button;
  }

  function thinkingNode() {
    return h(
      "article.msg.msg-assistant.thinking",
      { dataset: { testid: "thinking" } },
      h("header.msg-head", h("span.who", t("iv.interviewer"))),
      h("div.msg-body", h("p.typing", h("span.dots", { "aria-hidden": "true" }, h("i"), h("i"), h("i")), h("span", t("iv.thinking")))),
    );
  }

  function applyResult(result) {
    // The answer may be on screen already (sent, or stored before a failure): replace it in place.
    const answerNode = messageNode(result.answer);
    const existing =
      transcript.querySelector(`[data-id="${result.answer.id}"]`) ||
      transcript.querySelector(".msg-user.sending, .msg-user.awaiting");
    if (existing) existing.replaceWith(answerNode);
    else transcript.append(answerNode);
    const replyNode = messageNode(result.reply);
    const streaming = transcript.querySelector(".msg-assistant.streaming");
    if (streaming) streaming.replaceWith(replyNode);
    else transcript.append(replyNode);
    messages = messages.filter((m) => m.id !== null && m.id !== result.answer.id && m.id !== result.reply.id);
    messages.push(result.answer, result.reply);
    interview = result.interview;
    session.setQuota(result.quota);
    renderHead();
    renderComposer();
    speak(replyNode);
  }

  // Plays a new interviewer message when asked to; in hands-free mode the microphone opens after it.
  function speak(node) {
    const player = node.querySelector(".msg-audio");
    const listenAfter = () => {
      if (handsFree.checked && interview.status === "active" && !isComplete() && quotaLeft() > 0) startDictation();
    };
    if (player && (autoplay.checked || handsFree.checked)) {
      player.audio.addEventListener("ended", listenAfter, { once: true });
      player.play().catch(listenAfter);
    } else {
      listenAfter();
    }
  }

  // --- Sending an answer, streamed -----------------------------------------------------------------

  async function sendAnswer() {
    cancelCountdown();
    if (dictation) dictation.stop();
    const content = textarea.value.trim();
    if (!content) {
      textarea.focus();
      notices.replaceChildren(alertBox(t("error.validation_error")));
      return;
    }
    const body = { content };
    if (spokenSeconds > 0) body.spoken_seconds = Math.round(spokenSeconds * 10) / 10;
    const sameBody = idempotency && JSON.stringify(idempotency.body) === JSON.stringify(body);
    if (!sameBody) idempotency = { key: newIdempotencyKey(), body };
    notices.replaceChildren();
    textarea.disabled = true;
    sendButton.disabled = true;
    micButton.disabled = true;

    const draft = messageNode({ id: "", role: "user", content, evaluation: null });
    draft.classList.add("sending");
    const reply = thinkingNode();
    reply.classList.add("streaming");
    transcript.append(draft, reply);
    reply.scrollIntoView({ block: "nearest" });
    let streamed = "";
    try {
      const result = await postAnswerStream(interview.id, body, {
        idempotencyKey: idempotency.key,
        onDelta: (text) => {
          streamed += text;
          const bodyEl = reply.querySelector(".msg-body");
          reply.classList.remove("thinking");
          bodyEl.replaceChildren(...paragraphs(streamed));
        },
      });
      textarea.value = "";
      spokenSeconds = 0;
      idempotency = null;
      applyResult(result);
    } catch (error) {
      const stored = UPSTREAM_CODES.includes(error.code);
      reply.remove();
      if (stored) {
        draft.classList.replace("sending", "awaiting"); // stored: /retry/ will answer it
        textarea.value = "";
        spokenSeconds = 0;
        idempotency = null;
        messages.push({ id: null, role: "user", content, evaluation: null });
      } else {
        draft.remove();
      }
      handleError(error, { stored });
    }
  }

  async function handleError(error, { stored }) {
    if (error.code === "stream_interrupted" || (error.code === "network" && stored)) {
      toast(errorMessage(error), "error");
      return reload();
    }
    if (error.code === "quota_exceeded") {
      await session.load();
    }
    if (["interview_finished", "interview_complete", "answer_pending", "nothing_to_retry"].includes(error.code)) {
      notices.replaceChildren(alertBox(errorMessage(error)));
      return reload(false);
    }
    const actions = stored ? [retryButton()] : [];
    renderComposer();
    notices.replaceChildren(alertBox(errorMessage(error), { actions }));
    if (stored) {
      textarea.disabled = true;
      sendButton.disabled = true;
      micButton.disabled = true;
    }
  }

  async function reload(clearNotices = true) {
    ({ interview, messages } = await loadAll(interview.id));
    await session.load();
    renderTranscript();
    renderHead();
    renderComposer();
    if (clearNotices) notices.replaceChildren();
    if (hasPendingAnswer()) showPending();
  }

  // --- Voice -------------------------------------------------------------------------------------

  function setMic(state) {
    micButton.dataset.state = state;
    micButton.querySelector(".mic-label").textContent = state === "listening" ? t("voice.stop") : t("voice.mic");
    micButton.setAttribute("aria-pressed", String(state === "listening"));
    voiceStatus.textContent =
      state === "listening" ? t("voice.listening") : state === "transcribing" ? t("voice.transcribing") : "";
    micButton.disabled = state === "transcribing";
    sendButton.disabled = state !== "idle";
  }

  function startDictation() {
    if (dictation && dictation.active) return;
    const before = textarea.value.trim();
    dictation = new Dictation({
      language: interview.language,
      onState: setMic,
      onInterim: (text) => {
        textarea.value = before ? `${before} ${text}` : text;
        updateCounter();
      },
      onFinal: (text, seconds) => {
        textarea.value = before ? `${before} ${text}` : text;
        spokenSeconds += seconds;
        updateCounter();
        dictation = null;
        if (handsFree.checked) startCountdown();
        else textarea.focus();
      },
      onError: (error) => {
        dictation = null;
        const key = { mic_denied: "voice.denied", mic_unsupported: "voice.unsupported", nothing_heard: "voice.nothing" }[
          error.code
        ];
        notices.replaceChildren(alertBox(key ? t(key) : errorMessage(error)));
        if (error.code === "stt_unavailable") micButton.disabled = true;
      },
    });
    dictation.start();
  }

  function startCountdown() {
    let left = SEND_COUNTDOWN_S;
    const text = h("span", t("voice.sending.in", { n: left }));
    const cancel = h("button.button.small", { type: "button", onclick: cancelCountdown }, t("voice.cancel"));
    voiceStatus.replaceChildren(text, " ", cancel);
    countdown = setInterval(() => {
      left -= 1;
      if (left <= 0) return sendAnswer();
      text.textContent = t("voice.sending.in", { n: left });
    }, 1000);
  }

  function cancelCountdown() {
    if (!countdown) return;
    clearInterval(countdown);
    countdown = null;
    voiceStatus.replaceChildren();
  }

  micButton.addEventListener("click", () => {
    if (dictation && dictation.active) dictation.stop();
    else {
      cancelCountdown();
      startDictation();
    }
  });
  textarea.addEventListener("input", () => {
    cancelCountdown(); // editing the dictated text means "not yet"
    if (!textarea.value.trim()) spokenSeconds = 0;
    updateCounter();
  });
  textarea.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      sendAnswer();
    }
  });
  autoplay.addEventListener("change", () => localStorage.setItem(AUTOPLAY_KEY, autoplay.checked ? "1" : "0"));
  handsFree.addEventListener("change", () => {
    localStorage.setItem(HANDSFREE_KEY, handsFree.checked ? "1" : "0");
    if (handsFree.checked && !textarea.disabled) startDictation();
  });
  engine.addEventListener("change", () => {
    setDictationPreference(engine.value);
    renderComposer();
  });
  finishButton.addEventListener("click", () =>
    busy(finishButton, async () => {
      finishButton.textContent = t("iv.finishing");
      try {
        const result = await api(`/api/interviews/${interview.id}/finish/`, { method: "POST" });
        await session.load();
        navigate(`/interviews/${result.interview.id}/report`);
      } catch (error) {
        finishButton.textContent = t("iv.finish");
        notices.replaceChildren(alertBox(errorMessage(error)));
      }
    }),
  );

  function renderTranscript() {
    transcript.replaceChildren(...messages.map(messageNode));
  }

  renderTranscript();
  renderHead();
  renderComposer();
  showPending();
  if (messages.length === 1 && interview.status === "active") {
    speak(transcript.lastElementChild);
  }

  return () => {
    // Leaving the screen: no microphone left open, no voice still speaking, no answer sent later.
    cancelCountdown();
    if (dictation) dictation.cancel();
    if (playing) playing.pause();
  };
}
