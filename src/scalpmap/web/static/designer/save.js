// scalpmap designer: saving the design as the case's next plan version. The server answers at
// once with a plan-save job (202); its progress is polled until the plan is made (seconds).

import { pollJob, post } from "./net.js";

const WAITING = { pending: "Queued", running: "Making the simulation, pictures and reports" };

function formValue(form, name) {
  const field = form.elements.namedItem(name);
  return field && field.value ? field.value : null;
}

/**
 * Wire the save form. design() returns {analysis_id, template, age, hairline, landmarks};
 * setBusy(busy) locks the designer while the plan is made; showError(message) reports.
 */
export function bindSave(options) {
  const form = document.getElementById("save-form");
  const button = document.getElementById("save-plan");
  const progress = document.getElementById("save-progress");
  const text = document.getElementById("save-text");
  let saving = false;

  function busy(on) {
    saving = on;
    button.disabled = on;
    progress.hidden = !on;
    options.setBusy(on);
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (saving) {
      return;
    }
    const skin = formValue(form, "skin_type");
    const body = Object.assign(options.design(), {
      note: formValue(form, "note"),
      start_date: formValue(form, "start_date"),
      skin_type: skin ? parseInt(skin, 10) : null,
      scarring: formValue(form, "scarring"),
      layering: formValue(form, "layering"),
      picosecond: form.elements.namedItem("picosecond").checked,
      second_touch_up: form.elements.namedItem("second_touch_up").checked
    });
    const started = Date.now();
    let status = "pending";
    const ticker = setInterval(() => {
      const seconds = Math.round((Date.now() - started) / 1000);
      text.textContent = (WAITING[status] || "Saving") + "… " + seconds + " s";
    }, 500);
    busy(true);
    options.showError("");
    post(options.url, body).then((job) => pollJob(job, (current) => {
      status = current.status;
      text.dataset.jobStatus = current.status;
    })).then((job) => {
      clearInterval(ticker);
      text.textContent = "Saved as version " + job.result.version + ". Opening the plan…";
      window.location.assign(job.result.url);
    }).catch((error) => {
      clearInterval(ticker);
      busy(false);
      options.showError(error.message);
    });
  });
  button.disabled = false;
  return { get saving() { return saving; } };
}
