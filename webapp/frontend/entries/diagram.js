// The instance diagram: bpmn-js's NavigatedViewer shows the version's BPMN with the
// completed steps, the current step(s), errors and the route taken marked (see diagram.css).
// The page gives the XML address (data-xml-url) and the trail (a JSON <script> element).
// Lanes show their label without the role code ("Văn thư (secretariat)" → "Văn thư"); the
// buttons of [data-diagram-zoom] zoom in, out and back to the whole diagram.
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

const BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL";
// The role code a lane's name may end with (engine/roles.py, role_of_lane).
const ROLE_SUFFIX = /\s*\([A-Za-z_][\w-]*\)\s*$/;
const ZOOM_STEP = 1.25;

// The XML as shown: lane names without their "(role)" suffix. The diagram itself is unchanged.
export function readableLanes(xml) {
  const doc = new DOMParser().parseFromString(xml, "application/xml");
  if (doc.getElementsByTagName("parsererror").length) return xml;
  let changed = false;
  for (const lane of doc.getElementsByTagNameNS(BPMN_NS, "lane")) {
    const name = lane.getAttribute("name") || "";
    const shown = name.replace(ROLE_SUFFIX, "");
    if (shown && shown !== name) {
      lane.setAttribute("name", shown);
      changed = true;
    }
  }
  return changed ? new XMLSerializer().serializeToString(doc) : xml;
}

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
    await viewer.importXML(readableLanes(await response.text()));
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
