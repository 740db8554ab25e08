// The editors' texts, translated by the server: JSON blocks in the page
// (#tdkt-editor-messages from _editor_toolbar.html, #tdkt-panel-messages from
// _panel_messages.html). Data, not script, so the page's CSP needs no inline script.
const BLOCKS = ["tdkt-editor-messages", "tdkt-panel-messages"];
let MESSAGES = null;

function load() {
  const found = {};
  for (const id of BLOCKS) {
    const node = document.getElementById(id);
    try {
      Object.assign(found, node ? JSON.parse(node.textContent) : {});
    } catch (e) {
      // a broken block leaves its keys shown as they are
    }
  }
  return found;
}

// The text of `key` with its {name} placeholders filled from `values`.
export function t(key, values = {}) {
  if (MESSAGES === null) MESSAGES = load();
  const text = MESSAGES[key] || key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
}
