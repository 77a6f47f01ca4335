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

// On narrow screens the menu collapses behind the "Menu" button (aria-expanded says which).
(function () {
  var toggle = document.getElementById("menu-toggle");
  var bar = toggle && toggle.closest(".topbar");
  if (!bar) {
    return;
  }
  function setOpen(open) {
    bar.classList.toggle("menu-open", open);
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
  }
  toggle.addEventListener("click", function () {
    setOpen(toggle.getAttribute("aria-expanded") !== "true");
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && bar.classList.contains("menu-open")) {
      setOpen(false);
      toggle.focus();
    }
  });
})();

// A table wider than its card on a narrow screen is shown one block per row: each cell is
// labelled with its column's heading (data-label), and the class table-stacked does the rest.
// Tables filled in later (the upload queue) are fitted again when their rows change.
(function () {
  function label(table) {
    var heads = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
      return th.textContent.trim();
    });
    Array.prototype.forEach.call(table.querySelectorAll("tbody tr"), function (row) {
      var column = 0;
      Array.prototype.forEach.call(row.cells, function (cell) {
        if (heads[column] && !cell.hasAttribute("data-label")) {
          cell.setAttribute("data-label", heads[column]);
        }
        column += cell.colSpan || 1;
      });
    });
  }
  function room(box) {
    var style = window.getComputedStyle(box);
    return box.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  }
  function fit() {
    Array.prototype.forEach.call(document.querySelectorAll("table.table"), function (table) {
      label(table);
      table.classList.remove("table-stacked");
      if (window.innerWidth <= 760 && table.offsetWidth > room(table.parentElement) + 1) {
        table.classList.add("table-stacked");
      }
    });
  }
  var pending = false;
  function later() {
    if (!pending) {
      pending = true;
      window.requestAnimationFrame(function () {
        pending = false;
        fit();
      });
    }
  }
  fit();
  window.addEventListener("resize", later);
  if (window.MutationObserver) {
    new MutationObserver(function (changes) {
      var rows = changes.some(function (change) {
        return change.target.closest && change.target.closest("table.table");
      });
      if (rows) {
        later();
      }
    }).observe(document.body, { childList: true, subtree: true });
  }
})();
