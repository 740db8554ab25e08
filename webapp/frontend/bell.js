// The bell (details.tdkt-bell[data-bell]) keeps its count and its list fresh without a
// reload: it asks its JSON address every data-poll-seconds while the page is visible, and
// at once when the page comes back into view. Without this script the bell shows what the
// page had when it was loaded.

function render(bell, data) {
  const summary = bell.querySelector("summary");
  const count = bell.querySelector(".tdkt-bell-count");
  summary.setAttribute("aria-label", data.label);
  count.textContent = data.unread < 100 ? String(data.unread) : "99+";
  count.hidden = data.unread === 0;
  const list = bell.querySelector("[data-bell-list]");
  const template = bell.querySelector("template[data-bell-item]");
  if (!list || !template) return;
  const items = data.latest.map((note) => {
    const item = template.content.firstElementChild.cloneNode(true);
    const form = item.querySelector("form");
    form.action = note.open;
    form.classList.toggle("tdkt-unread", note.unread);
    item.querySelector("[data-title]").textContent = note.title;
    item.querySelector("[data-meta]").textContent = note.meta;
    if (!note.unread) item.querySelector("[data-unread]").remove();
    return item;
  });
  list.replaceChildren(...items);
  list.hidden = items.length === 0;
  const empty = bell.querySelector("[data-bell-empty]");
  if (empty) empty.hidden = items.length > 0;
}

async function refresh(bell) {
  if (bell.open) return; // never change a list someone is reading
  try {
    const response = await fetch(bell.dataset.bell, {
      credentials: "same-origin", headers: { Accept: "application/json" } });
    if (!response.ok || !response.headers.get("content-type")?.includes("json")) return;
    render(bell, await response.json());
    bell.dataset.refreshed = String(Date.now());
  } catch (e) {
    // offline or signed out: keep what is shown
  }
}

export function watchBell(bell) {
  const seconds = Math.max(15, Number(bell.dataset.pollSeconds || 60));
  window.setInterval(() => {
    if (document.visibilityState === "visible") refresh(bell);
  }, seconds * 1000);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") refresh(bell);
  });
  window.addEventListener("focus", () => refresh(bell));
}

document.querySelectorAll("details.tdkt-bell[data-bell]").forEach(watchBell);
