// scalpmap: the hairline designer (ES modules, no framework, no build step).
//
// The photo is drawn in an SVG whose coordinates are photo pixels; its viewBox is the part in
// view (view.js: zoom and pan by wheel, pinch and buttons). The server makes every figure: a
// template's state from POST /api/cases/{id}/designs, the zones of an edited line from
// POST /api/designs/{id}/update (at most every 100 ms while a point moves, and when it is let
// go), the rules' guide lines from POST /api/designs/{id}/guides while a landmark moves.
// Modules: line.js (the target line and its control points, points.js their geometry),
// landmarks.js, panel.js (status line and figures), history.js (undo, redo), save.js.

import { channel, post } from "./net.js";
import { el, linePath, polygonsPath } from "./svg.js";
import { createView } from "./view.js";
import { createLine } from "./line.js";
import { createLandmarks } from "./landmarks.js";
import { createPanel } from "./panel.js";
import { createHistory } from "./history.js";
import { bindSave } from "./save.js";

const UPDATE_MS = 100;
const SETTLE_MS = 250;

function start(root) {
  const svg = document.getElementById("design-svg");
  const byId = (id) => document.getElementById(id);
  let state = JSON.parse(byId("design-state").textContent);
  let template = root.dataset.template;
  let edited = state.template === "custom";
  let locked = false;
  let settleTimer = null;
  let lastChange = { key: null, at: 0 };
  const templateButtons = Array.from(root.querySelectorAll("button[data-template]"));
  const ageInput = byId("age");

  const panel = createPanel(root);
  const view = createView(svg, state.photo, {
    changed: () => {
      line.rescale();
      landmarks.rescale();
      byId("zoom-level").textContent = Math.round(view.zoom() * 100) + " %";
    },
    pinching: () => {
      // A second finger: the first one's drag is called off, the design is as before it.
      if (line.dragging || landmarks.dragging) {
        const snap = history.drop();
        if (snap) {
          restore(snap, "Zooming");
        }
      }
    }
  });
  const history = createHistory(() => {
    byId("undo").disabled = !history.canUndo || locked;
    byId("redo").disabled = !history.canRedo || locked;
  });
  const line = createLine({
    svg,
    view,
    photo: state.photo,
    layer: byId("target-layer"),
    handlesLayer: byId("handles-layer"),
    clipPath: byId("scalp-clip-path"),
    mmPerPx: () => state.mm_per_px,
    locked: () => locked,
    willEdit: remember,
    edited: lineEdited
  });
  const landmarks = createLandmarks({
    svg,
    view,
    layer: byId("landmarks-layer"),
    guidesLayer: byId("guides-layer"),
    note: byId("landmark-note"),
    sources: byId("landmark-sources"),
    resetButton: byId("reset-landmarks"),
    legends: Array.from(root.querySelectorAll(".landmark-legend")),
    guidesUrl: root.dataset.guidesUrl,
    mmPerPx: () => state.mm_per_px,
    locked: () => locked,
    willMove: remember,
    moved: landmarkMoved,
    changed: sync
  });
  const updates = channel({
    wait: UPDATE_MS,
    send: (body) => post(root.dataset.updateUrl, body),
    result: (data) => {
      state = Object.assign({}, state, {
        zones: data.zones,
        notes: data.notes,
        desired_density_per_cm2: data.desired_density_per_cm2,
        figures: data.figures
      });
      drawZones();
      panel.showFigures(state);
      panel.showError("");
      panel.setStatus("", "Edited · zones updated" + outsideNote());
    },
    error: (error) => panel.showError(error.message),
    changed: sync
  });
  const starts = channel({
    wait: 0,
    send: (body) => post(root.dataset.startUrl, body),
    result: (data) => {
      state = data;
      template = data.template;
      edited = false;
      render();
      panel.showError("");
      panel.setStatus("", "Template: " + template + outsideNote());
    },
    error: (error) => panel.showError(error.message),
    changed: sync
  });

  function sync() {
    panel.setSync(updates.busy || starts.busy || landmarks.busy || settleTimer !== null);
  }

  function outsideNote() {
    const count = line.outsideCount();
    const where = state.scalp_area ? "off the scalp" : "off the photo";
    return count ? " · " + count + " point" + (count === 1 ? "" : "s") + " " + where : "";
  }

  // ---- drawing --------------------------------------------------------------------------

  function drawZones() {
    const layer = byId("zones-layer");
    layer.textContent = "";
    ["keep", "touch_up", "removal"].forEach((name) => {
      const zone = state.zones[name];
      if (zone && zone.polygons.length) {
        layer.appendChild(el("path", {
          d: polygonsPath(zone.polygons), "class": "zone zone-" + name, "fill-rule": "evenodd",
          "data-zone": name
        }));
      }
    });
  }

  function drawCurrent() {
    const layer = byId("lines-layer");
    layer.textContent = "";
    if (state.current_hairline.length >= 2) {
      const d = linePath(state.current_hairline);
      layer.appendChild(el("path", { d, "class": "line line-halo" }));
      layer.appendChild(el("path", { d, "class": "line line-current", "data-line": "current" }));
    }
  }

  function markTemplate() {
    templateButtons.forEach((button) => {
      const on = button.dataset.template === template;
      button.classList.toggle("active", on);
      button.setAttribute("aria-pressed", on ? "true" : "false");
    });
  }

  function render() {
    line.load(state.hairline);
    line.setScalp(state.scalp_area);
    landmarks.load(state);
    drawZones();
    drawCurrent();
    panel.showFigures(state);
    markTemplate();
  }

  // ---- changes, undo and redo -----------------------------------------------------------

  function snapshot() {
    return {
      state, template, edited, hairline: line.hairline(), marks: landmarks.snapshot()
    };
  }

  /** Take a snapshot before a change; key groups repeated nudges of one point into one step. */
  function remember(key) {
    const now = Date.now();
    const again = key && key === lastChange.key && now - lastChange.at < 1000;
    lastChange = { key, at: now };
    if (!again) {
      history.push(snapshot());
    }
  }

  function restore(snap, words) {
    starts.cancel();
    updates.cancel();
    clearTimeout(settleTimer);
    settleTimer = null;
    state = snap.state;
    template = snap.template;
    edited = snap.edited;
    line.load(snap.hairline);
    line.setScalp(state.scalp_area);
    landmarks.restore(snap.marks);
    drawZones();
    drawCurrent();
    panel.showFigures(state);
    panel.showError("");
    markTemplate();
    if (edited && snap.hairline) {
      updates.push(() => line.hairline(), true);
    }
    panel.setStatus("", words + (edited ? " · edited" : " · template: " + template) + outsideNote());
    sync();
  }

  function undo() {
    const snap = !locked && history.undo(snapshot());
    if (snap) {
      restore(snap, "Undone");
    }
  }

  function redo() {
    const snap = !locked && history.redo(snapshot());
    if (snap) {
      restore(snap, "Redone");
    }
  }

  function lineEdited(now) {
    edited = true;
    panel.setStatus("busy", "Updating…");
    updates.push(() => line.hairline(), now);
  }

  function startTemplate(name) {
    updates.cancel();
    starts.cancel();
    panel.setStatus("busy", "Starting " + name + "…");
    const age = parseInt(ageInput.value, 10);
    starts.push(() => ({
      analysis_id: state.analysis_id,
      template: name,
      age: isNaN(age) ? null : age,
      landmarks: landmarks.given()
    }), true);
  }

  function landmarkMoved(wait) {
    clearTimeout(settleTimer);
    settleTimer = setTimeout(() => {
      settleTimer = null;
      if (template === "mature" || !edited) {
        // The template follows the landmarks: mature places its line by them; the others
        // report the height above the glabella.
        startTemplate(template);
      } else {
        panel.setStatus("", "Landmark moved · the edited line is kept" + outsideNote());
        sync();
      }
    }, wait || SETTLE_MS);
    sync();
  }

  // ---- controls -------------------------------------------------------------------------

  templateButtons.forEach((button) => button.addEventListener("click", () => {
    remember(null);
    startTemplate(button.dataset.template);
  }));
  byId("reset-points").addEventListener("click", () => {
    remember(null);
    startTemplate(template);
  });
  byId("reset-landmarks").addEventListener("click", () => {
    remember(null);
    landmarks.forgetGiven();
    startTemplate(template);
  });
  ageInput.addEventListener("change", () => {
    if (template === "mature") {
      remember(null);
      startTemplate("mature");
    }
  });
  byId("undo").addEventListener("click", undo);
  byId("redo").addEventListener("click", redo);
  byId("zoom-in").addEventListener("click", () => view.zoomIn());
  byId("zoom-out").addEventListener("click", () => view.zoomOut());
  byId("zoom-fit").addEventListener("click", () => view.reset());
  document.addEventListener("keydown", (event) => {
    const typing = event.target.closest && event.target.closest("input, select, textarea");
    if (typing || !(event.ctrlKey || event.metaKey)) {
      return;
    }
    const key = event.key.toLowerCase();
    if (key === "z" && !event.shiftKey) {
      event.preventDefault();
      undo();
    } else if ((key === "z" && event.shiftKey) || key === "y") {
      event.preventDefault();
      redo();
    }
  });

  bindSave({
    url: root.dataset.saveUrl,
    design: () => ({
      analysis_id: state.analysis_id,
      template,
      age: isNaN(parseInt(ageInput.value, 10)) ? null : parseInt(ageInput.value, 10),
      hairline: edited && template !== "remove-all" ? line.hairline() : null,
      landmarks: landmarks.given()
    }),
    setBusy: (busy) => {
      locked = busy;
      templateButtons.forEach((b) => { b.disabled = busy; });
      byId("undo").disabled = busy || !history.canUndo;
      byId("redo").disabled = busy || !history.canRedo;
    },
    showError: (message) => panel.showError(message)
  });

  render();
  view.fitTo(line.positions());
  window.addEventListener("resize", () => {
    line.rescale();
    landmarks.rescale();
  });
  panel.setStatus("", (edited ? "Edited" : "Template: " + template) + outsideNote());
  sync();
  root.classList.add("ready");
}

const designer = document.getElementById("designer");
if (designer) {
  start(designer);
}
