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
import { Editor, renderProblemList, status } from "../modeler/editor";

async function start(root) {
  const modeler = new DmnModeler({ container: "#tdkt-dmn" });
  try {
    const response = await fetch(root.dataset.xmlUrl, { credentials: "same-origin" });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    await modeler.importXML(await response.text());
  } catch (e) {
    status(`Không đọc được bảng quyết định: ${e.message}`, "danger");
    return;
  }
  const table = modeler.getViews().find((view) => view.type === "decisionTable");
  if (table) await modeler.open(table);
  const editor = new Editor(root, {
    kind: "dmn",
    getXML: async () => (await modeler.saveXML({ format: true })).xml,
    showProblems: (problems) => renderProblemList(problems, () => {}),
  });
  editor.bindToolbar(`${root.dataset.key}.dmn`);
  window.tdktDmn = modeler;
  window.tdktEditor = editor;
  root.dataset.ready = "true";
}

const root = document.getElementById("tdkt-dmn-app");
if (root) start(root);
