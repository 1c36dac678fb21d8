// Charts through the vendored Chart.js (static/vendor/chartjs), with a table fallback for screen
// readers: each canvas is labelled, and the same numbers are listed in a visually hidden table.

import { h } from "./ui.js";

const BRAND = "#2f5bea";
const BRAND_SOFT = "rgba(47, 91, 234, 0.15)";

function chartAvailable() {
  return typeof window.Chart === "function";
}

function accessibleTable(caption, labels, values) {
  return h(
    "table.visually-hidden",
    h("caption", caption),
    h("tbody", labels.map((label, i) => h("tr", h("th", { scope: "row" }, label), h("td", String(values[i] ?? "–"))))),
  );
}

/** Horizontal bars of 0-100 scores. */
export function scoreBars(caption, labels, values) {
  const canvas = h("canvas", { role: "img", "aria-label": `${caption}: ${labels.map((l, i) => `${l} ${values[i]}`).join(", ")}` });
  const box = h("div.chart-box.chart-bars", { style: `height:${Math.max(120, labels.length * 44 + 30)}px` }, canvas);
  const wrapper = h("figure.chart", h("figcaption", caption), box, accessibleTable(caption, labels, values));
  if (chartAvailable()) {
    requestAnimationFrame(() => {
      wrapper.chart = new window.Chart(canvas, {
        type: "bar",
        data: { labels, datasets: [{ data: values, backgroundColor: BRAND, borderRadius: 6, barThickness: 22 }] },
        options: {
          indexAxis: "y",
          maintainAspectRatio: false,
          animation: false,
          scales: { x: { min: 0, max: 100, ticks: { stepSize: 20 } }, y: { grid: { display: false } } },
          plugins: { legend: { display: false }, tooltip: { enabled: true } },
        },
      });
    });
  }
  return wrapper;
}

/** A line over time (progress): one point per interview. */
export function scoreLine(caption, labels, values, yLabel) {
  const canvas = h("canvas", { role: "img", "aria-label": caption });
  const wrapper = h("figure.chart", h("figcaption", caption), h("div.chart-box", { style: "height:280px" }, canvas), accessibleTable(caption, labels, values));
  if (chartAvailable()) {
    requestAnimationFrame(() => {
      wrapper.chart = new window.Chart(canvas, {
        type: "line",
        data: {
          labels,
          datasets: [
            { data: values, borderColor: BRAND, backgroundColor: BRAND_SOFT, fill: true, tension: 0.25, pointRadius: 4 },
          ],
        },
        options: {
          maintainAspectRatio: false,
          animation: false,
          scales: { y: { min: 0, max: 100, title: { display: Boolean(yLabel), text: yLabel } } },
          plugins: { legend: { display: false } },
        },
      });
    });
  }
  return wrapper;
}
