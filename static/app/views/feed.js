// The public feed: interviews their owners published, with filters, and each one's transcript with
// evaluations and audio. Readable without an account.

import { api } from "../api.js";
import { formatDate, t } from "../i18n.js";
import { navigate, queryParams } from "../state.js";
import { h } from "../ui.js";
import { messageNode } from "./interview.js";
import { interviewMeta, pagedList } from "./lists.js";
import { reportBody } from "./report.js";
import { POSITIONS } from "./start.js";

function ownerName(interview) {
  const name = interview.owner && interview.owner.username;
  return !name || name === "Anonymous" ? t("feed.anonymous") : name;
}

export async function feedView(main) {
  const params = queryParams();
  const position = h(
    "select",
    { name: "position", id: "feed-position" },
    h("option", { value: "" }, t("feed.filter.all")),
    POSITIONS.map((code) => h("option", { value: code, selected: params.get("position") === code }, t(`position.${code}`))),
  );
  const language = h(
    "select",
    { name: "language", id: "feed-language" },
    h("option", { value: "" }, t("feed.filter.all")),
    ["en", "ko"].map((code) => h("option", { value: code, selected: params.get("language") === code }, t(`language.${code}`))),
  );
  const q = h("input", { type: "search", name: "q", id: "feed-q", value: params.get("q") || "" });
  const filters = h(
    "form.filters",
    {
      role: "search",
      onsubmit: (event) => {
        event.preventDefault();
        const query = new URLSearchParams();
        for (const [key, value] of new FormData(filters)) if (value) query.set(key, value);
        navigate(`/feed${query.toString() ? `?${query}` : ""}`);
      },
    },
    h("div.filter", h("label", { for: "feed-position" }, t("feed.filter.position")), position),
    h("div.filter", h("label", { for: "feed-language" }, t("feed.filter.language")), language),
    h("div.filter.filter-grow", h("label", { for: "feed-q" }, t("feed.filter.q")), q),
    h("button.button.primary", { type: "submit" }, t("feed.filter.apply")),
  );
  const query = new URLSearchParams();
  for (const key of ["position", "language", "q"]) if (params.get(key)) query.set(key, params.get(key));
  const list = pagedList(
    `/api/feed/${query.toString() ? `?${query}` : ""}`,
    (interview) =>
      h(
        "article.card.feed-card",
        h(
          "div.card-main",
          h(
            "h2.card-title",
            h("a", { href: `#/feed/${interview.id}` }, `${t(`position.${interview.position}`)}${interview.topic ? ` · ${interview.topic}` : ""}`),
          ),
          h("p.card-meta", t("feed.by", { name: ownerName(interview) }), " · ", formatDate(interview.finished_at || interview.created_at)),
          interview.preview ? h("p.preview", interview.preview) : null,
          h("div.pills", interviewMeta(interview)),
        ),
      ),
    { emptyText: t("feed.empty"), auth: false },
  );
  main.append(h("section.page-wide", h("h1", t("feed.title")), h("p.lead", t("feed.lead")), filters, list));
  await list.ready;
}

export async function feedDetailView(main, id) {
  const interview = await api(`/api/feed/${id}/`, { auth: false });
  main.append(
    h(
      "section.page-wide",
      h("p", h("a", { href: "#/feed" }, `← ${t("feed.back")}`)),
      h("h1", `${t(`position.${interview.position}`)}${interview.topic ? ` · ${interview.topic}` : ""}`),
      h("p.card-meta", t("feed.by", { name: ownerName(interview) }), " · ", formatDate(interview.finished_at || interview.created_at)),
      h("div.pills", interviewMeta(interview)),
      interview.report ? reportBody(interview.report) : null,
      h("h2.section-title", t("iv.transcript")),
      h("div.transcript", interview.messages.map(messageNode)),
    ),
  );
}
