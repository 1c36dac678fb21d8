// Register, log in, log out. Tokens live in localStorage (api.js); the access token is refreshed
// on a 401, and logging out revokes the refresh token on the server too.

import { api, tokens } from "../api.js";
import { t } from "../i18n.js";
import { session, navigate } from "../state.js";
import { alertBox, busy, errorMessage, field, h, showFieldErrors, toast } from "../ui.js";

function afterLogin() {
  const next = sessionStorage.getItem("mi.after-login");
  sessionStorage.removeItem("mi.after-login");
  navigate(next && next !== "/login" && next !== "/register" ? next : "/start");
}

function authForm({ title, fields, submitLabel, onSubmit, footer }) {
  const status = h("div.form-status");
  const submit = h("button.button.primary.block", { type: "submit" }, submitLabel);
  const form = h(
    "form.stack",
    {
      novalidate: true,
      onsubmit: async (event) => {
        event.preventDefault();
        status.replaceChildren();
        const data = Object.fromEntries(new FormData(form));
        await busy(submit, async () => {
          try {
            await onSubmit(data);
          } catch (error) {
            showFieldErrors(form, error.details);
            status.replaceChildren(alertBox(errorMessage(error)));
          }
        });
      },
    },
    fields,
    status,
    submit,
  );
  return h("section.auth-card.panel", h("h1", title), form, h("p.auth-switch", footer));
}

export function loginView(main) {
  if (session.user) return navigate("/start");
  main.append(
    authForm({
      title: t("auth.login.title"),
      fields: [
        field(t("auth.username"), h("input", { name: "username", autocomplete: "username", required: true })),
        field(
          t("auth.password"),
          h("input", { name: "password", type: "password", autocomplete: "current-password", required: true }),
        ),
      ],
      submitLabel: t("auth.login.submit"),
      onSubmit: async ({ username, password }) => {
        tokens.set(await api("/api/auth/login/", { method: "POST", json: { username, password }, auth: false }));
        await session.load();
        afterLogin();
      },
      footer: h("a", { href: "#/register" }, t("auth.to.register")),
    }),
  );
}

export function registerView(main) {
  if (session.user) return navigate("/start");
  main.append(
    authForm({
      title: t("auth.register.title"),
      fields: [
        field(t("auth.username"), h("input", { name: "username", autocomplete: "username", required: true })),
        field(t("auth.email"), h("input", { name: "email", type: "email", autocomplete: "email", required: true })),
        field(
          t("auth.password"),
          h("input", { name: "password", type: "password", autocomplete: "new-password", required: true }),
          { hint: t("auth.password.hint") },
        ),
      ],
      submitLabel: t("auth.register.submit"),
      onSubmit: async (data) => {
        const result = await api("/api/auth/register/", { method: "POST", json: data, auth: false });
        tokens.set({ access: result.access, refresh: result.refresh });
        await session.load();
        toast(t("auth.welcome", { name: result.user.username }), "success");
        afterLogin();
      },
      footer: h("a", { href: "#/login" }, t("auth.to.login")),
    }),
  );
}

export async function logout() {
  const pair = tokens.get();
  if (pair && pair.refresh) {
    try {
      await api("/api/auth/logout/", { method: "POST", json: { refresh: pair.refresh } });
    } catch {
      /* already dead on the server: forgetting it here is what matters */
    }
  }
  tokens.clear();
  session.user = null;
  session.changed();
  toast(t("auth.loggedout"), "info");
  navigate("/");
}
