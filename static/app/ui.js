// Small DOM helpers shared by the screens: element building, alerts and toasts, friendly errors.

import { formatBytes, formatTime, formatWait, has, t } from "./i18n.js";

/**
 * h("button.primary", {onclick, type: "submit"}, "Send") builds an element. Attributes starting with
 * "on" become listeners; `null`/`false` attributes and children are skipped; strings become text
 * nodes (never HTML, so nothing a user or the server wrote can inject markup).
 */
export function h(spec, attrs = {}, ...children) {
  const [tag, ...classes] = spec.split(".");
  const el = document.createElement(tag || "div");
  if (classes.length) el.className = classes.join(" ");
  if (attrs instanceof Node || typeof attrs === "string" || Array.isArray(attrs)) {
    children.unshift(attrs);
    attrs = {};
  }
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") el.addEventListener(name.slice(2), value);
    else if (name === "class") el.className = [el.className, value].filter(Boolean).join(" ");
    else if (name === "dataset") Object.assign(el.dataset, value);
    else if (value === true) el.setAttribute(name, "");
    else el.setAttribute(name, String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function clear(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

let idCounter = 0;
export function uid(prefix = "f") {
  idCounter += 1;
  return `${prefix}-${idCounter}`;
}

/** A labelled form field: the label, the control, an optional hint, and a slot for its error. */
export function field(label, control, { hint } = {}) {
  control.id ||= uid("field");
  const hintEl = hint ? h("p.hint", { id: `${control.id}-hint` }, hint) : null;
  const errorEl = h("p.field-error", { id: `${control.id}-error`, hidden: true });
  const described = [hintEl && hintEl.id, errorEl.id].filter(Boolean).join(" ");
  control.setAttribute("aria-describedby", described);
  return h("div.field", { dataset: { field: control.name || "" } }, h("label", { for: control.id }, label), control, hintEl, errorEl);
}

/** Shows the API's field errors next to the fields of `form` (by name); returns whether any matched. */
export function showFieldErrors(form, details = {}) {
  let matched = false;
  for (const el of form.querySelectorAll(".field-error")) {
    el.hidden = true;
    el.textContent = "";
  }
  for (const el of form.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
  for (const [name, messages] of Object.entries(details || {})) {
    const control = form.querySelector(`[name="${CSS.escape(name.split(".")[0])}"]`);
    if (!control) continue;
    const errorEl = document.getElementById(`${control.id}-error`);
    if (!errorEl) continue;
    errorEl.textContent = [].concat(messages).join(" ");
    errorEl.hidden = false;
    control.setAttribute("aria-invalid", "true");
    if (!matched) control.focus();
    matched = true;
  }
  return matched;
}

/** The friendly, translated sentence for an ApiError (or any error). */
export function errorMessage(error) {
  const code = error && error.code ? error.code : "generic";
  const details = (error && error.details) || {};
  if (code === "quota_exceeded" && details.turns_needed) {
    return t("error.quota_exceeded.turns", {
      turns: details.turns_needed,
      remaining: Math.max(0, (details.limit ?? 0) - (details.used ?? 0)),
      time: formatTime(details.resets_at),
    });
  }
  const values = {
    limit: details.limit ?? "",
    time: formatTime(details.resets_at),
    wait: formatWait(details.retry_after),
    size: details.limit ? formatBytes(details.limit) : "",
    code,
  };
  if (has(`error.${code}`)) return t(`error.${code}`, values);
  return t("error.generic", values);
}

/** An inline alert box; `actions` are buttons shown under the message. */
export function alertBox(message, { kind = "error", actions = [] } = {}) {
  return h(
    `div.alert.alert-${kind}`,
    { role: kind === "error" ? "alert" : "status" },
    h("p", message),
    actions.length ? h("div.alert-actions", actions) : null,
  );
}

export function toast(message, kind = "info") {
  const box = document.getElementById("toasts");
  const item = h(`div.toast.toast-${kind}`, message);
  box.append(item);
  setTimeout(() => item.remove(), 4000);
}

export function spinner(label) {
  return h("p.loading", { role: "status" }, h("span.spinner", { "aria-hidden": "true" }), label || t("common.loading"));
}

/** A button that shows it is busy (and cannot be pressed twice) while `work` runs. */
export async function busy(button, work) {
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  try {
    return await work();
  } finally {
    button.disabled = false;
    button.removeAttribute("aria-busy");
  }
}

export function pill(text, kind = "") {
  return h(`span.pill${kind ? `.pill-${kind}` : ""}`, text);
}
