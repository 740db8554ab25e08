// Deadlines of a user task in working days (dueWorkingDays, notBeforeWorkingDays): how it
// is counted — a number, a deadline the office configures (setting:<name>, from the list
// of known ones) or an expression on the task's data — then the number or the expression.
import { h } from "@bpmn-io/properties-panel/preact";
import { NumberFieldEntry, SelectEntry, TextFieldEntry } from "@bpmn-io/properties-panel";
import { useService } from "bpmn-js-properties-panel";
import { getBusinessObject } from "bpmn-js/lib/util/ModelUtil";
import { CONFIG } from "./config";
import { getProperty, setProperty } from "./extensions";
import { t } from "./i18n";

// The way chosen before a value is typed (a number or an expression not written yet).
// Choosing another way never erases the deadline already there: it stays in the diagram
// until a value of the new way is typed (or «— không đặt —» is chosen on purpose).
const PENDING = new WeakMap();

export function modeOf(value) {
  const text = (value || "").trim();
  if (!text) return "";
  if (/^\d+$/.test(text)) return "number";
  if (text.startsWith("setting:")) return text;
  return "expression";
}

function pendingMode(element, name) {
  return (PENDING.get(getBusinessObject(element)) || {})[name];
}

function setPending(element, name, mode) {
  const bo = getBusinessObject(element);
  const pending = { ...(PENDING.get(bo) || {}) };
  if (mode === undefined) delete pending[name];
  else pending[name] = mode;
  PENDING.set(bo, pending);
}

function currentMode(element, name) {
  const pending = pendingMode(element, name);
  return pending !== undefined ? pending : modeOf(getProperty(element, name));
}

// The value shown for `mode`: the stored one when it is of that way, else nothing yet.
function valueFor(element, name, mode) {
  const value = getProperty(element, name);
  return modeOf(value) === mode ? value : "";
}

function settingOptions(current) {
  const known = CONFIG.deadline_settings.map((s) => ({
    value: `setting:${s.name}`,
    label: s.value != null ? t("days_setting_now", { label: s.label, value: s.value })
      : t("days_setting", { label: s.label }),
  }));
  if (current.startsWith("setting:") && !known.some((o) => o.value === current)) {
    known.unshift({ value: current, label: t("days_setting_unknown", { value: current }) });
  }
  return known;
}

function Mode(name, labelKey) {
  return function DaysMode({ element, id }) {
    const services = { moddle: useService("moddle"), modeling: useService("modeling") };
    const eventBus = useService("eventBus");
    return h(SelectEntry, {
      element, id, label: t(labelKey),
      getValue: () => currentMode(element, name),
      setValue: (mode) => {
        const value = getProperty(element, name);
        if (mode.startsWith("setting:") || !mode) {  // chosen outright: written now
          setPending(element, name, undefined);
          setProperty(element, name, mode, services);
        } else {
          setPending(element, name, modeOf(value) === mode ? undefined : mode);
        }
        eventBus.fire("elements.changed", { elements: [element] });  // show the right input
      },
      getOptions: () => [
        { value: "", label: t("days_none") },
        { value: "number", label: t("days_number") },
        ...settingOptions(getProperty(element, name)),
        { value: "expression", label: t("days_expression") },
      ],
    });
  };
}

function Value(name, labelKey) {
  return function DaysValue({ element, id }) {
    const services = { moddle: useService("moddle"), modeling: useService("modeling") };
    const debounce = useService("debounceInput");
    const mode = currentMode(element, name);
    const kept = getProperty(element, name);
    const keeps = kept && modeOf(kept) !== mode
      ? t("days_kept", { value: kept }) : undefined;
    const write = (value) => {
      // An input unmounted by a change of way still blurs: it no longer speaks.
      if (currentMode(element, name) !== mode) return;
      const text = value === undefined || value === null ? "" : String(value).trim();
      if (!text && modeOf(getProperty(element, name)) !== mode) return;  // keep the old one
      setPending(element, name, undefined);
      setProperty(element, name, text, services);
    };
    if (mode === "number") {
      return h(NumberFieldEntry, {
        element, id, label: t("days_count", { label: t(labelKey) }), debounce, min: 0, max: 999, description: keeps,
        getValue: () => valueFor(element, name, "number"),
        setValue: write,
      });
    }
    if (mode === "expression") {
      return h(TextFieldEntry, {
        element, id, label: t("days_expr", { label: t(labelKey) }), debounce,
        description: keeps || t("days_expr_help"),
        getValue: () => valueFor(element, name, "expression"),
        setValue: write,
        validate: (value) => (value && /^\d+$/.test(value.trim())
          ? t("days_is_number") : null),
      });
    }
    return null;
  };
}

export const DueMode = Mode("dueWorkingDays", "due_mode");
export const DueValue = Value("dueWorkingDays", "due_value");
export const NotBeforeMode = Mode("notBeforeWorkingDays", "not_before_mode");
export const NotBeforeValue = Value("notBeforeWorkingDays", "not_before_value");
