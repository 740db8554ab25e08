// The handler's parameters (spiffworkflow:parameters) of a service task: a list group of
// the properties panel, one item per parameter with its name and its value (a Python
// expression on the task's data, e.g. "annual" in quotes or a field name).
import { h } from "@bpmn-io/properties-panel/preact";
import { ListGroup, TextFieldEntry, isTextFieldEntryEdited } from "@bpmn-io/properties-panel";
import { useService } from "bpmn-js-properties-panel";
import { t } from "./i18n";
import { addParameter, getOperator, getParameters, removeParameter } from "./extensions";

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function ParamName({ element, id, parameter }) {
  const modeling = useService("modeling");
  const debounce = useService("debounceInput");
  return h(TextFieldEntry, {
    element, id, label: t("param_name"), debounce,
    getValue: () => parameter.get("id") || "",
    setValue: (value) => modeling.updateModdleProperties(element, parameter,
      { id: (value || "").trim() }),
    validate: (value) => {
      const text = (value || "").trim();
      if (!NAME.test(text)) return t("param_name_invalid");
      const twice = getParameters(element).filter((p) => p !== parameter && p.id === text);
      return twice.length ? t("param_name_twice") : null;
    },
  });
}

function ParamValue({ element, id, parameter }) {
  const modeling = useService("modeling");
  const debounce = useService("debounceInput");
  return h(TextFieldEntry, {
    element, id, label: t("param_value"), debounce,
    description: t("param_value_help"),
    getValue: () => parameter.get("value") || "",
    setValue: (value) => modeling.updateModdleProperties(element, parameter,
      { value: value || "" }),
  });
}

export function parametersGroup(element, services) {
  if (!getOperator(element)) return null;
  const items = getParameters(element).map((parameter, index) => {
    const id = `${element.id}-tdkt-param-${index}`;
    return {
      id,
      label: parameter.get("id") || "",
      entries: [
        { id: `${id}-name`, element, parameter, component: ParamName,
          isEdited: isTextFieldEntryEdited },
        { id: `${id}-value`, element, parameter, component: ParamValue,
          isEdited: isTextFieldEntryEdited },
      ],
      autoFocusEntry: `${id}-name`,
      remove: (event) => {
        event.stopPropagation();
        removeParameter(element, parameter, services);
      },
    };
  });
  return {
    id: "tdkt-parameters", label: t("params"), component: ListGroup, items,
    add: (event) => {
      event.stopPropagation();
      addParameter(element, services);
    },
  };
}
