// Starting an interview: position, topic (from the bank), language, plan, CV and job description,
// sharing, and what it will cost against what is left today.

import { api } from "../api.js";
import { lang, t } from "../i18n.js";
import { navigate, session } from "../state.js";
import { alertBox, busy, errorMessage, field, h, showFieldErrors } from "../ui.js";
import { stashStart } from "./interview.js";

export const POSITIONS = ["be", "fe", "ai", "mobile", "general"];
// The server's default plan (chat.planning); shown as the recommended choice.
const DEFAULT_PLAN = { technical: 2, behavioural: 1, personal: 0 };
const STAGES = ["technical", "behavioural", "personal"];
const MAX_PER_STAGE = 5;
const JOB_DESCRIPTION_MAX = 20000;

/** Quota units an interview with this many questions costs: the opening, one reply per answer, the report. */
export function turnsFor(questions) {
  return questions + 2;
}

export async function startView(main) {
  const [topics, cvs] = await Promise.all([api("/api/topics/", { auth: false }), api("/api/cvs/")]);
  const quota = session.user.quota;

  const position = h(
    "select",
    { name: "position" },
    POSITIONS.map((code) => h("option", { value: code }, t(`position.${code}`))),
  );
  const topic = h("select", { name: "topic" });
  const fillTopics = () => {
    const list = topics.positions[position.value] || [];
    topic.replaceChildren(
      h("option", { value: "" }, t("start.topic.any")),
      ...list.map((item) => h("option", { value: item.topic }, item.label[lang()] || item.topic)),
    );
  };
  position.addEventListener("change", fillTopics);
  fillTopics();

  const languageChoice = h(
    "fieldset.choice-row",
    h("legend", t("start.language")),
    ["en", "ko"].map((code) =>
      h(
        "label.choice",
        h("input", { type: "radio", name: "language", value: code, checked: code === lang() }),
        h("span", t(`language.${code}`)),
      ),
    ),
  );

  // The plan: the recommended one, or numbers per stage.
  const planInputs = Object.fromEntries(
    STAGES.map((stage) => [
      stage,
      h("input", {
        type: "number",
        name: `plan_${stage}`,
        min: 0,
        max: MAX_PER_STAGE,
        value: DEFAULT_PLAN[stage],
        inputmode: "numeric",
      }),
    ]),
  );
  const customPlan = h("input", { type: "checkbox", name: "custom_plan" });
  const planFields = h(
    "div.plan-grid",
    { hidden: true },
    STAGES.map((stage) => field(t(`start.plan.${stage}`), planInputs[stage])),
  );
  const cost = h("p.cost", { "aria-live": "polite", dataset: { testid: "cost" } });
  const questions = () =>
    customPlan.checked
      ? STAGES.reduce((sum, stage) => sum + Math.max(0, Number(planInputs[stage].value) || 0), 0)
      : STAGES.reduce((sum, stage) => sum + DEFAULT_PLAN[stage], 0);
  const updateCost = () => {
    const needed = turnsFor(questions());
    cost.replaceChildren(t("start.cost", { cost: needed, remaining: quota.remaining, limit: quota.limit }));
    if (needed > quota.remaining) cost.append(" ", h("strong", t("start.cost.over")));
    cost.classList.toggle("cost-over", needed > quota.remaining);
  };
  customPlan.addEventListener("change", () => {
    planFields.hidden = !customPlan.checked;
    form.querySelector(".plan-default").hidden = customPlan.checked;
    updateCost();
  });
  for (const input of Object.values(planInputs)) input.addEventListener("input", updateCost);
  updateCost();

  // CV: one of mine, or a new upload that becomes the selected one.
  const cvSelect = h(
    "select",
    { name: "cv_id" },
    h("option", { value: "" }, t("start.cv.none")),
    cvs.results.map((cv) => h("option", { value: cv.id }, cv.filename)),
  );
  const cvStatus = h("div.cv-status", { "aria-live": "polite" });
  const cvFile = h("input", {
    type: "file",
    name: "cv_file",
    accept: ".pdf,.docx,.txt,application/pdf,application/vnd.openxmlformats-officedocument.wordprocessingml.document,text/plain",
    onchange: async () => {
      const file = cvFile.files[0];
      if (!file) return;
      cvStatus.replaceChildren(h("p.hint", t("start.cv.uploading")));
      const form = new FormData();
      form.append("file", file);
      try {
        const cv = await api("/api/cvs/", { method: "POST", form });
        cvSelect.append(h("option", { value: cv.id }, cv.filename));
        cvSelect.value = String(cv.id);
        cvStatus.replaceChildren(alertBox(t("start.cv.uploaded", { name: cv.filename }), { kind: "success" }));
      } catch (error) {
        cvStatus.replaceChildren(alertBox(errorMessage(error)));
      }
      cvFile.value = "";
    },
  });
  const jobDescription = h("textarea", { name: "job_description", rows: 4, maxlength: JOB_DESCRIPTION_MAX });

  const isPublic = h("input", { type: "checkbox", name: "is_public" });
  const isAnonymous = h("input", { type: "checkbox", name: "is_anonymous" });

  const status = h("div.form-status");
  const submit = h("button.button.primary", { type: "submit" }, t("start.submit"));
  const form = h(
    "form.stack.start-form",
    {
      novalidate: true,
      onsubmit: async (event) => {
        event.preventDefault();
        status.replaceChildren();
        const body = {
          position: position.value,
          topic: topic.value,
          language: form.querySelector("input[name=language]:checked").value,
          is_public: isPublic.checked,
          is_anonymous: isAnonymous.checked,
          job_description: jobDescription.value.trim(),
        };
        if (customPlan.checked) {
          body.plan = Object.fromEntries(STAGES.map((stage) => [stage, Number(planInputs[stage].value) || 0]));
        }
        if (cvSelect.value) body.cv_id = Number(cvSelect.value);
        await busy(submit, async () => {
          submit.textContent = t("start.starting");
          try {
            const started = await api("/api/interviews/", { method: "POST", json: body });
            session.setQuota(started.quota);
            stashStart(started);
            navigate(`/interviews/${started.id}`);
          } catch (error) {
            submit.textContent = t("start.submit");
            const details = { ...(error.details || {}) };
            for (const key of Object.keys(details)) {
              if (key.startsWith("plan")) details[`plan_${key.split(".")[1] || "technical"}`] = details[key];
            }
            if (error.code === "validation_error") showFieldErrors(form, details);
            status.replaceChildren(alertBox(errorMessage(error)));
            if (error.details && error.details.resets_at) session.load();
          }
        });
      },
    },
    h(
      "div.grid-2",
      field(t("start.position"), position),
      field(t("start.topic"), topic),
    ),
    languageChoice,
    h(
      "fieldset",
      h("legend", t("start.plan")),
      h("p.hint.plan-default", t("start.plan.default")),
      h("label.choice", customPlan, h("span", t("start.plan.custom"))),
      planFields,
    ),
    h(
      "fieldset",
      h("legend", t("start.cv")),
      h("div.grid-2", field(t("start.cv.mine"), cvSelect), field(t("start.cv.upload"), cvFile)),
      cvStatus,
      field(t("start.jd"), jobDescription, { hint: t("start.jd.hint") }),
    ),
    h(
      "fieldset",
      h("legend", t("start.visibility")),
      h("label.choice", isPublic, h("span", t("start.public"))),
      h("label.choice", isAnonymous, h("span", t("start.anonymous"))),
    ),
    cost,
    status,
    h("div.form-actions", submit),
  );
  main.append(h("section.panel.page-narrow", h("h1", t("start.title")), h("p.lead", t("start.lead")), form));
}
