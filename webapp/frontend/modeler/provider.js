// The "TĐKT" group of the properties panel: exactly what our engine reads.
// lane -> role; user task -> form key, due / not-before working days;
// service task -> handler and result variable; sequence flow -> condition;
// script task -> script; timer event -> its deadline (modeler/timer.js, which replaces
// bpmn-js-properties-panel's own Timer group: that one writes ISO values unquoted).
// The choices (roles, form keys, handlers) come from /admin/processes/modeler-config.json.
import { h } from "@bpmn-io/properties-panel/preact";
import {
  Group, SelectEntry, TextAreaEntry, TextFieldEntry,
  isSelectEntryEdited, isTextAreaEntryEdited, isTextFieldEntryEdited,
} from "@bpmn-io/properties-panel";
import { useService } from "bpmn-js-properties-panel";
import { getBusinessObject, is } from "bpmn-js/lib/util/ModelUtil";
import {
  getOperator, getProperty, laneNameFor, roleOfLane, setHandler, setProperty,
  setResultVariable,
} from "./extensions";
import {
  MODES, VALUE_TEXT, changeMode, readTimer, timerDefinition, timerError, writeTimer,
} from "./timer";

// The choices, set once by the provider (a module value keeps the entry components stable,
// so an input keeps its focus while the panel re-renders).
let CONFIG = { roles: [], form_keys: [], handlers: [] };
const DAYS = /^(\d{1,3}|setting:[A-Za-z_][\w.]*)$/;

function useEditing() {
  return { moddle: useService("moddle"), modeling: useService("modeling") };
}

function daysError(value) {
  return value && !DAYS.test(value.trim())
    ? "Nhập số ngày làm việc (ví dụ 10) hoặc setting:<tên cấu hình>." : null;
}

function choices(list, empty) {
  return () => [{ value: "", label: empty }, ...list];
}

function LaneRole({ element, id }) {
  const config = CONFIG;
  const services = useEditing();
  return h(SelectEntry, {
    element, id, label: "Vai trò thực hiện (làn)",
    description: "Mọi bước trong làn do người có vai trò này xử lý.",
    getValue: () => roleOfLane(getBusinessObject(element).name, config.roles),
    setValue: (code) => {
      if (!code) return;
      const name = laneNameFor(getBusinessObject(element).name, code, config.roles);
      services.modeling.updateProperties(element, { name });
    },
    getOptions: choices(config.roles.map((r) => ({ value: r.code, label: `${r.label} (${r.code})` })),
      "— chọn vai trò —"),
  });
}

function FormKey({ element, id }) {
  const config = CONFIG;
  const services = useEditing();
  const current = getProperty(element, "formKey");
  const keys = config.form_keys.includes(current) || !current
    ? config.form_keys : [current, ...config.form_keys];
  return h(SelectEntry, {
    element, id, label: "Biểu mẫu (form key)",
    getValue: () => getProperty(element, "formKey"),
    setValue: (value) => setProperty(element, "formKey", value, services),
    getOptions: choices(keys.map((k) => ({ value: k, label: k })), "— không có biểu mẫu —"),
  });
}

function DaysField(name, label, description) {
  return function Days({ element, id }) {
    const services = useEditing();
    const debounce = useService("debounceInput");
    return h(TextFieldEntry, {
      element, id, label, description, debounce,
      getValue: () => getProperty(element, name),
      setValue: (value) => setProperty(element, name, value, services),
      validate: daysError,
    });
  };
}

const DueDays = DaysField("dueWorkingDays", "Thời hạn xử lý (ngày làm việc)",
  "Số ngày, hoặc setting:<tên> để đọc từ cấu hình.");
const NotBeforeDays = DaysField("notBeforeWorkingDays", "Không hoàn thành trước (ngày làm việc)",
  "Ví dụ thời gian công khai tối thiểu.");

function Handler({ element, id }) {
  const config = CONFIG;
  const services = useEditing();
  const op = getOperator(element);
  const names = config.handlers.map((x) => x.name);
  const extra = op && op.id && !names.includes(op.id) ? [{ value: op.id, label: op.id }] : [];
  return h(SelectEntry, {
    element, id, label: "Bộ xử lý (handler)",
    getValue: () => (getOperator(element) || {}).id || "",
    setValue: (value) => setHandler(element, value, services),
    getOptions: choices([...extra, ...config.handlers.map((x) => ({
      value: x.name, label: x.description ? `${x.name} — ${x.description}` : x.name }))],
    "— chọn bộ xử lý —"),
  });
}

function ResultVariable({ element, id }) {
  const services = useEditing();
  const debounce = useService("debounceInput");
  return h(TextFieldEntry, {
    element, id, label: "Lưu kết quả vào biến", debounce,
    getValue: () => (getOperator(element) || {}).resultVariable || "",
    setValue: (value) => setResultVariable(element, value, services),
  });
}

function Condition({ element, id }) {
  const { moddle, modeling } = useEditing();
  const debounce = useService("debounceInput");
  return h(TextAreaEntry, {
    element, id, label: "Điều kiện (biểu thức Python)", debounce, monospace: true,
    description: "Ví dụ: decision == \"approve\". Để trống nếu là nhánh mặc định.",
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
    element, id, label: "Mã lệnh (Python, chạy trong hộp cát)", debounce, monospace: true,
    rows: 6,
    getValue: () => getBusinessObject(element).get("script") || "",
    setValue: (value) => modeling.updateProperties(element, {
      script: value || undefined, scriptFormat: "python" }),
  });
}

function TimerMode({ element, id }) {
  const services = { ...useEditing(), bpmnFactory: useService("bpmnFactory") };
  return h(SelectEntry, {
    element, id, label: "Hẹn giờ theo",
    getValue: () => readTimer(element).mode,
    setValue: (mode) => changeMode(element, mode, services),
    getOptions: () => MODES,
  });
}

function TimerValue({ element, id }) {
  const services = { ...useEditing(), bpmnFactory: useService("bpmnFactory") };
  const debounce = useService("debounceInput");
  const { mode } = readTimer(element);
  const [label, description] = VALUE_TEXT[mode];
  return h(TextFieldEntry, {
    element, id, label, description, debounce,
    getValue: () => readTimer(element).value,
    setValue: (value, error) => {
      if (!error) writeTimer(element, readTimer(element).mode, value, services);
    },
    validate: (value) => timerError(readTimer(element).mode, value),
  });
}

function entriesFor(element) {
  const entry = (id, component, isEdited) => ({ id, element, component, isEdited });
  if (is(element, "bpmn:Lane")) return [entry("tdkt-lane-role", LaneRole, isSelectEntryEdited)];
  if (is(element, "bpmn:UserTask")) {
    return [entry("tdkt-form-key", FormKey, isSelectEntryEdited),
      entry("tdkt-due-days", DueDays, isTextFieldEntryEdited),
      entry("tdkt-not-before", NotBeforeDays, isTextFieldEntryEdited)];
  }
  if (is(element, "bpmn:ServiceTask")) {
    return [entry("tdkt-handler", Handler, isSelectEntryEdited),
      entry("tdkt-result", ResultVariable, isTextFieldEntryEdited)];
  }
  if (is(element, "bpmn:SequenceFlow")) {
    const source = element.source && element.source.businessObject;
    if (source && (is(source, "bpmn:ExclusiveGateway") || is(source, "bpmn:InclusiveGateway")
        || is(source, "bpmn:Activity"))) {
      return [entry("tdkt-condition", Condition, isTextAreaEntryEdited)];
    }
  }
  if (is(element, "bpmn:ScriptTask")) return [entry("tdkt-script", Script, isTextAreaEntryEdited)];
  if (timerDefinition(element)) {
    return [entry("tdkt-timer-mode", TimerMode, isSelectEntryEdited),
      entry("tdkt-timer-value", TimerValue, isTextFieldEntryEdited)];
  }
  return [];
}

export default function TdktPropertiesProvider(propertiesPanel, config) {
  CONFIG = config;
  this.getGroups = (element) => (groups) => {
    const entries = entriesFor(element);
    if (timerDefinition(element)) {  // ours writes what SpiffWorkflow runs; the stock one does not
      const stock = groups.findIndex((g) => g.id === "timer");
      if (stock >= 0) groups.splice(stock, 1);
    }
    if (entries.length) {
      groups.splice(1, 0, { id: "tdkt", label: "TĐKT (động cơ quy trình)",
        component: Group, entries });
    }
    return groups;
  };
  propertiesPanel.registerProvider(500, this);  // after getGroups: it checks for it
}

TdktPropertiesProvider.$inject = ["propertiesPanel", "config.tdkt"];
