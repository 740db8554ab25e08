// The start page of a proposal (/nominations/new, data-start-form): show only what the
// chosen procedure takes (the year, a movement), the people or the units as the kind of
// subject asks, and the titles the procedure and that kind allow. Hidden parts are also
// disabled, so they are not sent. Without this script every part shows and the server
// checks every choice (workflows/nomination_start.py).

function checked(inputs) {
  return Array.from(inputs).find((input) => input.checked) || null;
}

function show(box, on) {
  if (!box) return;
  box.hidden = !on;
  box.querySelectorAll("input, select").forEach((el) => { el.disabled = !on; });
}

function filterOptions(select, fits) {
  if (!select) return;
  for (const option of select.options) {
    if (!option.value) continue;
    const ok = fits(option);
    option.hidden = !ok;
    option.disabled = !ok;
  }
  if (select.selectedOptions[0] && select.selectedOptions[0].disabled) select.value = "";
}

// The dossier items the chosen title requires in the chosen procedure (data-required of
// the title's option: procedure key -> item codes), listed above the file rows.
function showRequired(form, procedure) {
  const note = form.querySelector("#required-items");
  const award = form.querySelector("#award_code");
  if (!note || !award) return;
  const option = award.selectedOptions[0];
  let codes = [];
  if (option && option.value && procedure && option.dataset.required) {
    codes = JSON.parse(option.dataset.required)[procedure.value] || [];
  }
  const labels = JSON.parse(note.dataset.labels || "{}");
  note.querySelector("[data-required-list]").textContent =
    codes.map((code) => labels[code] || code).join(", ");
  note.hidden = codes.length === 0;
}

function setup(form) {
  const procedures = form.querySelectorAll("input[name=process]");
  const kinds = form.querySelectorAll("input[name=subject_kind]");
  const year = form.querySelector("#year");

  function update() {
    const procedure = checked(procedures);
    const kind = (checked(kinds) || { value: "individual" }).value;
    show(form.querySelector("[data-needs-year]"), !procedure || procedure.dataset.takesYear === "1");
    show(form.querySelector("[data-needs-movement]"),
      !procedure || procedure.dataset.takesMovement === "1");
    form.querySelectorAll("[data-subjects]").forEach((group) => {
      show(group, group.dataset.subjects === kind);
    });
    filterOptions(form.querySelector("#award_code"), (option) =>
      (option.dataset.kind === kind || option.dataset.kind === "both")
      && (!procedure || option.dataset.procedures.split(" ").includes(procedure.value)));
    filterOptions(form.querySelector("#movement_code"), (option) =>
      !year || !year.value || option.dataset.year === year.value);
    showRequired(form, procedure);
  }

  form.addEventListener("change", (event) => {
    const target = event.target;
    const procedure = checked(procedures);
    // an ad-hoc award names one person or one collective: ticking one unticks the others
    if (target.name === "subjects" && target.checked && procedure
        && procedure.dataset.oneSubject === "1") {
      form.querySelectorAll("input[name=subjects]").forEach((box) => {
        if (box !== target) box.checked = false;
      });
    }
    update();
  });
  if (year) year.addEventListener("input", update);
  update();
}

document.querySelectorAll("form[data-start-form]").forEach(setup);
