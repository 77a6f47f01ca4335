// scalpmap: poll the status of running analyses and jobs (follow-up measures) every second and
// show their progress; data-running-label names the running step, data-reload reloads when done,
// data-done-href (a printed PDF) shows [data-done-show], hides [data-done-hide], opens that URL.
"use strict";

(function () {
  var LABELS = { pending: "Queued", running: "Analysing", done: "Done", failed: "Failed" };

  function show(element, status, seconds) {
    var label = status === "running" && element.dataset.runningLabel;
    var text = (label || LABELS[status] || status) + (seconds > 0 ? " · " + seconds + " s" : "");
    var target = element.querySelector(".status-text") || element;
    target.textContent = text + (status === "pending" || status === "running" ? "…" : "");
    if (element.classList.contains("badge")) {
      element.className = "badge status-" + status;
    }
  }

  function poll(element) {
    var url = element.dataset.analysisUrl;
    var started = Date.now();
    var failures = 0;
    function tick() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) {
            throw new Error("HTTP " + response.status);
          }
          return response.json();
        })
        .then(function (body) {
          failures = 0;
          var seconds = Math.round((Date.now() - started) / 1000);
          show(element, body.status, seconds);
          if (body.status === "failed" && body.error) {
            var reason = element.querySelector(".status-text") || element;
            reason.textContent = "Failed: " + body.error;
          }
          if (body.status === "done" || body.status === "failed") {
            if (element.dataset.reload === "true") {
              window.location.reload();
            } else if (body.status === "done" && element.dataset.doneHref) {
              document.querySelectorAll("[data-done-show]").forEach(function (shown) {
                shown.hidden = false;
              });
              document.querySelectorAll("[data-done-hide]").forEach(function (gone) {
                gone.hidden = true;
              });
              window.location.href = element.dataset.doneHref;
            }
            return;
          }
          window.setTimeout(tick, 1000);
        })
        .catch(function (error) {
          failures += 1;
          if (failures >= 10) {
            var target = element.querySelector(".status-text") || element;
            target.textContent = "Status unavailable (" + error.message + "); reload the page.";
            return;
          }
          window.setTimeout(tick, 2000);
        });
    }
    window.setTimeout(tick, 1000);
  }

  document.querySelectorAll("[data-analysis-url]").forEach(poll);
})();
