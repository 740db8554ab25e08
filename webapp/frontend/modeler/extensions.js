// Reading and writing what our engine reads in a diagram (see bpmn/*.bpmn):
//   <bpmn:extensionElements>
//     <spiffworkflow:properties><spiffworkflow:property name="formKey" value="..."/></...>
//     <spiffworkflow:serviceTaskOperator id="handler" resultVariable="x">...</...>
//   </bpmn:extensionElements>
// Every change goes through `modeling`, so it can be undone (Ctrl+Z).
import { getBusinessObject, is } from "bpmn-js/lib/util/ModelUtil";

export const PROPERTIES = "spiffworkflow:properties";
export const PROPERTY = "spiffworkflow:property";
export const OPERATOR = "spiffworkflow:serviceTaskOperator";

function values(bo) {
  const ext = bo.get("extensionElements");
  return ext ? ext.get("values") : [];
}

export function findExtension(element, type) {
  return values(getBusinessObject(element)).find((v) => is(v, type));
}

export function getProperty(element, name) {
  const props = findExtension(element, PROPERTIES);
  const found = props && props.get("properties").find((p) => p.name === name);
  return found ? found.value : "";
}

// The element's <bpmn:extensionElements>, created when missing.
function extensionElements(element, { moddle, modeling }) {
  const bo = getBusinessObject(element);
  let ext = bo.get("extensionElements");
  if (!ext) {
    ext = moddle.create("bpmn:ExtensionElements", { values: [] });
    ext.$parent = bo;
    modeling.updateProperties(element, { extensionElements: ext });
  }
  return ext;
}

// An extension of `type` inside extensionElements, created when missing.
function ensureExtension(element, type, attrs, services) {
  const found = findExtension(element, type);
  if (found) return found;
  const ext = extensionElements(element, services);
  const created = services.moddle.create(type, attrs);
  created.$parent = ext;
  services.modeling.updateModdleProperties(element, ext, {
    values: [...ext.get("values"), created],
  });
  return created;
}

function removeExtension(element, extension, { modeling }) {
  const ext = getBusinessObject(element).get("extensionElements");
  modeling.updateModdleProperties(element, ext, {
    values: ext.get("values").filter((v) => v !== extension),
  });
}

export function setProperty(element, name, value, services) {
  const { moddle, modeling } = services;
  const trimmed = (value || "").trim();
  const existing = findExtension(element, PROPERTIES);
  const prop = existing && existing.get("properties").find((p) => p.name === name);
  if (!trimmed) {
    if (prop) {
      modeling.updateModdleProperties(element, existing, {
        properties: existing.get("properties").filter((p) => p !== prop),
      });
    }
    return;
  }
  if (prop) {
    modeling.updateModdleProperties(element, prop, { value: trimmed });
    return;
  }
  const props = ensureExtension(element, PROPERTIES, { properties: [] }, services);
  const created = moddle.create(PROPERTY, { name, value: trimmed });
  created.$parent = props;
  modeling.updateModdleProperties(element, props, {
    properties: [...props.get("properties"), created],
  });
}

export function getOperator(element) {
  return findExtension(element, OPERATOR);
}

export function setHandler(element, name, services) {
  const op = getOperator(element);
  if (!name) {
    if (op) removeExtension(element, op, services);
    return;
  }
  if (op) {
    services.modeling.updateModdleProperties(element, op, { id: name });
    return;
  }
  // SpiffWorkflow's schema wants <spiffworkflow:parameters> in every operator.
  const created = ensureExtension(element, OPERATOR, { id: name }, services);
  const params = services.moddle.create("spiffworkflow:parameters", { parameters: [] });
  params.$parent = created;
  services.modeling.updateModdleProperties(element, created, { parameterList: params });
}

export function setResultVariable(element, value, services) {
  const op = getOperator(element);
  if (op) services.modeling.updateModdleProperties(element, op, { resultVariable: value || undefined });
}

// Lanes name their role: "Label (code)" or the bare code (engine/roles.py).
const TRAILING = /\(([A-Za-z_][\w-]*)\)\s*$/;

export function roleOfLane(name, roles) {
  const codes = roles.map((r) => r.code);
  const bare = (name || "").trim().toLowerCase();
  if (codes.includes(bare)) return bare;
  const match = (name || "").trim().match(TRAILING);
  return match && codes.includes(match[1].toLowerCase()) ? match[1].toLowerCase() : "";
}

export function laneNameFor(currentName, code, roles) {
  const label = (currentName || "").replace(TRAILING, "").trim();
  const role = roles.find((r) => r.code === code);
  const text = label && !roles.some((r) => r.code === label.toLowerCase())
    ? label : (role ? role.label : code);
  return `${text} (${code})`;
}

// <spiffworkflow:preScript> / <spiffworkflow:postScript>: code run before / after the task.
export function getScript(element, type) {
  const found = findExtension(element, type);
  return found ? found.get("script") || "" : "";
}

export function setScript(element, type, value, services) {
  const text = (value || "").trim() ? value : "";
  const found = findExtension(element, type);
  if (!text) {
    if (found) removeExtension(element, found, services);
    return;
  }
  if (found) {
    services.modeling.updateModdleProperties(element, found, { script: text });
    return;
  }
  const created = ensureExtension(element, type, {}, services);
  services.modeling.updateModdleProperties(element, created, { script: text });
}

// The handler's parameters: <spiffworkflow:parameter id="name" type="any" value="expr"/>,
// each value a Python expression on the task's data.
export function getParameters(element) {
  const op = getOperator(element);
  const list = op && op.get("parameterList");
  return list ? list.get("parameters") : [];
}

function parameterList(element, services) {
  const op = getOperator(element);
  if (!op) return null;
  let list = op.get("parameterList");
  if (!list) {
    list = services.moddle.create("spiffworkflow:parameters", { parameters: [] });
    list.$parent = op;
    services.modeling.updateModdleProperties(element, op, { parameterList: list });
  }
  return list;
}

export function addParameter(element, services) {
  const list = parameterList(element, services);
  if (!list) return;
  const taken = new Set(list.get("parameters").map((p) => p.id));
  let n = list.get("parameters").length + 1;
  while (taken.has(`param${n}`)) n += 1;
  const created = services.moddle.create("spiffworkflow:parameter",
    { id: `param${n}`, type: "any", value: "" });
  created.$parent = list;
  services.modeling.updateModdleProperties(element, list, {
    parameters: [...list.get("parameters"), created],
  });
}

export function removeParameter(element, parameter, services) {
  const list = parameterList(element, services);
  if (!list) return;
  services.modeling.updateModdleProperties(element, list, {
    parameters: list.get("parameters").filter((p) => p !== parameter),
  });
}
