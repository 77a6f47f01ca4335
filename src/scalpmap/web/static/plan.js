// scalpmap: the plan page's before/after slider, "after" choice and version selector.
"use strict";

(function () {
  var compare = document.getElementById("compare");
  var range = document.getElementById("compare-range");
  if (compare && range) {
    var before = document.getElementById("compare-before");
    var after = document.getElementById("compare-after");
    var divider = document.getElementById("compare-divider");
    var tag = document.getElementById("compare-after-tag");

    var show = function () {
      var percent = Math.min(100, Math.max(0, Number(range.value)));
      before.style.clipPath = "inset(0 " + (100 - percent) + "% 0 0)";
      divider.style.left = percent + "%";
      range.setAttribute("aria-valuetext", percent + "% before");
    };
    range.addEventListener("input", show);

    // Drag or tap on the picture itself moves the divider too.
    var fromPointer = function (event) {
      var box = compare.getBoundingClientRect();
      range.value = String(Math.round(((event.clientX - box.left) / box.width) * 100));
      show();
    };
    var pressed = false;
    compare.addEventListener("pointerdown", function (event) {
      pressed = true;
      compare.setPointerCapture(event.pointerId);
      fromPointer(event);
    });
    compare.addEventListener("pointermove", function (event) {
      if (pressed) {
        fromPointer(event);
      }
    });
    compare.addEventListener("pointerup", function () { pressed = false; });
    compare.addEventListener("pointercancel", function () { pressed = false; });

    document.querySelectorAll(".compare-choice button[data-after]").forEach(function (button) {
      button.addEventListener("click", function () {
        after.src = button.dataset.after;
        tag.textContent = button.dataset.label;
        document.querySelectorAll(".compare-choice button").forEach(function (other) {
          other.classList.toggle("active", other === button);
        });
      });
    });
    show();
  }

  // Open another version as soon as it is chosen (the form's button is the no-script way).
  var picker = document.getElementById("version-picker");
  if (picker) {
    var select = picker.querySelector("select");
    var go = document.getElementById("version-go");
    if (go) {
      go.hidden = true;
    }
    select.addEventListener("change", function () {
      var option = select.options[select.selectedIndex];
      window.location.assign(option.dataset.url);
    });
  }
})();
