// The report of a finished interview: scores as charts, strengths, improvements, practice questions,
// delivery; and the owner's sharing settings (public, anonymous).

import { api } from "../api.js";
import { t } from "../i18n.js";
import { scoreBars } from "../charts.js";
import { alertBox, errorMessage, h, toast } from "../ui.js";

const DIMENSIONS = ["correctness", "depth", "communication"];
const STAGES = ["technical", "behavioural", "personal"];

function listSection(title, items, className) {
  if (!items || !items.length) return null;
  return h(`section.report-card.${className}`, h("h2", title), h("ul", items.map((item) => h("li", item))));
}

export function reportBody(report) {
  const dimensions = DIMENSIONS.filter((d) => report.dimensions && report.dimensions[d] !== null && report.dimensions[d] !== undefined);
  const stages = STAGES.filter((s) => report.stages && s in report.stages);
  const delivery = report.delivery;
  const fillers = delivery && delivery.fillers ? Object.entries(delivery.fillers) : [];
  return h(
    "div.report",
    h(
      "section.report-card.overall",
      h("h2", t("report.overall")),
      h("p.overall-score", { dataset: { testid: "overall" } }, h("strong", String(report.overall ?? "–")), h("span", " / 100")),
      report.summary ? h("p.summary", report.summary) : null,
    ),
    h(
      "div.report-charts",
      dimensions.length
        ? h("section.report-card", scoreBars(t("report.dimensions"), dimensions.map((d) => t(`dim.${d}`)), dimensions.map((d) => report.dimensions[d])))
        : null,
      stages.length
        ? h("section.report-card", scoreBars(t("report.stages"), stages.map((s) => t(`stage.${s}`)), stages.map((s) => report.stages[s])))
        : null,
    ),
    h(
      "div.report-lists",
      listSection(t("report.strengths"), report.strengths, "strengths"),
      listSection(t("report.improvements"), report.improvements, "improvements"),
    ),
    report.practice && report.practice.length
      ? h("section.report-card", h("h2", t("report.practice")), h("ol", report.practice.map((p) => h("li", p.question))))
      : null,
    h(
      "section.report-card.delivery",
      h("h2", t("report.delivery")),
      delivery
        ? [
            h("p", t("report.wpm", { n: delivery.words_per_minute })),
            h("p", fillers.length ? t("report.fillers", { rate: Math.round(delivery.filler_rate * 1000) / 10 }) : t("report.fillers.none")),
            fillers.length ? h("ul.fillers", fillers.map(([word, count]) => h("li", `“${word}” × ${count}`))) : null,
          ]
        : h("p.hint", t("report.delivery.none")),
    ),
  );
}

export async function reportView(main, id) {
  const interview = await api(`/api/interviews/${id}/`);
  const title = h("h1", t("report.title"));
  const subtitle = h("p.lead", `${t(`position.${interview.position}`)}${interview.topic ? ` · ${interview.topic}` : ""}`);
  if (!interview.report) {
    main.append(
      h("section.panel", title, subtitle, alertBox(t("report.none"), { kind: "info" }), h("a.button", { href: `#/interviews/${id}` }, t("report.transcript"))),
    );
    return;
  }
  const isPublic = h("input", { type: "checkbox", checked: interview.is_public, dataset: { testid: "public" } });
  const isAnonymous = h("input", { type: "checkbox", checked: interview.is_anonymous, dataset: { testid: "anonymous" } });
  const shareStatus = h("div", { "aria-live": "polite" });
  const save = async () => {
    try {
      await api(`/api/interviews/${id}/`, {
        method: "PATCH",
        json: { is_public: isPublic.checked, is_anonymous: isAnonymous.checked },
      });
      toast(t("report.saved"), "success");
      shareStatus.replaceChildren();
    } catch (error) {
      shareStatus.replaceChildren(alertBox(errorMessage(error)));
    }
  };
  isPublic.addEventListener("change", save);
  isAnonymous.addEventListener("change", save);
  main.append(
    h(
      "section.page-wide",
      h("div.page-head", h("div", title, subtitle), h("a.button", { href: `#/interviews/${id}` }, t("report.transcript"))),
      reportBody(interview.report),
      h(
        "section.report-card.share",
        h("h2", t("report.share")),
        h("label.choice", isPublic, h("span", t("report.public"))),
        h("label.choice", isAnonymous, h("span", t("report.anonymous"))),
        shareStatus,
      ),
    ),
  );
}
