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
