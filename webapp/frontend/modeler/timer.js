// Timer events in the "TĐKT" group: what our engine runs, written so SpiffWorkflow can run it.
// SpiffWorkflow evaluates <bpmn:timeDuration>/<bpmn:timeDate> as a Python expression, so an
// ISO value must be a quoted string ("P3D"); the stock Timer group of bpmn-js-properties-panel
// writes it bare (P3D, a Python name), so this group replaces it on timer events:
//   "Khoảng thời gian"  P3D               -> <bpmn:timeDuration>"P3D"</bpmn:timeDuration>
//   "Số ngày làm việc"  5 | setting:<tên> -> <bpmn:timeDuration>working_days(5)</...>
//   "Thời điểm"         15/01/2027 08:00  -> <bpmn:timeDate>"2027-01-15T08:00"</...> (giờ VN)
//   "Biểu thức Python"  anything          -> <bpmn:timeDuration>as typed</...>
import { getBusinessObject, is } from "bpmn-js/lib/util/ModelUtil";
import { t } from "./i18n";

const DURATION = /^P(?=\d|T\d)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$/i;
const DAYS = /^(\d{1,4}|setting:[A-Za-z_][\w.]*)$/;
const VN_DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:\s+(\d{1,2}):(\d{2}))?$/;
const ISO_MOMENT = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}))?(?::\d{2})?$/;
const WORKING_DAYS = /^working_days\(\s*(\d{1,4}|"(setting:[A-Za-z_][\w.]*)")\s*\)$/;

const MODE_NAMES = ["duration", "working_days", "date", "expression"];

// The ways a timer can be set, as select options in the page's language.
export function modes() {
  return MODE_NAMES.map((value) => ({ value, label: t(`timer_${value}`) }));
}

// [label, description] of the value input of `mode`.
export function valueText(mode) {
  return [t(`timer_${mode}_value`), t(`timer_${mode}_help`)];
}

// The mode the admin picked, while it cannot be told from the value (e.g. an empty date).
const CHOSEN = new Map();

export function timerDefinition(element) {
  const bo = getBusinessObject(element);
  if (!is(bo, "bpmn:IntermediateCatchEvent") && !is(bo, "bpmn:BoundaryEvent")) return null;
  return (bo.get("eventDefinitions") || []).find((d) => is(d, "bpmn:TimerEventDefinition")) || null;
}

function stored(definition) {
  for (const kind of ["timeDuration", "timeDate", "timeCycle"]) {
    const expression = definition.get(kind);
    if (expression) return { kind, text: (expression.get("body") || "").trim() };
  }
  return { kind: null, text: "" };
}

function pad(n) {
  return String(n).padStart(2, "0");
}

function isoToVn(iso) {
  const m = iso.match(ISO_MOMENT);
  return m ? `${m[3]}/${m[2]}/${m[1]} ${m[4] || "00"}:${m[5] || "00"}` : iso;
}

function vnToIso(text) {
  const m = text.trim().match(VN_DATE);
  if (!m) return null;
  const [day, month, year, hour = "0", minute = "0"] = m.slice(1).map((v) => v || undefined);
  const date = new Date(Date.UTC(+year, +month - 1, +day, +hour, +minute));
  if (date.getUTCDate() !== +day || date.getUTCMonth() !== +month - 1 || +hour > 23) return null;
  return `${year}-${pad(month)}-${pad(day)}T${pad(hour)}:${pad(minute)}`;
}

// What the stored expression is, in the panel's terms: { mode, value }.
export function readTimer(element) {
  const definition = timerDefinition(element);
  const { kind, text } = definition ? stored(definition) : { kind: null, text: "" };
  const quoted = text.match(/^"(.*)"$/);
  const days = text.match(WORKING_DAYS);
  let found = { mode: "expression", value: text };
  if (kind === "timeDate" && (!text || (quoted && ISO_MOMENT.test(quoted[1])))) {
    found = { mode: "date", value: quoted ? isoToVn(quoted[1]) : "" };
  } else if (kind !== "timeCycle" && quoted && DURATION.test(quoted[1])) {
    found = { mode: "duration", value: quoted[1] };
  } else if (kind !== "timeCycle" && days) {
    found = { mode: "working_days", value: days[2] || days[1] };
  } else if (!text && kind !== "timeCycle") {
    found = { mode: "duration", value: "" };
  }
  const chosen = CHOSEN.get(element.id);
  if (chosen === "expression") return { mode: "expression", value: text };
  return chosen && chosen !== found.mode && !text ? { mode: chosen, value: "" } : found;
}

export function timerError(mode, value) {
  const text = (value || "").trim();
  if (!text) return t("timer_empty");
  if (mode === "duration" && !DURATION.test(text)) {
    return t("timer_bad_duration");
  }
  if (mode === "working_days" && (!DAYS.test(text) || (/^\d+$/.test(text) && +text > 3650))) {
    return t("timer_bad_days");
  }
  if (mode === "date" && !vnToIso(text)) {
    return t("timer_bad_date");
  }
  return null;
}

// The XML of a mode and value: { kind, body }.
export function encodeTimer(mode, value) {
  const text = (value || "").trim();
  if (mode === "duration") return { kind: "timeDuration", body: text ? `"${text.toUpperCase()}"` : "" };
  if (mode === "working_days") {
    const arg = /^\d+$/.test(text) ? String(+text) : `"${text}"`;
    return { kind: "timeDuration", body: text ? `working_days(${arg})` : "" };
  }
  if (mode === "date") return { kind: "timeDate", body: text ? `"${vnToIso(text)}"` : "" };
  return { kind: "timeDuration", body: text };
}

export function writeTimer(element, mode, value, { bpmnFactory, modeling }) {
  const definition = timerDefinition(element);
  if (!definition) return;
  const { kind, body } = encodeTimer(mode, value);
  const expression = bpmnFactory.create("bpmn:FormalExpression", { body: body || undefined });
  expression.$parent = definition;
  modeling.updateModdleProperties(element, definition, {
    timeDuration: undefined, timeDate: undefined, timeCycle: undefined, [kind]: expression,
  });
}

// A mode change keeps what still makes sense and offers a sensible start otherwise.
export function changeMode(element, mode, services) {
  const current = readTimer(element);
  if (mode === current.mode) return;
  CHOSEN.set(element.id, mode);
  const keep = current.value && !timerError(mode, current.value);
  const start = { duration: "P1D", working_days: "5", date: "", expression: "" };
  let value = keep ? current.value : start[mode];
  if (mode === "expression") value = encodeTimer(current.mode, current.value).body || "\"P1D\"";
  writeTimer(element, mode, value, services);
}
