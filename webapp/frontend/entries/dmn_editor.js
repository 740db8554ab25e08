// The decision table editor (bảng quyết định, eligibility) of /admin/processes/dmn/<name>:
// dmn-js opened on the decision table; saved as a draft, checked and deployed like a
// diagram (engine/drafts.py writes the deployed table where the eligibility reads it).
import "dmn-js/dist/assets/diagram-js.css";
import "dmn-js/dist/assets/dmn-js-shared.css";
import "dmn-js/dist/assets/dmn-js-drd.css";
import "dmn-js/dist/assets/dmn-js-decision-table.css";
import "dmn-js/dist/assets/dmn-js-decision-table-controls.css";
import "dmn-js/dist/assets/dmn-js-literal-expression.css";
import "dmn-js/dist/assets/dmn-font/css/dmn-embedded.css";
import "../modeler/modeler.css";
import DmnModeler from "dmn-js/lib/Modeler";
import { Editor, renderProblemList, status, t } from "../modeler/editor";
import { pageIsVietnamese } from "../modeler/translate";
import DmnTranslateModule from "../modeler/translate_dmn";

// A problem names a rule (its row) or a cell (an input or output entry) by id: dmn-js
// renders cells with data-element-id and rows with data-row-id.
function cellsOf(id) {
  const table = document.getElementById("tdkt-dmn");
  const safe = CSS.escape(id);
  return [...table.querySelectorAll(`[data-element-id="${safe}"], [data-row-id="${safe}"] td`)];
}

let marked = [];

function applyMarks() {
  for (const problem of marked) {
    if (!problem.element_id) continue;
    for (const cell of cellsOf(problem.element_id)) {
      cell.classList.add("tdkt-problem-cell", `tdkt-problem-${problem.severity}`);
      if (cell.title !== problem.message) cell.title = problem.message;
    }
  }
}

function markCells(problems) {
  document.querySelectorAll("#tdkt-dmn .tdkt-problem-cell").forEach((cell) => {
    cell.classList.remove("tdkt-problem-cell", "tdkt-problem-error", "tdkt-problem-warning");
    cell.removeAttribute("title");
  });
  marked = problems;
  applyMarks();
}

// dmn-js re-renders cells (selection, editing) and drops classes it did not set: put the
// marks back after each render. Adding a class that is there changes nothing, so this
// settles at once.
function keepMarks() {
  let pending = false;
  new MutationObserver(() => {
    if (pending || !marked.length) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      applyMarks();
    });
  }).observe(document.getElementById("tdkt-dmn"),
    { subtree: true, childList: true, attributes: true, attributeFilter: ["class"] });
}

function showCell(id) {
  const [cell] = cellsOf(id);
  if (!cell) return;
  cell.scrollIntoView({ block: "center", inline: "center" });
  const editable = cell.querySelector("[contenteditable]") || cell;
  if (editable.focus) editable.focus();
}

async function start(root) {
  // Each view's own additionalModules (the "common" ones would be overridden).
  const translated = { additionalModules: pageIsVietnamese() ? [DmnTranslateModule] : [] };
  const modeler = new DmnModeler({ container: "#tdkt-dmn", decisionTable: translated,
    drd: translated, literalExpression: translated });
  try {
    const response = await fetch(root.dataset.xmlUrl, { credentials: "same-origin" });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    await modeler.importXML(await response.text());
  } catch (e) {
    status(t("read_table_failed", { reason: e.message }), "danger");
    return;
  }
  const table = modeler.getViews().find((view) => view.type === "decisionTable");
  if (table) await modeler.open(table);
  const editor = new Editor(root, {
    kind: "dmn",
    getXML: async () => (await modeler.saveXML({ format: true })).xml,
    showProblems: (problems) => {
      markCells(problems);
      renderProblemList(problems, (id) => showCell(id));
    },
  });
  editor.bindToolbar(`${root.dataset.key}.dmn`);
  // Each view (the decision table, the DRD, another table) has its own viewer, made when
  // it is first shown: follow the edits of every one of them.
  const followed = new WeakSet();
  const follow = () => {
    const viewer = modeler.getActiveViewer();
    if (!viewer || followed.has(viewer)) return;
    followed.add(viewer);
    viewer.get("eventBus").on("commandStack.changed", () => editor.changed());
  };
  follow();
  modeler.on("views.changed", follow);
  keepMarks();
  window.tdktDmn = modeler;
  window.tdktEditor = editor;
  root.dataset.ready = "true";
}

const root = document.getElementById("tdkt-dmn-app");
if (root) start(root);
