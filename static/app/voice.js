// Dictating an answer. Where the browser recognises speech itself (Web Speech API: Chrome, Edge,
// Safari) its words appear as they are spoken; elsewhere (Firefox) the microphone is recorded with
// MediaRecorder and the recording is sent to the server's speech to text (POST /api/transcriptions/).
// Either way dictation ends after a pause in speech, or when the candidate presses stop, and hands
// back the text with how long the candidate spoke (the answer's `spoken_seconds`).

import { ApiError, transcribe } from "./api.js";

const PREFERENCE_KEY = "mi.dictation";
// Silence that ends an answer, once something has been said.
const PAUSE_MS = 2500;
// Nothing said at all for this long: give up (the candidate may have walked away).
const NO_SPEECH_MS = 12000;
// A recording never runs longer than this (about 1.5 MB of Opus, far below the 25 MB limit).
const MAX_RECORDING_MS = 180000;
// Loudness (RMS of the waveform, 0..1) above which a frame counts as speech.
const SPEECH_LEVEL = 0.02;

function recognitionClass() {
  return window.SpeechRecognition || window.webkitSpeechRecognition || null;
}

export function recorderSupported() {
  return Boolean(window.MediaRecorder && navigator.mediaDevices && navigator.mediaDevices.getUserMedia);
}

/** "auto", "browser" or "server": the candidate's choice, else config.js's, else "auto". */
export function dictationPreference() {
  const saved = localStorage.getItem(PREFERENCE_KEY);
  if (["auto", "browser", "server"].includes(saved)) return saved;
  const configured = (window.MOCK_INTERVIEWER_CONFIG || {}).dictation;
  return ["auto", "browser", "server"].includes(configured) ? configured : "auto";
}

export function setDictationPreference(value) {
  localStorage.setItem(PREFERENCE_KEY, value);
}

// A browser whose recognition service failed (offline, blocked by policy) records instead from then on.
let browserRecognitionBroken = false;

/** How this browser will dictate now: "browser", "server", or "none" (typing only). */
export function dictationMode() {
  const preference = dictationPreference();
  const canBrowser = Boolean(recognitionClass()) && !browserRecognitionBroken;
  if (preference === "server") return recorderSupported() ? "server" : canBrowser ? "browser" : "none";
  if (canBrowser) return "browser";
  return recorderSupported() ? "server" : "none";
}

function pickMimeType() {
  const candidates = ["audio/webm;codecs=opus", "audio/webm", "audio/ogg;codecs=opus", "audio/mp4"];
  return candidates.find((type) => MediaRecorder.isTypeSupported && MediaRecorder.isTypeSupported(type)) || "";
}

/**
 * One dictation. Callbacks: onState("listening" | "transcribing" | "idle"), onInterim(text) while
 * the browser recognises, onFinal(text, seconds) once, onError(error) (an ApiError, or an Error whose
 * `code` is "mic_denied", "mic_unsupported" or "nothing_heard").
 */
export class Dictation {
  constructor({ language, onState, onInterim, onFinal, onError }) {
    this.language = language;
    this.onState = onState || (() => {});
    this.onInterim = onInterim || (() => {});
    this.onFinal = onFinal || (() => {});
    this.onError = onError || (() => {});
    this.mode = dictationMode();
    this.active = false;
    this.cancelled = false;
  }

  async start() {
    if (this.mode === "none") return this.fail("mic_unsupported");
    this.active = true;
    this.startedAt = performance.now();
    this.lastSpeechAt = null;
    this.onState("listening");
    if (this.mode === "browser") this.startRecognition();
    else await this.startRecorder();
  }

  /** Ends the dictation now and keeps what was said. */
  stop() {
    if (!this.active) return;
    if (this.recognition) this.recognition.stop();
    if (this.recorder && this.recorder.state !== "inactive") this.recorder.stop();
  }

  /** Ends it and throws away what was said (leaving the screen, say). */
  cancel() {
    this.cancelled = true;
    this.stop();
    this.release();
  }

  spokenSeconds() {
    const end = this.lastSpeechAt || performance.now();
    return Math.max(1, Math.round((end - this.startedAt) / 100) / 10);
  }

  fail(code, cause) {
    this.active = false;
    this.release();
    this.onState("idle");
    const error = cause instanceof ApiError ? cause : Object.assign(new Error(code), { code });
    this.onError(error);
  }

  finish(text) {
    this.active = false;
    this.release();
    this.onState("idle");
    if (this.cancelled) return;
    if (!text.trim()) return this.onError(Object.assign(new Error("nothing_heard"), { code: "nothing_heard" }));
    this.onFinal(text.trim(), this.spokenSeconds());
  }

  release() {
    clearTimeout(this.silenceTimer);
    clearTimeout(this.maxTimer);
    if (this.levelFrame) cancelAnimationFrame(this.levelFrame);
    if (this.audioContext) this.audioContext.close().catch(() => {});
    if (this.stream) for (const track of this.stream.getTracks()) track.stop();
    this.audioContext = null;
    this.stream = null;
  }

  // --- The browser's own recognition ---------------------------------------------------------

  startRecognition() {
    const Recognition = recognitionClass();
    const recognition = new Recognition();
    this.recognition = recognition;
    recognition.lang = this.language === "ko" ? "ko-KR" : "en-US";
    recognition.continuous = true;
    recognition.interimResults = true;
    let finalText = "";
    let interimText = "";
    const armSilence = (ms) => {
      clearTimeout(this.silenceTimer);
      this.silenceTimer = setTimeout(() => recognition.stop(), ms);
    };
    recognition.onresult = (event) => {
      interimText = "";
      for (let i = event.resultIndex; i < event.results.length; i += 1) {
        const result = event.results[i];
        if (result.isFinal) finalText += `${result[0].transcript.trim()} `;
        else interimText += result[0].transcript;
      }
      this.lastSpeechAt = performance.now();
      this.onInterim(`${finalText}${interimText}`.trim());
      armSilence(PAUSE_MS);
    };
    recognition.onerror = (event) => {
      if (event.error === "not-allowed") return this.fail("mic_denied");
      if (event.error === "network" || event.error === "service-not-allowed" || event.error === "language-not-supported") {
        // The recognition service is out of reach: record and let the server transcribe instead.
        browserRecognitionBroken = true;
        this.recognition = null;
        if (recorderSupported()) {
          this.mode = "server";
          this.startRecorder();
        } else {
          this.fail("mic_unsupported");
        }
      }
      // "no-speech" and "aborted" end in onend, with whatever was heard.
    };
    recognition.onend = () => {
      if (this.recognition !== recognition) return; // replaced by the recorder
      this.recognition = null;
      this.finish(`${finalText}${interimText}`);
    };
    armSilence(NO_SPEECH_MS);
    recognition.start();
  }

  // --- Recording for the server's speech to text ----------------------------------------------

  async startRecorder() {
    if (!recorderSupported()) return this.fail("mic_unsupported");
    try {
      this.stream = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: true, noiseSuppression: true } });
    } catch (error) {
      return this.fail(error && error.name === "NotAllowedError" ? "mic_denied" : "mic_unsupported");
    }
    if (this.cancelled) return this.release();
    const mimeType = pickMimeType();
    const recorder = new MediaRecorder(this.stream, mimeType ? { mimeType } : undefined);
    this.recorder = recorder;
    const chunks = [];
    recorder.ondataavailable = (event) => event.data.size && chunks.push(event.data);
    recorder.onstop = async () => {
      this.recorder = null;
      const stoppedAt = performance.now();
      this.lastSpeechAt ||= stoppedAt;
      this.release();
      if (this.cancelled) return this.finish("");
      this.onState("transcribing");
      try {
        const blob = new Blob(chunks, { type: recorder.mimeType || mimeType || "audio/webm" });
        const result = await transcribe(blob, this.language);
        this.finish(result.text || "");
      } catch (error) {
        this.fail(error.code || "stt_failed", error);
      }
    };
    recorder.start(250);
    this.watchLevel();
    this.maxTimer = setTimeout(() => this.stop(), MAX_RECORDING_MS);
  }

  /** Ends the recording after a pause: loud frames mark speech, then PAUSE_MS of quiet stops it. */
  watchLevel() {
    const AudioContextClass = window.AudioContext || window.webkitAudioContext;
    if (!AudioContextClass) return;
    this.audioContext = new AudioContextClass();
    const analyser = this.audioContext.createAnalyser();
    analyser.fftSize = 2048;
    this.audioContext.createMediaStreamSource(this.stream).connect(analyser);
    const samples = new Float32Array(analyser.fftSize);
    const tick = () => {
      if (!this.active || !this.audioContext) return;
      analyser.getFloatTimeDomainData(samples);
      let sum = 0;
      for (const sample of samples) sum += sample * sample;
      const now = performance.now();
      if (Math.sqrt(sum / samples.length) > SPEECH_LEVEL) this.lastSpeechAt = now;
      const quietSince = this.lastSpeechAt || this.startedAt;
      const limit = this.lastSpeechAt ? PAUSE_MS : NO_SPEECH_MS;
      if (now - quietSince > limit) return this.stop();
      this.levelFrame = requestAnimationFrame(tick);
    };
    tick();
  }
}
