// The navigation's drop-down lists (<details class="tdkt-drop">: the bell, the inbox's
// steps) work without script; this adds what people expect of a menu: Escape closes it
// (focus back on its button), a click elsewhere closes it, one open at a time.
const drops = () => Array.from(document.querySelectorAll("details.tdkt-drop"));

document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  for (const drop of drops()) {
    if (drop.open) {
      drop.open = false;
      drop.querySelector("summary")?.focus();
    }
  }
});

document.addEventListener("click", (event) => {
  for (const drop of drops()) {
    if (drop.open && !drop.contains(event.target)) drop.open = false;
  }
});

for (const drop of drops()) {
  drop.addEventListener("toggle", () => {
    if (!drop.open) return;
    for (const other of drops()) if (other !== drop) other.open = false;
  });
}
import "../bell.js";
