// The process modeler (trình vẽ quy trình) of /admin/processes: bpmn-js Modeler with the
// properties panel, our "TĐKT" group (modeler/provider.js) and the spiffworkflow moddle
// extension; "Kiểm tra" marks every problem on the diagram and lists it beside it.
import "bpmn-js/dist/assets/diagram-js.css";
import "bpmn-js/dist/assets/bpmn-js.css";
import "bpmn-js/dist/assets/bpmn-font/css/bpmn-embedded.css";
import "@bpmn-io/properties-panel/dist/assets/properties-panel.css";
import "../modeler/modeler.css";
import BpmnModeler from "bpmn-js/lib/Modeler";
import { BpmnPropertiesPanelModule, BpmnPropertiesProviderModule } from "bpmn-js-properties-panel";
import spiffModdle from "../modeler/spiffworkflow.json";
import TdktPropertiesProvider from "../modeler/provider";
import FlushModule from "../modeler/flush";
import TranslateModule, { pageIsVietnamese } from "../modeler/translate";
import { Editor, renderProblemList, status, t } from "../modeler/editor";

const MARKERS = { error: "tdkt-problem-error", warning: "tdkt-problem-warning" };

async function getJSON(url) {
  const response = await fetch(url, { credentials: "same-origin" });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return response.json();
}

async function getText(url) {
  const response = await fetch(url, { credentials: "same-origin" });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return response.text();
}

class ProblemMarks {
  constructor(modeler) {
    this.canvas = modeler.get("canvas");
    this.overlays = modeler.get("overlays");
    this.registry = modeler.get("elementRegistry");
    this.selection = modeler.get("selection");
    this.marked = [];
  }

  clear() {
    for (const [id, marker] of this.marked) {
      if (this.registry.get(id)) this.canvas.removeMarker(id, marker);
    }
    this.marked = [];
    this.overlays.remove({ type: "tdkt-problem" });
  }

  // One marker and one badge per element, in the colour of its worst problem; the badge
  // counts the problems when there are several, its tooltip lists them.
  show(problems) {
    this.clear();
    const byElement = new Map();
    for (const problem of problems) {
      const element = problem.element_id && this.registry.get(problem.element_id);
      if (!element) continue;  // listed only (renderProblemList)
      if (!byElement.has(element.id)) byElement.set(element.id, [element, []]);
      byElement.get(element.id)[1].push(problem);
    }
    for (const [element, found] of byElement.values()) {
      const worst = found.some((p) => p.severity !== "warning") ? "error" : "warning";
      const marker = MARKERS[worst];
      this.canvas.addMarker(element.id, marker);
      this.marked.push([element.id, marker]);
      const badge = document.createElement("span");
      badge.className = `tdkt-problem-badge ${marker}`;
      badge.textContent = found.length > 1 ? String(found.length) : (worst === "warning" ? "!" : "×");
      badge.title = found.map((p) => p.message).join("\n");
      this.overlays.add(element.id, "tdkt-problem", {
        position: element.waypoints ? { top: -12, left: -12 } : { top: -12, right: 12 },
        html: badge,
      });
    }
    renderProblemList(problems, (id) => this.select(id));
  }

  select(id) {
    const element = this.registry.get(id);
    if (!element) return;
    this.selection.select(element);
    if (this.canvas.scrollToElement) this.canvas.scrollToElement(element, { top: 120 });
  }
}

// Below this canvas width the palette starts folded away (a phone): beside it the whole
// diagram would get about 200 px.
const NARROW = 600;

// The palette shown or folded away by the "Công cụ vẽ" button (visible on narrow screens).
function bindPaletteToggle(container) {
  const wrap = container.parentElement;
  const button = document.getElementById("tdkt-palette-toggle");
  if (!button || !wrap) return;
  const show = (shown) => {
    wrap.classList.toggle("tdkt-palette-collapsed", !shown);
    button.setAttribute("aria-expanded", String(shown));
  };
  show(container.clientWidth >= NARROW);
  button.addEventListener("click", () => show(button.getAttribute("aria-expanded") !== "true"));
}

// Fit the diagram into the canvas to the right of the palette, so the palette does not
// cover the lane and pool labels at the diagram's left edge; the whole width when the
// palette is folded away.
function fitBesidePalette(modeler, container) {
  const canvas = modeler.get("canvas");
  canvas.zoom("fit-viewport", "auto");
  const palette = container.querySelector(".djs-palette");
  if (!palette) return;
  const shown = palette.getClientRects().length > 0;
  const inset = shown
    ? palette.getBoundingClientRect().right - container.getBoundingClientRect().left + 12 : 12;
  const { inner, outer } = canvas.viewbox();
  const room = outer.width - inset - 12;
  if (room <= 0 || !inner.width || !inner.height) return;
  const scale = Math.min(room / inner.width, (outer.height - 24) / inner.height, 1);
  const width = outer.width / scale;
  const height = outer.height / scale;
  canvas.viewbox({ x: inner.x - inset / scale, y: inner.y - (height - inner.height) / 2,
    width, height });
}

async function start(root) {
  let config;
  let xml;
  try {
    [config, xml] = await Promise.all([getJSON(root.dataset.configUrl),
      getText(root.dataset.xmlUrl)]);
  } catch (e) {
    status(t("load_failed"), "danger");
    return;
  }
  const modeler = new BpmnModeler({
    container: "#tdkt-canvas",
    propertiesPanel: { parent: "#tdkt-properties",
      layout: { groups: { general: { open: true }, tdkt: { open: true } } } },
    additionalModules: [BpmnPropertiesPanelModule, BpmnPropertiesProviderModule, FlushModule,
      { __init__: ["tdktPropertiesProvider"], tdktPropertiesProvider: ["type", TdktPropertiesProvider] },
      ...(pageIsVietnamese() ? [TranslateModule] : [])],
    moddleExtensions: { spiffworkflow: spiffModdle },
    tdkt: config,
  });
  try {
    await modeler.importXML(xml);
  } catch (e) {
    status(t("read_failed", { reason: e.message }), "danger");
    return;
  }
  bindPaletteToggle(document.getElementById("tdkt-canvas"));
  fitBesidePalette(modeler, document.getElementById("tdkt-canvas"));
  const marks = new ProblemMarks(modeler);
  const editor = new Editor(root, {
    kind: "bpmn",
    getXML: async () => {
      modeler.get("debounceInput").flush();  // what was typed a moment ago goes too
      return (await modeler.saveXML({ format: true })).xml;
    },
    showProblems: (problems) => marks.show(problems),
  });
  modeler.get("eventBus").on("commandStack.changed", () => editor.changed());
  editor.bindToolbar(`${root.dataset.key}.bpmn`);
  window.tdktModeler = modeler;  // for the browser tests and the console
  window.tdktEditor = editor;
  root.dataset.ready = "true";
}

const root = document.getElementById("tdkt-modeler-app");
if (root) start(root);
