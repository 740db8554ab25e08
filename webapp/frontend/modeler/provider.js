// The "TĐKT" group of the properties panel: exactly what our engine reads.
// lane -> role; user task -> form key, notification kind, due / not-before working days
// (days.js); service task -> handler, result variable and its parameters (params.js);
// every task -> scripts run before and after it; sequence flow -> condition;
// script task -> script; timer event -> its deadline (timer.js, which replaces
// bpmn-js-properties-panel's own Timer group: that one writes ISO values unquoted).
// The choices come from /admin/processes/modeler-config.json (config.js).
import { h } from "@bpmn-io/properties-panel/preact";
import {
  Group, SelectEntry, TextAreaEntry, TextFieldEntry,
  isNumberFieldEntryEdited, isSelectEntryEdited, isTextAreaEntryEdited, isTextFieldEntryEdited,
} from "@bpmn-io/properties-panel";
import { useService } from "bpmn-js-properties-panel";
import { getBusinessObject, is } from "bpmn-js/lib/util/ModelUtil";
import { CONFIG, setConfig } from "./config";
import { t } from "./i18n";
import { DueMode, DueValue, NotBeforeMode, NotBeforeValue } from "./days";
import {
  getOperator, getProperty, getScript, laneNameFor, roleOfLane, setHandler, setProperty,
  setResultVariable, setScript,
} from "./extensions";
import { parametersGroup } from "./params";
import {
  modes, valueText, changeMode, readTimer, timerDefinition, timerError, writeTimer,
} from "./timer";

function useEditing() {
  return { moddle: useService("moddle"), modeling: useService("modeling") };
}

function choices(list, empty) {
  return () => [{ value: "", label: empty }, ...list];
}

function LaneRole({ element, id }) {
  const config = CONFIG;
  const services = useEditing();
  return h(SelectEntry, {
    element, id, label: t("lane_role"),
    description: t("lane_role_help"),
    getValue: () => roleOfLane(getBusinessObject(element).name, config.roles),
    setValue: (code) => {
      if (!code) return;
      const name = laneNameFor(getBusinessObject(element).name, code, config.roles);
      services.modeling.updateProperties(element, { name });
    },
    getOptions: choices(config.roles.map((r) => ({ value: r.code, label: `${r.label} (${r.code})` })),
      t("lane_role_empty")),
  });
}

function FormKey({ element, id }) {
  const config = CONFIG;
  const services = useEditing();
  const current = getProperty(element, "formKey");
  const keys = config.form_keys.includes(current) || !current
    ? config.form_keys : [current, ...config.form_keys];
  return h(SelectEntry, {
    element, id, label: t("form_key"),
    getValue: () => getProperty(element, "formKey"),
    setValue: (value) => setProperty(element, "formKey", value, services),
    getOptions: choices(keys.map((k) => ({ value: k, label: k })), t("form_key_empty")),
  });
}

function NotifyKind({ element, id }) {
  const config = CONFIG;
  const services = useEditing();
  const current = getProperty(element, "notifyKind");
  const kinds = config.notify_kinds.map((k) => ({ value: k.kind, label: `${k.label} (${k.kind})` }));
  if (current && !kinds.some((k) => k.value === current)) {
    kinds.unshift({ value: current, label: t("notify_kind_unknown", { kind: current }) });
  }
  return h(SelectEntry, {
    element, id, label: t("notify_kind"),
    getValue: () => getProperty(element, "notifyKind"),
    setValue: (value) => setProperty(element, "notifyKind", value, services),
    getOptions: choices(kinds, t("notify_kind_empty")),
  });
}

function ScriptField(type, labelKey, descriptionKey) {
  return function TaskScript({ element, id }) {
    const services = useEditing();
    const debounce = useService("debounceInput");
    return h(TextAreaEntry, {
      element, id, label: t(labelKey), description: t(descriptionKey), debounce, monospace: true, rows: 3,
      getValue: () => getScript(element, type),
      setValue: (value) => setScript(element, type, value, services),
    });
  };
}

const PreScript = ScriptField("spiffworkflow:preScript", "pre_script", "pre_script_help");
const PostScript = ScriptField("spiffworkflow:postScript", "post_script", "post_script_help");

function Handler({ element, id }) {
  const config = CONFIG;
  const services = useEditing();
  const op = getOperator(element);
  const names = config.handlers.map((x) => x.name);
  const extra = op && op.id && !names.includes(op.id) ? [{ value: op.id, label: op.id }] : [];
  return h(SelectEntry, {
    element, id, label: t("handler"),
    getValue: () => (getOperator(element) || {}).id || "",
    setValue: (value) => setHandler(element, value, services),
    getOptions: choices([...extra, ...config.handlers.map((x) => ({
      value: x.name, label: x.description ? `${x.name} — ${x.description}` : x.name }))],
    t("handler_empty")),
  });
}

function ResultVariable({ element, id }) {
  const services = useEditing();
  const debounce = useService("debounceInput");
  return h(TextFieldEntry, {
    element, id, label: t("result_variable"), debounce,
    getValue: () => (getOperator(element) || {}).resultVariable || "",
    setValue: (value) => setResultVariable(element, value, services),
  });
}

function Condition({ element, id }) {
  const { moddle, modeling } = useEditing();
  const debounce = useService("debounceInput");
  return h(TextAreaEntry, {
    element, id, label: t("condition"), debounce, monospace: true,
    description: t("condition_help"),
    getValue: () => {
      const cond = getBusinessObject(element).get("conditionExpression");
      return cond ? cond.get("body") || "" : "";
    },
    setValue: (value) => {
      const text = (value || "").trim();
      modeling.updateProperties(element, {
        conditionExpression: text ? moddle.create("bpmn:FormalExpression", { body: text }) : undefined,
      });
    },
  });
}

function Script({ element, id }) {
  const { modeling } = useEditing();
  const debounce = useService("debounceInput");
  return h(TextAreaEntry, {
    element, id, label: t("script"), debounce, monospace: true,
    rows: 6,
    getValue: () => getBusinessObject(element).get("script") || "",
    setValue: (value) => modeling.updateProperties(element, {
      script: value || undefined, scriptFormat: "python" }),
  });
}

function TimerMode({ element, id }) {
  const services = { ...useEditing(), bpmnFactory: useService("bpmnFactory") };
  return h(SelectEntry, {
    element, id, label: t("timer_mode"),
    getValue: () => readTimer(element).mode,
    setValue: (mode) => changeMode(element, mode, services),
    getOptions: modes,
  });
}

function TimerValue({ element, id }) {
  const services = { ...useEditing(), bpmnFactory: useService("bpmnFactory") };
  const debounce = useService("debounceInput");
  const { mode } = readTimer(element);
  const [label, description] = valueText(mode);
  return h(TextFieldEntry, {
    element, id, label, description, debounce,
    getValue: () => readTimer(element).value,
    setValue: (value, error) => {
      if (!error) writeTimer(element, readTimer(element).mode, value, services);
    },
    validate: (value) => timerError(readTimer(element).mode, value),
  });
}

function taskEntries(element, entry) {
  const found = [];
  if (is(element, "bpmn:UserTask")) {
    found.push(entry("tdkt-form-key", FormKey, isSelectEntryEdited),
      entry("tdkt-notify-kind", NotifyKind, isSelectEntryEdited),
      entry("tdkt-due-mode", DueMode, isSelectEntryEdited),
      entry("tdkt-due-value", DueValue, (node) => isNumberFieldEntryEdited(node)
        || isTextFieldEntryEdited(node)),
      entry("tdkt-not-before-mode", NotBeforeMode, isSelectEntryEdited),
      entry("tdkt-not-before-value", NotBeforeValue, (node) => isNumberFieldEntryEdited(node)
        || isTextFieldEntryEdited(node)));
  }
  if (is(element, "bpmn:ServiceTask")) {
    found.push(entry("tdkt-handler", Handler, isSelectEntryEdited),
      entry("tdkt-result", ResultVariable, isTextFieldEntryEdited));
  }
  if (is(element, "bpmn:ScriptTask")) found.push(entry("tdkt-script", Script, isTextAreaEntryEdited));
  found.push(entry("tdkt-pre-script", PreScript, isTextAreaEntryEdited),
    entry("tdkt-post-script", PostScript, isTextAreaEntryEdited));
  return found;
}

function entriesFor(element) {
  const entry = (id, component, isEdited) => ({ id, element, component, isEdited });
  if (is(element, "bpmn:Lane")) return [entry("tdkt-lane-role", LaneRole, isSelectEntryEdited)];
  if (is(element, "bpmn:Task")) return taskEntries(element, entry);
  if (is(element, "bpmn:SequenceFlow")) {
    const source = element.source && element.source.businessObject;
    if (source && (is(source, "bpmn:ExclusiveGateway") || is(source, "bpmn:InclusiveGateway")
        || is(source, "bpmn:Activity"))) {
      return [entry("tdkt-condition", Condition, isTextAreaEntryEdited)];
    }
  }
  if (timerDefinition(element)) {
    return [entry("tdkt-timer-mode", TimerMode, isSelectEntryEdited),
      entry("tdkt-timer-value", TimerValue, isTextFieldEntryEdited)];
  }
  return [];
}

export default function TdktPropertiesProvider(propertiesPanel, config, moddle, modeling) {
  setConfig(config);
  this.getGroups = (element) => (groups) => {
    const entries = entriesFor(element);
    if (timerDefinition(element)) {  // ours writes what SpiffWorkflow runs; the stock one does not
      const stock = groups.findIndex((g) => g.id === "timer");
      if (stock >= 0) groups.splice(stock, 1);
    }
    if (entries.length) {
      groups.splice(1, 0, { id: "tdkt", label: t("group"),
        component: Group, entries });
    }
    const params = is(element, "bpmn:ServiceTask") && getOperator(element)
      ? parametersGroup(element, { moddle, modeling }) : null;
    if (params) groups.splice(2, 0, params);
    return groups;
  };
  propertiesPanel.registerProvider(500, this);  // after getGroups: it checks for it
}

TdktPropertiesProvider.$inject = ["propertiesPanel", "config.tdkt", "moddle", "modeling"];
