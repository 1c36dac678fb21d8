// Progress over time: the overall score of each finished interview, and per-position averages and trends.

import { api } from "../api.js";
import { formatDate, t } from "../i18n.js";
import { scoreLine } from "../charts.js";
import { h } from "../ui.js";

export async function progressView(main) {
  const progress = await api("/api/progress/");
  const section = h("section.page-wide", h("h1", t("progress.title")));
  main.append(section);
  if (!progress.interviews.length) {
    section.append(h("p.empty.panel", t("progress.empty"), " ", h("a", { href: "#/start" }, t("nav.start"))));
    return;
  }
  const labels = progress.interviews.map((i) => `${formatDate(i.finished_at)} · ${t(`position.${i.position}`)}`);
  section.append(
    h("div.report-card", scoreLine(t("progress.chart"), labels, progress.interviews.map((i) => i.overall), t("report.chart.score"))),
  );
  const rows = Object.entries(progress.positions).map(([position, stats]) =>
    h(
      "tr",
      h("th", { scope: "row" }, t(`position.${position}`)),
      h("td", String(stats.count)),
      h("td", String(stats.average)),
      h("td", stats.trend === null ? "–" : `${stats.trend > 0 ? "▲ +" : stats.trend < 0 ? "▼ " : ""}${stats.trend}`),
    ),
  );
  section.append(
    h(
      "div.report-card.table-wrap",
      h(
        "table.data-table",
        h("thead", h("tr", ["progress.position", "progress.count", "progress.average", "progress.trend"].map((k) => h("th", { scope: "col" }, t(k))))),
        h("tbody", rows),
      ),
    ),
  );
}
