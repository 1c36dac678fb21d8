// The HTTP API client: JSON in and out, the error envelope turned into ApiError, the JWT pair kept in
// localStorage with the access token refreshed once on a 401, and the answer stream read from a POST
// (EventSource can only GET, so the server-sent events are parsed here from fetch's body stream).

const TOKENS_KEY = "mi.tokens";

function configuredBase() {
  // Django's setting (a JSON data block in the page) wins over config.js, which static hosts edit.
  const block = document.getElementById("webapp-config");
  if (block) {
    try {
      const fromServer = JSON.parse(block.textContent);
      if (fromServer && fromServer.apiBaseUrl) return fromServer.apiBaseUrl;
    } catch {
      /* a broken block is ignored: config.js still applies */
    }
  }
  return (window.MOCK_INTERVIEWER_CONFIG || {}).apiBaseUrl || "";
}

export const API_BASE = configuredBase().replace(/\/+$/, "");

export class ApiError extends Error {
  constructor(status, code, message, details = {}) {
    super(message || code);
    this.status = status;
    this.code = code;
    this.details = details || {};
  }
}

// --- Tokens ----------------------------------------------------------------------------------------

export const tokens = {
  get() {
    try {
      return JSON.parse(localStorage.getItem(TOKENS_KEY)) || null;
    } catch {
      return null;
    }
  },
  set(pair) {
    const current = this.get() || {};
    localStorage.setItem(TOKENS_KEY, JSON.stringify({ ...current, ...pair }));
  },
  clear() {
    localStorage.removeItem(TOKENS_KEY);
  },
};

// One refresh at a time: parallel requests that all got a 401 wait for the same new token.
let refreshing = null;

async function refreshAccess() {
  const pair = tokens.get();
  if (!pair || !pair.refresh) return false;
  refreshing ??= (async () => {
    try {
      const response = await fetch(`${API_BASE}/api/auth/refresh/`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ refresh: pair.refresh }),
      });
      if (!response.ok) return false;
      tokens.set(await response.json()); // the refresh token rotates: keep the new one
      return true;
    } catch {
      return false;
    } finally {
      setTimeout(() => (refreshing = null), 0);
    }
  })();
  return refreshing;
}

function sessionEnded() {
  tokens.clear();
  window.dispatchEvent(new CustomEvent("mi:session-ended"));
}

// --- Requests --------------------------------------------------------------------------------------

async function errorFrom(response) {
  let body = null;
  try {
    body = await response.json();
  } catch {
    /* not JSON: a proxy's page, say */
  }
  const error = body && body.error;
  if (error && typeof error === "object") {
    return new ApiError(response.status, error.code, error.message, error.details);
  }
  return new ApiError(response.status, response.status >= 500 ? "server_error" : "bad_request", response.statusText);
}

async function send(path, { method = "GET", json, form, headers = {}, auth = true, signal } = {}) {
  const url = path.startsWith("http") ? path : `${API_BASE}${path}`;
  const build = () => {
    const all = { Accept: "application/json", ...headers };
    const access = auth && tokens.get()?.access;
    if (access) all.Authorization = `Bearer ${access}`;
    let body;
    if (json !== undefined) {
      all["Content-Type"] = "application/json";
      body = JSON.stringify(json);
    } else if (form) {
      body = form; // the browser sets the multipart boundary itself
    }
    return { method, headers: all, body, signal };
  };
  let response;
  try {
    response = await fetch(url, build());
    if (response.status === 401 && auth && tokens.get()?.refresh) {
      if (await refreshAccess()) {
        response = await fetch(url, build());
      }
      if (response.status === 401) sessionEnded();
    }
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new ApiError(0, "network", error.message);
  }
  return response;
}

/** A JSON request; resolves to the parsed body (null for 204), rejects with ApiError. */
export async function api(path, options = {}) {
  const response = await send(path, options);
  if (!response.ok) throw await errorFrom(response);
  if (response.status === 204) return null;
  return response.json();
}

// --- The answer stream -----------------------------------------------------------------------------

/** Parses one server-sent event block ("event: x\ndata: {...}") into {event, data}. */
export function parseEvent(block) {
  let event = "message";
  const data = [];
  for (const line of block.split(/\r?\n/)) {
    if (!line || line.startsWith(":")) continue; // comments are keep-alives
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (field === "event") event = value;
    else if (field === "data") data.push(value);
  }
  if (!data.length) return null;
  return { event, data: JSON.parse(data.join("\n")) };
}

/**
 * POSTs an answer asking for the event stream. `onDelta(text)` gets each piece of the reply as the
 * interviewer produces it; resolves to the turn result ({answer, reply, quota, interview}). A server
 * that answers plain JSON (errors before the stream, or a server without streaming) works too.
 */
export async function postAnswerStream(interviewId, body, { onDelta, idempotencyKey, signal } = {}) {
  const response = await send(`/api/interviews/${interviewId}/answers/`, {
    method: "POST",
    json: body,
    headers: { Accept: "text/event-stream", "Idempotency-Key": idempotencyKey },
    signal,
  });
  const type = response.headers.get("Content-Type") || "";
  if (!response.ok) throw await errorFrom(response);
  if (!type.startsWith("text/event-stream") || !response.body) {
    const result = await response.json();
    if (onDelta && result.reply) onDelta(result.reply.content);
    return result;
  }
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let end;
      while ((end = buffer.search(/\r?\n\r?\n/)) !== -1) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, "");
        const parsed = parseEvent(block);
        if (!parsed) continue;
        if (parsed.event === "delta" && onDelta) onDelta(parsed.data.text || "");
        if (parsed.event === "done") return parsed.data;
        if (parsed.event === "error") {
          const error = parsed.data.error || {};
          const status = { llm_timeout: 504, llm_unavailable: 503 }[error.code] || 500;
          throw new ApiError(status, error.code || "server_error", error.message, error.details);
        }
      }
    }
  } catch (error) {
    if (error instanceof ApiError || error.name === "AbortError") throw error;
    throw new ApiError(0, "stream_interrupted", error.message);
  }
  // The connection closed without a result: the answer is stored; the page reloads the transcript.
  throw new ApiError(0, "stream_interrupted", "The connection closed before the reply was complete.");
}

/** Sends a recording to the server's speech to text; resolves to {text, language, seconds}. */
export async function transcribe(blob, language) {
  const form = new FormData();
  const extension = (blob.type.split("/")[1] || "webm").split(";")[0];
  form.append("file", blob, `answer.${extension}`);
  if (language) form.append("language", language);
  return api("/api/transcriptions/", { method: "POST", form });
}

export function newIdempotencyKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  return `${Date.now()}-${Math.random().toString(36).slice(2)}`;
}
