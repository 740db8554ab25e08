// The properties panel's text inputs write to the diagram after a pause (debounce). An
// admin who types and at once clicks «Lưu» / «Kiểm tra» / «Triển khai» would send the
// diagram without the last keystrokes, so this module replaces the panel's
// `debounceInput` service with one that remembers the calls still waiting, and
// `flush()` writes them all before the diagram is read (modeler.js, getXML).
import { debounce } from "min-dash";

const DEFAULT_DELAY = 300;

function DebounceInput(delay) {
  const waiting = new Set();
  const factory = (fn) => {
    if (delay === false) return fn;
    const debounced = debounce((...args) => {
      waiting.delete(debounced);
      fn(...args);
    }, typeof delay === "number" ? delay : DEFAULT_DELAY);
    const wrapped = (...args) => {
      waiting.add(debounced);
      debounced(...args);
    };
    wrapped.flush = () => debounced.flush();
    wrapped.cancel = () => { waiting.delete(debounced); debounced.cancel(); };
    return wrapped;
  };
  factory.flush = () => {
    for (const debounced of [...waiting]) debounced.flush();
    waiting.clear();
  };
  return factory;
}

DebounceInput.$inject = ["config.debounceInput"];

export default { debounceInput: ["factory", DebounceInput] };
