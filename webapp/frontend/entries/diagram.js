// The instance diagram: bpmn-js's NavigatedViewer shows the version's BPMN with the
// completed steps, the current step(s), errors and the route taken marked (see diagram.css).
// The page gives the XML address (data-xml-url) and the trail (a JSON <script> element).
// The buttons of [data-diagram-zoom] zoom in, out and back to the whole diagram.
import "bpmn-js/dist/assets/diagram-js.css";
import "bpmn-js/dist/assets/bpmn-js.css";
import "../diagram.css";
import NavigatedViewer from "bpmn-js/lib/NavigatedViewer";

const MARKERS = { completed: "tdkt-done", current: "tdkt-current", error: "tdkt-error",
  flows: "tdkt-flow" };

function readTrail(container) {
  const node = document.getElementById(container.dataset.trail || "tdkt-trail");
  try {
    return node ? JSON.parse(node.textContent) : {};
  } catch (e) {
    return {};
  }
}

const ZOOM_STEP = 1.25;

function zoomControls(container, canvas) {
  const bar = document.querySelector(`[data-diagram-zoom="${container.id}"]`);
  if (!bar) return;
  const actions = {
    in: () => canvas.zoom(canvas.zoom() * ZOOM_STEP, "auto"),
    out: () => canvas.zoom(canvas.zoom() / ZOOM_STEP, "auto"),
    fit: () => canvas.zoom("fit-viewport", "auto"),
  };
  for (const button of bar.querySelectorAll("button[data-zoom]")) {
    button.disabled = false;
    button.addEventListener("click", () => {
      actions[button.dataset.zoom]();
      container.dataset.zoom = canvas.zoom().toFixed(3);
    });
  }
}

function fail(container, status) {
  status.textContent = container.dataset.errorText || "Không hiển thị được sơ đồ.";
  status.classList.remove("visually-hidden");
}

async function show(container) {
  const status = document.getElementById(container.dataset.status || "tdkt-diagram-status");
  const viewer = new NavigatedViewer({ container });
  try {
    const response = await fetch(container.dataset.xmlUrl, { credentials: "same-origin" });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    await viewer.importXML(await response.text());
  } catch (e) {
    if (status) fail(container, status);
    return;
  }
  const canvas = viewer.get("canvas");
  const registry = viewer.get("elementRegistry");
  canvas.zoom("fit-viewport", "auto");
  container.dataset.zoom = canvas.zoom().toFixed(3);
  zoomControls(container, canvas);
  const trail = readTrail(container);
  for (const [key, marker] of Object.entries(MARKERS)) {
    for (const id of trail[key] || []) {
      if (registry.get(id)) canvas.addMarker(id, marker);
    }
  }
  container.dataset.ready = "true";
}

document.querySelectorAll("[data-bpmn-diagram]").forEach((el) => { show(el); });
