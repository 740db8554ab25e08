// Task forms: repeatable rows of a list field («Thêm dòng» / «Xóa dòng») and a size check
// of the chosen files before they are sent. Everything works without this script (the
// page then shows one blank row and the server checks the files); the buttons stay hidden
// until it runs.

const INDEX = "__i__"; // the row-number placeholder of the blank row (webapp/forms_render.py)

function rowsOf(list) {
  return Array.from(list.children).filter((el) => el.hasAttribute("data-row"));
}

function renumber(group, list) {
  const word = group.dataset.rowLabel || "";
  rowsOf(list).forEach((row, i) => {
    const label = row.querySelector("[data-row-label]");
    if (label) label.textContent = `${word} ${i + 1}`;
    const remove = row.querySelector("[data-row-remove]");
    if (remove) remove.setAttribute("aria-label", `${remove.textContent.trim()} ${i + 1}`);
  });
}

function wireRemove(group, list, row, add) {
  const remove = row.querySelector("[data-row-remove]");
  if (!remove) return;
  remove.hidden = false;
  remove.addEventListener("click", () => {
    const rows = rowsOf(list);
    const at = rows.indexOf(row);
    row.remove();
    renumber(group, list);
    const rest = rowsOf(list);
    const target = rest[Math.min(at, rest.length - 1)];
    const focus = target ? target.querySelector("input, select, textarea") : add;
    if (focus) focus.focus();
  });
}

function setupRows(group) {
  const list = group.querySelector("[data-rows-list]");
  const template = group.querySelector("template[data-row-template]");
  const add = group.querySelector("[data-row-add]");
  if (!list || !template || !add) return;
  let next = rowsOf(list).reduce((n, row) => Math.max(n, Number(row.dataset.row) + 1), 0);
  rowsOf(list).forEach((row) => wireRemove(group, list, row, add));
  add.hidden = false;
  add.addEventListener("click", () => {
    const holder = document.createElement("div");
    holder.innerHTML = template.innerHTML.split(INDEX).join(String(next));
    next += 1;
    const row = holder.firstElementChild;
    list.appendChild(row);
    wireRemove(group, list, row, add);
    renumber(group, list);
    const first = row.querySelector("input, select, textarea");
    if (first) first.focus();
  });
  renumber(group, list);
}

function fileError(input, message) {
  const id = `${input.id}-size-error`;
  let box = document.getElementById(id);
  if (!message) {
    if (box) box.remove();
    input.classList.remove("is-invalid");
    input.removeAttribute("aria-invalid");
    return;
  }
  if (!box) {
    box = document.createElement("div");
    box.id = id;
    box.className = "invalid-feedback d-block";
    input.insertAdjacentElement("afterend", box);
    const described = (input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    input.setAttribute("aria-describedby", [...described, id].join(" "));
  }
  box.textContent = message;
  input.classList.add("is-invalid");
  input.setAttribute("aria-invalid", "true");
}

function tooLarge(input) {
  const max = Number(input.dataset.maxBytes || 0);
  return max > 0 && Array.from(input.files || []).some((file) => file.size > max);
}

function setupFileChecks(form) {
  const inputs = Array.from(form.querySelectorAll("input[type=file][data-max-bytes]"));
  if (!inputs.length) return;
  inputs.forEach((input) => input.addEventListener("change", () => {
    fileError(input, tooLarge(input) ? input.dataset.tooLarge : "");
  }));
  const total = document.getElementById("dossier-total-error");
  form.addEventListener("submit", (event) => {
    const bad = inputs.filter(tooLarge);
    bad.forEach((input) => fileError(input, input.dataset.tooLarge));
    if (bad.length) {
      event.preventDefault();
      bad[0].focus();
      return;
    }
    const limit = Number(form.dataset.maxTotal || 0);
    const sum = inputs.reduce((n, input) => n + Array.from(input.files || [])
      .reduce((m, file) => m + file.size, 0), 0);
    if (total) total.hidden = !(limit > 0 && sum > limit);
    if (total && !total.hidden) {
      total.textContent = total.dataset.message;
      event.preventDefault();
      inputs[0].focus();
    }
  });
}

function setup() {
  document.querySelectorAll("[data-rows]").forEach(setupRows);
  document.querySelectorAll("form").forEach(setupFileChecks);
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", setup);
} else {
  setup();
}
