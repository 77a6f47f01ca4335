// scalpmap designer: the face's landmarks (glabella, outer eye corners) and the published
// rules' guide lines. The guide lines are computed by the server only: with the state, and
// while a landmark is dragged, from POST /api/designs/{id}/guides (at most every 80 ms).

import { el, linePath } from "./svg.js";
import { channel, post } from "./net.js";
import { touchRadiusPx } from "./view.js";

export const LANDMARKS = ["glabella", "left_canthus", "right_canthus"];
const NAMES = {
  glabella: "Glabella",
  left_canthus: "Outer eye corner, photo's left",
  right_canthus: "Outer eye corner, photo's right"
};
const SIZE_PX = 6;
const GUIDE_WAIT_MS = 80;
const NUDGE_MM = 0.5;
const NUDGE_SHIFT_MM = 5;

function round2(v) {
  return Math.round(v * 100) / 100;
}


export function createLandmarks(options) {
  const { svg, view, layer, guidesLayer, note, sources, resetButton, legends, guidesUrl } = options;
  let marks = [];
  let detected = {};
  let given = {};
  let guides = null;
  let drag = null;
  const guideChannel = channel({
    wait: GUIDE_WAIT_MS,
    send: (body) => post(guidesUrl, body),
    result: (data) => { guides = data; drawGuides(); },
    error: () => {},
    changed: options.changed
  });

  function sourceOf(name) {
    return given[name] ? "given" : "detected";
  }

  function drawGuides() {
    guidesLayer.textContent = "";
    if (!guides || marks.length !== LANDMARKS.length) {
      return;
    }
    ["midline", "midfrontal", "left_vertical", "right_vertical"].forEach((name) => {
      const line = guides[name];
      if (!line || line.length < 2) {
        return;
      }
      const d = linePath(line);
      guidesLayer.appendChild(el("path", { d, "class": "guide-halo" }));
      guidesLayer.appendChild(el("path", {
        d, "class": "guide guide-" + name.replace("_", "-"), "data-guide": name
      }));
    });
    // The label sits on the mid-frontal line near the view's left edge (usually background);
    // beside the midline when the line runs steeply.
    const upp = view.unitsPerPixel();
    const top = guides.midfrontal_xy;
    const up = guides.up;
    const across = [-up[1], up[0]];
    const g = marks[0];
    let at = [(g.x + top[0]) / 2 + 8 * upp, (g.y + top[1]) / 2];
    const left = Math.max(0, Number(svg.viewBox.baseVal.x)) + 12 * upp;
    if (Math.abs(across[0]) > 0.5) {
      const t = (left - top[0]) / across[0];
      at = [left, top[1] + across[1] * t - 7 * upp];
    }
    const label = el("text", {
      x: at[0].toFixed(1), y: at[1].toFixed(1), "class": "guide-label", "data-guide": "label",
      "font-size": (13 * upp).toFixed(2)
    });
    label.textContent = "8 cm above the glabella";
    guidesLayer.appendChild(label);
  }

  function place(m) {
    m.node.setAttribute("transform", "translate(" + m.x.toFixed(1) + " " + m.y.toFixed(1) + ")");
  }

  function describe(m) {
    m.node.setAttribute("aria-label", NAMES[m.name] + " (" + sourceOf(m.name) + ")");
    m.node.classList.toggle("given", Boolean(given[m.name]));
  }

  function size() {
    const upp = view.unitsPerPixel();
    const dot = SIZE_PX * upp;
    const hit = Math.max(2.2 * SIZE_PX, touchRadiusPx()) * upp;
    marks.forEach((m) => {
      m.hit.setAttribute("r", hit.toFixed(2));
      m.dot.setAttribute("x", (-dot).toFixed(2));
      m.dot.setAttribute("y", (-dot).toFixed(2));
      m.dot.setAttribute("width", (2 * dot).toFixed(2));
      m.dot.setAttribute("height", (2 * dot).toFixed(2));
      m.dot.setAttribute("stroke-width", (1.5 * upp).toFixed(2));
    });
  }

  function showNote() {
    const any = marks.length === LANDMARKS.length;
    note.hidden = !any;
    legends.forEach((node) => { node.hidden = !any; });
    if (!any) {
      return;
    }
    sources.textContent = LANDMARKS.map((name) => {
      const words = name.replace("_", " ");
      return words.charAt(0).toUpperCase() + words.slice(1) + ": " + sourceOf(name);
    }).join(" · ");
    resetButton.hidden = Object.keys(given).length === 0;
  }

  function requestGuides(now) {
    guideChannel.push(() => givenNow(), now);
  }

  function givenNow() {
    const out = {};
    marks.forEach((m) => {
      if (given[m.name]) {
        out[m.name] = [round2(m.x), round2(m.y)];
      }
    });
    return out;
  }

  function startDrag(event, m) {
    if (options.locked() || (event.pointerType === "mouse" && event.button !== 0)) {
      return;
    }
    event.preventDefault();
    event.stopPropagation();
    options.willMove(null);
    const at = view.toPhoto(event);
    drag = { mark: m, dx: m.x - at.x, dy: m.y - at.y, pointer: event.pointerId };
    m.node.setPointerCapture(event.pointerId);
    m.node.classList.add("dragging");
  }

  function moveTo(m, x, y) {
    m.x = x;
    m.y = y;
    given[m.name] = [round2(x), round2(y)];
    place(m);
    describe(m);
    requestGuides(false);
  }

  svg.addEventListener("pointermove", (event) => {
    if (!drag || event.pointerId !== drag.pointer) {
      return;
    }
    const at = view.toPhoto(event);
    moveTo(drag.mark, at.x + drag.dx, at.y + drag.dy);
  });

  function endDrag(event) {
    if (!drag || event.pointerId !== drag.pointer) {
      return;
    }
    const m = drag.mark;
    m.node.classList.remove("dragging");
    drag = null;
    showNote();
    options.moved(0);
  }
  svg.addEventListener("pointerup", endDrag);
  svg.addEventListener("pointercancel", endDrag);
  layer.addEventListener("touchstart", (event) => event.preventDefault(), { passive: false });

  function nudge(event, m) {
    const keys = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
    const step = keys[event.key];
    if (!step || options.locked()) {
      return;
    }
    event.preventDefault();
    options.willMove("landmark:" + m.name);
    const px = (event.shiftKey ? NUDGE_SHIFT_MM : NUDGE_MM) / options.mmPerPx();
    moveTo(m, m.x + step[0] * px, m.y + step[1] * px);
    showNote();
    options.moved(500);
  }

  function build() {
    layer.textContent = "";
    marks = LANDMARKS.filter((name) => detected[name] || given[name]).map((name) => {
      const at = given[name] || detected[name];
      const m = { name, x: at[0], y: at[1] };
      m.node = el("g", { "class": "landmark", tabindex: "0", role: "button", "data-landmark": name });
      m.hit = el("circle", { "class": "landmark-hit", cx: "0", cy: "0" });
      m.dot = el("rect", { "class": "landmark-dot", transform: "rotate(45)" });
      m.node.appendChild(m.hit);
      m.node.appendChild(m.dot);
      place(m);
      describe(m);
      m.node.addEventListener("pointerdown", (event) => startDrag(event, m));
      m.node.addEventListener("keydown", (event) => nudge(event, m));
      layer.appendChild(m.node);
      return m;
    });
    if (marks.length !== LANDMARKS.length) {
      marks = [];
      layer.textContent = "";
    }
    size();
    drawGuides();
    showNote();
  }

  return {
    /** Show a state's landmarks and guide lines (its given ones stay given). */
    load(state) {
      guideChannel.cancel();
      detected = {};
      given = {};
      guides = state.guides || null;
      const landmarks = state.landmarks;
      if (landmarks) {
        LANDMARKS.forEach((name) => {
          if (landmarks.sources[name] === "given") {
            given[name] = landmarks[name].slice();
          } else {
            detected[name] = landmarks[name].slice();
          }
        });
      }
      build();
    },
    /** Forget the moved landmarks (the detected ones are shown again by the next state). */
    forgetGiven() {
      given = {};
    },
    /** The landmarks the practitioner moved, or null. */
    given() {
      return Object.keys(given).length ? JSON.parse(JSON.stringify(given)) : null;
    },
    snapshot() {
      return { detected: JSON.parse(JSON.stringify(detected)), given: JSON.parse(JSON.stringify(given)), guides };
    },
    restore(snap) {
      guideChannel.cancel();
      drag = null;
      detected = JSON.parse(JSON.stringify(snap.detected));
      given = JSON.parse(JSON.stringify(snap.given));
      guides = snap.guides;
      build();
    },
    rescale() {
      size();
      drawGuides();
    },
    get busy() {
      return guideChannel.busy || drag !== null;
    },
    get dragging() {
      return drag !== null;
    }
  };
}
