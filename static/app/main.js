// The app shell: the top bar, the session (who is logged in, today's quota) and a hash router, so
// that the same files work from any static host without server-side routes.

import { currentPath, navigate, session } from "./state.js";
import { LANGUAGES, lang, setLang, t } from "./i18n.js";
import { clear, errorMessage, h, toast } from "./ui.js";
import { loginView, logout, registerView } from "./views/auth.js";
import { homeView, notFoundView } from "./views/home.js";
import { startView } from "./views/start.js";
import { interviewView } from "./views/interview.js";
import { reportView } from "./views/report.js";
import { progressView } from "./views/progress.js";
import { cvsView, mineView } from "./views/lists.js";
import { feedDetailView, feedView } from "./views/feed.js";

// path pattern -> [view, needs a logged-in user]
const ROUTES = [
  [/^\/$/, homeView, false],
  [/^\/login$/, loginView, false],
  [/^\/register$/, registerView, false],
  [/^\/start$/, startView, true],
  [/^\/interviews$/, mineView, true],
  [/^\/interviews\/(\d+)$/, interviewView, true],
  [/^\/interviews\/(\d+)\/report$/, reportView, true],
  [/^\/progress$/, progressView, true],
  [/^\/cvs$/, cvsView, true],
  [/^\/feed$/, feedView, false],
  [/^\/feed\/(\d+)$/, feedDetailView, false],
];

let cleanup = null; // what the current screen must stop (audio, microphone) when left

async function route() {
  if (cleanup) {
    try {
      cleanup();
    } catch {
      /* a screen's cleanup must never block the next one */
    }
    cleanup = null;
  }
  const path = currentPath();
  const main = document.getElementById("main");
  renderTopbar();
  for (const [pattern, view, needsUser] of ROUTES) {
    const match = path.match(pattern);
    if (!match) continue;
    if (needsUser && !session.user) {
      sessionStorage.setItem("mi.after-login", path);
      navigate("/login");
      return;
    }
    clear(main);
    main.removeAttribute("aria-busy");
    try {
      const result = await view(main, ...match.slice(1));
      if (typeof result === "function") cleanup = result;
    } catch (error) {
      clear(main, h("div.panel", h("p.alert.alert-error", { role: "alert" }, errorMessage(error))));
    }
    focusHeading(main);
    return;
  }
  clear(main);
  notFoundView(main);
  focusHeading(main);
}

function focusHeading(main) {
  // Screen readers announce the new screen; keyboard users start at its top.
  const heading = main.querySelector("h1");
  document.title = heading ? `${heading.textContent} · ${t("app.name")}` : t("app.name");
  if (heading && document.activeElement === document.body) {
    heading.setAttribute("tabindex", "-1");
    heading.focus({ preventScroll: true });
  }
}

function navLink(path, label) {
  const active = currentPath() === path || (path !== "/" && currentPath().startsWith(`${path}/`));
  return h("a", { href: `#${path}`, "aria-current": active ? "page" : null }, label);
}

function renderTopbar() {
  const bar = document.getElementById("topbar");
  const user = session.user;
  const links = user
    ? [
        navLink("/start", t("nav.start")),
        navLink("/interviews", t("nav.mine")),
        navLink("/progress", t("nav.progress")),
        navLink("/cvs", t("nav.cvs")),
        navLink("/feed", t("nav.feed")),
      ]
    : [navLink("/feed", t("nav.feed")), navLink("/login", t("nav.login")), navLink("/register", t("nav.register"))];
  const languageSelect = h(
    "select.lang-select",
    {
      "aria-label": t("lang.label"),
      onchange: (event) => {
        setLang(event.target.value);
        route();
      },
    },
    LANGUAGES.map((code) => h("option", { value: code, selected: code === lang() }, code === "ko" ? "한국어" : "English")),
  );
  const quota = user && user.quota
    ? h(
        "span.quota-badge",
        { title: t("quota.badge", user.quota), "aria-label": t("quota.badge", user.quota), dataset: { testid: "quota" } },
        t("quota.short", user.quota),
      )
    : null;
  const menuId = "main-nav";
  const toggle = h(
    "button.nav-toggle",
    {
      type: "button",
      "aria-expanded": "false",
      "aria-controls": menuId,
      onclick: (event) => {
        const open = bar.classList.toggle("nav-open");
        event.currentTarget.setAttribute("aria-expanded", String(open));
      },
    },
    h("span.nav-toggle-bars", { "aria-hidden": "true" }),
    h("span.visually-hidden", t("nav.menu")),
  );
  clear(
    bar,
    h(
      "div.topbar-inner",
      h("a.brand", { href: "#/" }, h("img", { src: iconUrl(), alt: "", width: 28, height: 28 }), h("span", t("app.name"))),
      toggle,
      h(
        "nav.nav",
        { id: menuId, "aria-label": t("nav.main") },
        h("div.nav-links", links),
        h(
          "div.nav-tools",
          quota,
          languageSelect,
          user
            ? h("button.link-button", { type: "button", onclick: () => logout(), dataset: { testid: "logout" } }, t("nav.logout"))
            : null,
        ),
      ),
    ),
  );
  document.querySelector(".skip-link").textContent = t("skip");
}

function iconUrl() {
  const link = document.querySelector("link[rel=icon]");
  return link ? link.href : "";
}

window.addEventListener("hashchange", () => {
  document.getElementById("topbar").classList.remove("nav-open");
  route();
});

window.addEventListener("mi:session-ended", () => {
  if (!session.user) return;
  session.user = null;
  toast(t("auth.expired"), "error");
  navigate("/login");
});

window.addEventListener("mi:session-changed", () => renderTopbar());

(async function boot() {
  document.documentElement.lang = lang();
  await session.load();
  await route();
  document.body.dataset.ready = "true"; // the browser tests wait for this
})();
