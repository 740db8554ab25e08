// Two versions side by side (/admin/processes/<key>/diff): two bpmn-js viewers with the
// elements the Python diff (engine/specs/diff.py) found added, removed or changed marked
// on both diagrams; clicking a row of the list shows its element on both.
import "bpmn-js/dist/assets/diagram-js.css";
import "bpmn-js/dist/assets/bpmn-js.css";
import "../diagram.css";
import "../modeler/diff.css";
import NavigatedViewer from "bpmn-js/lib/NavigatedViewer";

// Which marks each side shows: removed ones exist only in the old, added only in the new.
const SIDES = { old: ["removed", "changed"], new: ["added", "changed"] };

async function open(container, url) {
  const viewer = new NavigatedViewer({ container });
  const response = await fetch(url, { credentials: "same-origin" });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  await viewer.importXML(await response.text());
  viewer.get("canvas").zoom("fit-viewport", "auto");
  return viewer;
}

function mark(viewer, changes, statuses) {
  const canvas = viewer.get("canvas");
  const registry = viewer.get("elementRegistry");
  for (const change of changes) {
    if (statuses.includes(change.status) && registry.get(change.id)) {
      canvas.addMarker(change.id, `tdkt-diff-${change.status}`);
    }
  }
}

function focus(viewers, id) {
  for (const viewer of viewers) {
    const element = viewer.get("elementRegistry").get(id);
    if (element) viewer.get("canvas").scrollToElement(element, { top: 80 });
  }
}

async function show(root) {
  const data = JSON.parse(document.getElementById(root.dataset.diff).textContent);
  let viewers;
  try {
    viewers = await Promise.all([
      open(document.getElementById("tdkt-diff-old"), root.dataset.oldUrl),
      open(document.getElementById("tdkt-diff-new"), root.dataset.newUrl),
    ]);
  } catch (e) {
    document.getElementById("tdkt-diff-status").classList.remove("visually-hidden");
    return;
  }
  mark(viewers[0], data.changes, SIDES.old);
  mark(viewers[1], data.changes, SIDES.new);
  document.querySelectorAll("#tdkt-changes tr[data-element-id]").forEach((row) => {
    row.tabIndex = 0;
    const go = () => focus(viewers, row.dataset.elementId);
    row.addEventListener("click", go);
    row.addEventListener("keydown", (e) => { if (e.key === "Enter") go(); });
  });
  window.tdktDiffViewers = viewers;
  root.dataset.ready = "true";
}

const root = document.getElementById("tdkt-diff");
if (root) show(root);
