// What the BPMN modeler and the DMN editor share: the toolbar (save as draft, validate,
// deploy, download), talking to /admin/processes/drafts, and the list of problems.
// The page gives the addresses and the CSRF token in data-* attributes of `root`, and
// the texts, translated, in #tdkt-editor-messages (_editor_toolbar.html).
//
// One status (EditorStatus) says where the work stands — last action, unsaved edits,
// the last check's result and whether the diagram changed since — and both the toolbar
// line and the summary above the problem list are drawn from it, so they never disagree.

import { t } from "./i18n";

export { t };

function countsOf(problems) {
  const errors = problems.filter((p) => p.severity === "error").length;
  return { errors, warnings: problems.length - errors };
}

function checkSummary(problems) {
  const { errors, warnings } = countsOf(problems);
  if (!problems.length) return [t("clean"), "success"];
  const counted = (key, n) => t(`${key}_${n === 1 ? "one" : "other"}`, { n });
  return [t("counts", { errors: counted("errors", errors), warnings: counted("warnings", warnings) }),
    errors ? "danger" : "warning"];
}

class EditorStatus {
  constructor() {
    this.message = null;   // {text, tone, link}: the last action's outcome
    this.problems = null;  // the last check's problems (null: never checked)
    this.stale = false;    // the diagram changed after that check
    this.dirty = false;    // edits not saved yet
  }

  set(text, tone = "", link = null) {
    this.message = { text, tone, link };
    this.render();
  }

  checked(problems) {
    this.problems = problems;
    this.stale = false;
    this.set(...checkSummary(problems));
  }

  changed() {
    this.dirty = true;
    if (this.problems) this.stale = true;
    this.message = null;
    this.render();
  }

  saved(text) {
    this.dirty = false;
    this.set(text, "success");
  }

  render() {
    const bar = document.getElementById("tdkt-status");
    if (bar) {
      const shown = this.message || (this.dirty ? { text: t("unsaved"), tone: "" } : null);
      bar.textContent = shown ? shown.text : "";
      bar.className = `tdkt-status ms-2 ${shown && shown.tone ? `text-${shown.tone}` : ""}`;
      if (shown && shown.link) bar.append(shown.link);
      bar.dataset.state = this.dirty ? "unsaved" : "saved";
    }
    const summary = document.getElementById("tdkt-problems-summary");
    if (summary) {
      let text = t("not_checked");
      if (this.problems) {
        const [counts] = checkSummary(this.problems);
        text = this.stale ? `${t("stale")} ${counts}` : counts;
      }
      summary.textContent = text;
      summary.dataset.state = !this.problems ? "unchecked" : (this.stale ? "stale" : "current");
    }
    const list = document.getElementById("tdkt-problems");
    if (list) list.classList.toggle("tdkt-problems-stale", this.stale);
  }
}

export const editorStatus = new EditorStatus();

export function status(text, tone = "") {
  editorStatus.set(text, tone);
}

async function send(root, method, url, body) {
  const response = await fetch(url, {
    method,
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": root.dataset.csrf },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let data = {};
  try {
    data = await response.json();
  } catch (e) {
    data = { message: `HTTP ${response.status}` };
  }
  return { ok: response.ok, status: response.status, data };
}

export class Editor {
  // `getXML()` returns the current XML (pending panel input flushed first, see
  // modeler/flush.js); `kind` is "bpmn" or "dmn"; `showProblems(list)` draws the
  // problems where they belong.
  constructor(root, { getXML, kind, showProblems }) {
    this.root = root;
    this.getXML = getXML;
    this.kind = kind;
    this.showProblems = showProblems;
    this.draftId = root.dataset.draftId || "";
    this.deployed = root.dataset.draftStatus === "deployed";
    editorStatus.render();
  }

  draftUrl(suffix = "") {
    return `${this.root.dataset.draftsUrl}/${this.draftId}${suffix}`;
  }

  // The diagram was edited (the entries call this on every change).
  changed() {
    editorStatus.changed();
  }

  async save() {
    if (this.deployed) {  // a deployed draft is frozen: saving starts a new draft
      this.draftId = "";
      this.deployed = false;
    }
    status(t("saving"));
    const xml = await this.getXML();
    const result = this.draftId
      ? await send(this.root, "PUT", this.draftUrl(), { xml })
      : await send(this.root, "POST", this.root.dataset.draftsUrl, {
        xml, kind: this.kind, name: this.root.dataset.key,
        base_version_id: this.root.dataset.baseVersionId || null });
    if (!result.ok) {
      status(t("save_failed", { reason: result.data.message || result.status }), "danger");
      return false;
    }
    if (!this.draftId) {
      this.draftId = String(result.data.id);
      window.history.replaceState(null, "", result.data.url);
      // The page is the draft's now: its badge and breadcrumb say so, not the version's.
      for (const id of ["tdkt-crumb", "tdkt-crumb-trail"]) {
        const crumb = document.getElementById(id);
        if (crumb) crumb.textContent = t("draft", { id: this.draftId });
      }
      document.getElementById("tdkt-version-state")?.remove();
    }
    editorStatus.saved(t("saved", { id: this.draftId }));
    return true;
  }

  async validate() {
    if (!(await this.save())) return null;
    status(t("validating"));
    const result = await send(this.root, "POST", this.draftUrl("/validate"));
    if (!result.ok) {
      status(t("validate_failed", { reason: result.data.message || result.status }), "danger");
      return null;
    }
    const problems = result.data.problems || [];
    this.showProblems(problems);
    editorStatus.checked(problems);
    return problems;
  }

  async deploy() {
    const problems = await this.validate();
    if (problems === null) return;
    if (problems.some((p) => p.severity === "error")) {
      status(t("has_errors"), "danger");
      return;
    }
    const preview = await send(this.root, "GET", this.draftUrl("/deploy-preview.json"));
    if (!preview.ok) {
      status(t("preview_failed", { reason: preview.data.message || preview.status }), "danger");
      return;
    }
    if (!(await confirmDeploy(preview.data))) {
      status(t("deploy_cancelled"));
      return;
    }
    status(t("deploying"));
    const result = await send(this.root, "POST", this.draftUrl("/deploy"));
    if (!result.ok) {
      const details = result.data.details || [];
      this.showProblems(details);
      editorStatus.problems = details;
      status(t("deploy_failed", { reason: result.data.message }), "danger");
      return;
    }
    this.deployed = true;
    const link = document.createElement("a");
    link.href = result.data.url;
    link.textContent = t("version", { n: result.data.deployed_version });
    editorStatus.set(t(result.data.created ? "deployed" : "identical"), "success", link);
    // This page shows a draft now frozen: open the version's own page (it says what was
    // deployed); the link above stays if the browser does not leave.
    window.location.assign(result.data.url);
  }

  async download(filename) {
    const blob = new Blob([await this.getXML()], { type: "application/xml" });
    const link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = filename;
    link.click();
    URL.revokeObjectURL(link.href);
  }

  bindToolbar(filename) {
    const actions = {
      save: () => this.save(), validate: () => this.validate(), deploy: () => this.deploy(),
      download: () => this.download(filename),
    };
    this.root.querySelectorAll("[data-action]").forEach((button) => {
      button.addEventListener("click", async () => {
        button.disabled = true;
        try {
          await actions[button.dataset.action]();
        } finally {
          button.disabled = false;
        }
      });
    });
  }
}

// The confirmation before a deploy: the page's <dialog> (_editor_toolbar.html) filled with
// the server's words (deploy-preview.json); resolves true on «Triển khai», false on «Hủy»
// or Esc. Focus starts on «Hủy» and returns to the toolbar when the dialog closes.
function confirmDeploy(summary) {
  const dialog = document.getElementById("tdkt-deploy-dialog");
  if (!dialog || typeof dialog.showModal !== "function") {
    return Promise.resolve(window.confirm([summary.title, ...summary.sentences].join("\n")));
  }
  const paragraphs = summary.sentences.map((text) => {
    const p = document.createElement("p");
    p.textContent = text;
    return p;
  });
  document.getElementById("tdkt-deploy-title").textContent = summary.title;
  document.getElementById("tdkt-deploy-body").replaceChildren(...paragraphs);
  document.getElementById("tdkt-deploy-changes-title").textContent = summary.changes_title;
  document.getElementById("tdkt-deploy-changes").replaceChildren(...summary.changes.map((text) => {
    const item = document.createElement("li");
    item.textContent = text;
    return item;
  }));
  document.getElementById("tdkt-deploy-confirm").textContent = summary.confirm;
  dialog.returnValue = "";
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "deploy"),
      { once: true });
    dialog.showModal();
  });
}

// The list beside the diagram: one item per problem; `select(id)` shows its element.
export function renderProblemList(problems, select) {
  const list = document.getElementById("tdkt-problems");
  if (!list) return;
  list.replaceChildren();
  for (const problem of problems) {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.className = `tdkt-problem tdkt-problem-${problem.severity}`;
    button.dataset.elementId = problem.element_id || "";
    button.dataset.code = problem.code || "";
    const label = t(problem.severity === "warning" ? "warning" : "error");
    button.innerHTML = "<strong></strong> <code></code> <span></span>";
    button.querySelector("strong").textContent = `${label}:`;
    button.querySelector("code").textContent = problem.element_id || "";
    button.querySelector("span").textContent = problem.message;
    if (problem.element_id) button.addEventListener("click", () => select(problem.element_id));
    item.append(button);
    list.append(item);
  }
}
