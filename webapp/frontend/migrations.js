// The migration pages (/admin/migrations): the process picker reloads the form when a
// process is chosen, the job page refreshes its progress bar from progress.json while the
// job is queued or running and reloads itself once it is done, to list every instance.

const POLL_MS = 2000;
const OPEN = new Set(["queued", "running"]);

function fill(template, counts) {
  return template.replace(/\{(\w+)\}/g, (_, name) => String(counts[name] ?? ""));
}

export function showProgress(section, job) {
  const bar = section.querySelector("[data-migration-bar]");
  const meter = section.querySelector("[role=progressbar]");
  const counts = section.querySelector("[data-migration-counts]");
  if (bar) {
    bar.style.width = `${job.percent}%`;
    bar.textContent = `${job.percent}%`;
  }
  if (meter) meter.setAttribute("aria-valuenow", String(job.percent));
  if (counts && counts.dataset.template) {
    counts.textContent = fill(counts.dataset.template,
      { ...job, done: job.moved + job.refused });
  }
}

export async function poll(section, fetchImpl = window.fetch.bind(window)) {
  const response = await fetchImpl(section.dataset.url,
    { credentials: "same-origin", headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  const job = await response.json();
  showProgress(section, job);
  return job;
}

function follow(section) {
  if (!OPEN.has(section.dataset.status)) return;
  const tick = async () => {
    try {
      const job = await poll(section);
      if (!OPEN.has(job.status)) {
        window.location.reload();
        return;
      }
    } catch (e) {
      // a network hiccup: try again at the next tick
    }
    window.setTimeout(tick, POLL_MS);
  };
  window.setTimeout(tick, POLL_MS);
}

function autoPick() {
  const form = document.querySelector("[data-migration-process-form]");
  const select = form && form.querySelector("select");
  if (select) select.addEventListener("change", () => form.submit());
}

export function init() {
  document.querySelectorAll("[data-migration-progress]").forEach(follow);
  // form[data-confirm] asks through webapp/frontend/confirm.js (in main.js), once.
  autoPick();
}
