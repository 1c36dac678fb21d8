// My interviews and my CVs: paged lists with their actions.

import { api } from "../api.js";
import { formatBytes, formatDate, t } from "../i18n.js";
import { alertBox, busy, errorMessage, h, pill, spinner, toast } from "../ui.js";

/** A list that loads page after page from a paginated endpoint ("Show more"). */
export function pagedList(firstUrl, renderItem, { emptyText, auth = true, className = "card-list" } = {}) {
  const list = h(`ul.${className}`);
  const more = h("button.button", { type: "button", hidden: true }, t("more"));
  const status = h("div");
  let next = firstUrl;
  const load = async () => {
    status.replaceChildren(spinner());
    try {
      const page = await api(next, { auth });
      status.replaceChildren();
      list.append(...page.results.map((item) => h("li", renderItem(item))));
      next = page.next;
      more.hidden = !next;
      if (!list.children.length) status.replaceChildren(h("p.empty", emptyText));
    } catch (error) {
      status.replaceChildren(alertBox(errorMessage(error)));
    }
  };
  more.addEventListener("click", () => busy(more, load));
  const wrapper = h("div.paged", list, status, h("div.more-row", more));
  wrapper.ready = load();
  return wrapper;
}

export function interviewMeta(interview) {
  return [
    pill(t(`status.${interview.status}`), interview.status === "finished" ? "done" : "active"),
    pill(t(`language.${interview.language}`)),
    interview.report && interview.report.overall !== null ? pill(t("score", { n: interview.report.overall }), "score") : null,
  ];
}

export async function mineView(main) {
  const list = pagedList(
    "/api/interviews/",
    (interview) => {
      const card = h(
        "article.card",
        h(
          "div.card-main",
          h(
            "h2.card-title",
            h("a", { href: `#/interviews/${interview.id}` }, `${t(`position.${interview.position}`)}${interview.topic ? ` · ${interview.topic}` : ""}`),
          ),
          h("p.card-meta", formatDate(interview.created_at, true), " · ", interview.is_public ? t("public") : t("private")),
          h("div.pills", interviewMeta(interview)),
        ),
        h(
          "div.card-actions",
          interview.report ? h("a.button.small", { href: `#/interviews/${interview.id}/report` }, t("iv.report")) : null,
          h(
            "button.button.small.danger",
            {
              type: "button",
              "aria-label": `${t("mine.delete")}: ${t(`position.${interview.position}`)} ${formatDate(interview.created_at, true)}`,
              onclick: async () => {
                if (!window.confirm(t("mine.delete.confirm"))) return;
                try {
                  await api(`/api/interviews/${interview.id}/`, { method: "DELETE" });
                  card.closest("li").remove();
                  toast(t("mine.deleted"), "info");
                } catch (error) {
                  toast(errorMessage(error), "error");
                }
              },
            },
            t("mine.delete"),
          ),
        ),
      );
      return card;
    },
    { emptyText: t("mine.empty") },
  );
  main.append(
    h(
      "section.page-wide",
      h("div.page-head", h("h1", t("mine.title")), h("a.button.primary", { href: "#/start" }, t("nav.start"))),
      list,
    ),
  );
  await list.ready;
}

export async function cvsView(main) {
  const status = h("div", { "aria-live": "polite" });
  const renderCv = (cv) => {
    const card = h(
      "article.card",
      h(
        "div.card-main",
        h("h2.card-title", cv.filename),
        h("p.card-meta", formatDate(cv.created_at, true), " · ", formatBytes(cv.size)),
        cv.summary && cv.summary.skills && cv.summary.skills.length
          ? h("p", h("strong", `${t("cvs.skills")}: `), cv.summary.skills.join(", "))
          : null,
        cv.summary && cv.summary.projects && cv.summary.projects.length
          ? h("div", h("strong", `${t("cvs.projects")}:`), h("ul", cv.summary.projects.map((p) => h("li", p))))
          : null,
      ),
      h(
        "div.card-actions",
        h(
          "button.button.small.danger",
          {
            type: "button",
            "aria-label": `${t("cvs.delete")}: ${cv.filename}`,
            onclick: async () => {
              try {
                await api(`/api/cvs/${cv.id}/`, { method: "DELETE" });
                card.closest("li").remove();
                toast(t("cvs.deleted"), "info");
              } catch (error) {
                toast(errorMessage(error), "error");
              }
            },
          },
          t("cvs.delete"),
        ),
      ),
    );
    return card;
  };
  let list = pagedList("/api/cvs/", renderCv, { emptyText: t("cvs.empty") });
  const upload = h("input", {
    type: "file",
    id: "cv-upload",
    accept: ".pdf,.docx,.txt",
    onchange: async () => {
      const file = upload.files[0];
      if (!file) return;
      const form = new FormData();
      form.append("file", file);
      status.replaceChildren(spinner(t("start.cv.uploading")));
      try {
        const cv = await api("/api/cvs/", { method: "POST", form });
        status.replaceChildren(alertBox(t("start.cv.uploaded", { name: cv.filename }), { kind: "success" }));
        const fresh = pagedList("/api/cvs/", renderCv, { emptyText: t("cvs.empty") });
        list.replaceWith(fresh);
        list = fresh;
      } catch (error) {
        status.replaceChildren(alertBox(errorMessage(error)));
      }
      upload.value = "";
    },
  });
  main.append(
    h(
      "section.page-wide",
      h("h1", t("cvs.title")),
      h("p.lead", t("cvs.lead")),
      h("div.panel.upload-row", h("label", { for: "cv-upload" }, t("start.cv.upload")), upload, status),
      list,
    ),
  );
  await list.ready;
}
