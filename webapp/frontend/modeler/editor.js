// What the BPMN modeler and the DMN editor share: the toolbar (save as draft, validate,
// deploy, download), talking to /admin/processes/drafts, and the list of problems.
// The page gives the addresses and the CSRF token in data-* attributes of `root`.

export function status(text, tone = "") {
  const node = document.getElementById("tdkt-status");
  if (!node) return;
  node.textContent = text;
  node.className = `tdkt-status ms-2 ${tone ? `text-${tone}` : ""}`;
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
  // `getXML()` returns the current XML; `kind` is "bpmn" or "dmn"; `showProblems(list)`
  // draws the problems where they belong.
  constructor(root, { getXML, kind, showProblems }) {
    this.root = root;
    this.getXML = getXML;
    this.kind = kind;
    this.showProblems = showProblems;
    this.draftId = root.dataset.draftId || "";
    this.deployed = root.dataset.draftStatus === "deployed";
  }

  draftUrl(suffix = "") {
    return `${this.root.dataset.draftsUrl}/${this.draftId}${suffix}`;
  }

  async save() {
    if (this.deployed) {  // a deployed draft is frozen: saving starts a new draft
      this.draftId = "";
      this.deployed = false;
    }
    status("Đang lưu…");
    const xml = await this.getXML();
    const result = this.draftId
      ? await send(this.root, "PUT", this.draftUrl(), { xml })
      : await send(this.root, "POST", this.root.dataset.draftsUrl, {
        xml, kind: this.kind, name: this.root.dataset.key,
        base_version_id: this.root.dataset.baseVersionId || null });
    if (!result.ok) {
      status(`Không lưu được: ${result.data.message || result.status}`, "danger");
      return false;
    }
    if (!this.draftId) {
      this.draftId = String(result.data.id);
      window.history.replaceState(null, "", result.data.url);
      const crumb = document.getElementById("tdkt-crumb");
      if (crumb) crumb.textContent = `Bản nháp #${this.draftId}`;
    }
    status(`Đã lưu bản nháp #${this.draftId}.`, "success");
    return true;
  }

  async validate() {
    if (!(await this.save())) return null;
    const result = await send(this.root, "POST", this.draftUrl("/validate"));
    if (!result.ok) {
      status(`Không kiểm tra được: ${result.data.message || result.status}`, "danger");
      return null;
    }
    const problems = result.data.problems || [];
    this.showProblems(problems);
    const errors = problems.filter((p) => p.severity === "error").length;
    const warnings = problems.length - errors;
    status(problems.length ? `${errors} lỗi, ${warnings} cảnh báo.` : "Không có lỗi nào.",
      errors ? "danger" : (warnings ? "warning" : "success"));
    return problems;
  }

  async deploy() {
    const problems = await this.validate();
    if (problems === null) return;
    if (problems.some((p) => p.severity === "error")) {
      status("Còn lỗi: hãy sửa các lỗi được đánh dấu trước khi triển khai.", "danger");
      return;
    }
    const result = await send(this.root, "POST", this.draftUrl("/deploy"));
    if (!result.ok) {
      this.showProblems(result.data.details || []);
      status(`Không triển khai được: ${result.data.message}`, "danger");
      return;
    }
    this.deployed = true;
    const link = document.createElement("a");
    link.href = result.data.url;
    link.textContent = `phiên bản ${result.data.deployed_version}`;
    status(result.data.created ? "Đã triển khai thành " : "Sơ đồ giống hệt ", "success");
    document.getElementById("tdkt-status").append(link);
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

// The list beside the diagram: one item per problem; `select(id)` shows its element.
export function renderProblemList(problems, select) {
  const list = document.getElementById("tdkt-problems");
  const empty = document.getElementById("tdkt-problems-empty");
  if (!list) return;
  list.replaceChildren();
  if (empty) empty.hidden = problems.length > 0;
  for (const problem of problems) {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.className = `tdkt-problem tdkt-problem-${problem.severity}`;
    button.dataset.elementId = problem.element_id || "";
    button.dataset.code = problem.code || "";
    const label = problem.severity === "warning" ? "Cảnh báo" : "Lỗi";
    button.innerHTML = "<strong></strong> <code></code> <span></span>";
    button.querySelector("strong").textContent = `${label}:`;
    button.querySelector("code").textContent = problem.element_id || "";
    button.querySelector("span").textContent = problem.message;
    if (problem.element_id) button.addEventListener("click", () => select(problem.element_id));
    item.append(button);
    list.append(item);
  }
}
