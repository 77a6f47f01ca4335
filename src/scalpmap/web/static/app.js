// scalpmap: small helpers shared by every page (no framework, no build step).
"use strict";

// Ask before submitting a form that carries data-confirm="question".
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (form instanceof HTMLFormElement && form.dataset.confirm) {
    if (!window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  }
});

// Refuse too many files early in inputs that carry data-max-files.
document.addEventListener("change", function (event) {
  var input = event.target;
  if (input instanceof HTMLInputElement && input.type === "file" && input.dataset.maxFiles) {
    var limit = parseInt(input.dataset.maxFiles, 10);
    if (input.files && input.files.length > limit) {
      input.setCustomValidity("Choose at most " + limit + " photos.");
      input.reportValidity();
    } else {
      input.setCustomValidity("");
    }
  }
});

// The CSRF token of this session, for fetch requests (header X-CSRF-Token).
window.scalpmapCsrfToken = function () {
  var meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.getAttribute("content") : "";
};

// Forms that take a few seconds (measuring a follow-up photo) carry data-busy="what happens":
// once sent, their button says so and cannot be pressed twice.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.dataset.busy || event.defaultPrevented) {
    return;
  }
  form.setAttribute("aria-busy", "true");
  form.querySelectorAll("button[type='submit']").forEach(function (button) {
    button.textContent = form.dataset.busy;
    window.setTimeout(function () { button.disabled = true; }, 0);  // after the form is sent
  });
});
