// The landing screen for visitors (a logged-in candidate goes straight to starting an interview).

import { t } from "../i18n.js";
import { navigate, session } from "../state.js";
import { h } from "../ui.js";

export function homeView(main) {
  if (session.user) return navigate("/start");
  const feature = (n) =>
    h("li.feature", h("h2", t(`home.f${n}.title`)), h("p", t(`home.f${n}.body`)));
  main.append(
    h(
      "section.hero",
      h("h1", t("home.title")),
      h("p.lead", t("home.lead")),
      h(
        "div.hero-actions",
        h("a.button.primary", { href: "#/register" }, t("home.cta")),
        h("a.button", { href: "#/feed" }, t("home.feed")),
      ),
    ),
    h("ul.features", [1, 2, 3].map(feature)),
  );
}

export function notFoundView(main) {
  main.append(
    h("section.panel", h("h1", t("notfound.title")), h("p", t("notfound.body")), h("a.button", { href: "#/" }, t("common.back"))),
  );
}
