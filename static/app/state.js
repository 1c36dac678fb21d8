// What every screen shares: the logged-in user with today's quota, and navigation between screens.

import { api, tokens } from "./api.js";

export const session = {
  user: null, // {id, username, email, daily_chat_limit, quota}
  async load() {
    if (!tokens.get()) {
      this.user = null;
      return null;
    }
    try {
      this.user = await api("/api/auth/me/");
    } catch {
      this.user = null;
    }
    this.changed();
    return this.user;
  },
  setQuota(quota) {
    if (this.user && quota) {
      this.user.quota = quota;
      this.changed();
    }
  },
  changed() {
    window.dispatchEvent(new CustomEvent("mi:session-changed"));
  },
};

export function navigate(path) {
  if (location.hash === `#${path}`) window.dispatchEvent(new HashChangeEvent("hashchange"));
  else location.hash = path;
}

export function currentPath() {
  const raw = location.hash.replace(/^#/, "") || "/";
  return raw.split("?")[0];
}

export function queryParams() {
  const raw = location.hash.replace(/^#/, "");
  return new URLSearchParams(raw.includes("?") ? raw.slice(raw.indexOf("?") + 1) : "");
}
