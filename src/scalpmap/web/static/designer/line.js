// scalpmap designer: the target line and its control points on the photo.
//
// The line is drawn through every control point of the hairline (see points.js); the points
// shown are a few of them, each a visible dot inside a larger invisible touch target (44 px on
// a touch screen). On a whole head the line is clipped to the scalp the server sends.

import { el, insidePolygons, polygonsPath, smoothPath } from "./svg.js";
import { handleSpacingPx, touchRadiusPx } from "./view.js";
import {
  arcLengths, densePoints, falloffRadius, falloffWeights, normalisedHairline, visibleHandles,
  writeBack
} from "./points.js";

const DOT_PX = 7;
const NUDGE_MM = 0.5;
const NUDGE_SHIFT_MM = 5;



export function createLine(options) {
  const { svg, view, layer, handlesLayer, clipPath, photo } = options;
  const mm = () => options.mmPerPx();
  let hairline = null;
  let points = [];
  let ranges = {};
  let s = new Float64Array(0);
  let handles = [];
  let scalp = null;
  let drag = null;

  function isOutside(p) {
    if (p.x < 0 || p.y < 0 || p.x > photo.width || p.y > photo.height) {
      return true;
    }
    return scalp ? !insidePolygons(scalp, p.x, p.y) : false;
  }

  function placeHandle(h) {
    const p = points[h.index];
    h.node.setAttribute("transform", "translate(" + p.x.toFixed(1) + " " + p.y.toFixed(1) + ")");
    h.node.classList.toggle("outside", isOutside(p));
  }

  function draw() {
    layer.textContent = "";
    const d = smoothPath(points.map((p) => [p.x, p.y]));
    if (d) {
      layer.appendChild(el("path", { d, "class": "line line-halo" }));
      layer.appendChild(el("path", { d, "class": "line line-target", "data-line": "target" }));
    }
  }

  function sizeHandles() {
    const upp = view.unitsPerPixel();
    handles.forEach((h) => {
      h.hit.setAttribute("r", (touchRadiusPx() * upp).toFixed(2));
      h.dot.setAttribute("r", (DOT_PX * upp).toFixed(2));
      h.dot.setAttribute("stroke-width", (2 * upp).toFixed(2));
    });
  }

  function label(h, i) {
    return "Control point " + (i + 1) + " of " + handles.length + ", " +
      h.segment.replace("_", " ") + " (arrow keys move it)";
  }

  /** Choose the points to show for the current zoom, and draw them. */
  function buildHandles() {
    handlesLayer.textContent = "";
    const upp = view.unitsPerPixel();
    const chosen = points.length ? visibleHandles(points, ranges, s, handleSpacingPx() * upp) : [];
    handles = chosen.map((h) => Object.assign({}, h));
    handles.forEach((h, i) => {
      h.node = el("g", { "class": "handle", tabindex: "0", role: "button", "data-handle": String(i) });
      h.hit = el("circle", { "class": "handle-hit", cx: "0", cy: "0" });
      h.dot = el("circle", { "class": "handle-dot", cx: "0", cy: "0" });
      h.node.appendChild(h.hit);
      h.node.appendChild(h.dot);
      h.node.setAttribute("aria-label", label(h, i));
      placeHandle(h);
      h.node.addEventListener("pointerdown", (event) => startDrag(event, h));
      h.node.addEventListener("keydown", (event) => nudge(event, h));
      handlesLayer.appendChild(h.node);
    });
    handlesLayer.dataset.count = String(handles.length);
    sizeHandles();
  }

  function moveBy(h, origin, weights, dx, dy) {
    points.forEach((p, j) => {
      if (weights[j] > 0) {
        p.x = origin[j][0] + weights[j] * dx;
        p.y = origin[j][1] + weights[j] * dy;
      }
    });
    writeBack(hairline, points, mm());
    handles.forEach(placeHandle);
    draw();
  }

  function startDrag(event, h) {
    if (options.locked() || (event.pointerType === "mouse" && event.button !== 0)) {
      return;
    }
    event.preventDefault();
    event.stopPropagation();
    options.willEdit(null);
    drag = {
      handle: h,
      pointer: event.pointerId,
      start: view.toPhoto(event),
      origin: points.map((p) => [p.x, p.y]),
      weights: falloffWeights(s, h.index, falloffRadius(h, mm()))
    };
    h.node.setPointerCapture(event.pointerId);
    h.node.classList.add("dragging");
  }

  svg.addEventListener("pointermove", (event) => {
    if (!drag || event.pointerId !== drag.pointer) {
      return;
    }
    const at = view.toPhoto(event);
    moveBy(drag.handle, drag.origin, drag.weights, at.x - drag.start.x, at.y - drag.start.y);
    options.edited(false);
  });

  function endDrag(event) {
    if (!drag || event.pointerId !== drag.pointer) {
      return;
    }
    drag.handle.node.classList.remove("dragging");
    drag = null;
    s = arcLengths(points);
    options.edited(true);
  }
  svg.addEventListener("pointerup", endDrag);
  svg.addEventListener("pointercancel", endDrag);
  // A finger on a point never scrolls the page.
  handlesLayer.addEventListener("touchstart", (event) => event.preventDefault(), { passive: false });

  function nudge(event, h) {
    const keys = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
    const step = keys[event.key];
    if (!step || options.locked()) {
      return;
    }
    event.preventDefault();
    options.willEdit("nudge:" + h.index);
    const px = (event.shiftKey ? NUDGE_SHIFT_MM : NUDGE_MM) / mm();
    const origin = points.map((p) => [p.x, p.y]);
    moveBy(h, origin, falloffWeights(s, h.index, falloffRadius(h, mm())), step[0] * px, step[1] * px);
    s = arcLengths(points);
    options.edited(false);
  }

  return {
    /** Show a hairline (a template's, or one restored by undo); null for remove-all. */
    load(json) {
      hairline = json ? normalisedHairline(json) : null;
      const dense = hairline ? densePoints(hairline) : { points: [], ranges: {} };
      points = dense.points;
      ranges = dense.ranges;
      s = arcLengths(points);
      drag = null;
      draw();
      buildHandles();
    },
    /** The hairline as edited (a copy), or null. */
    hairline() {
      return hairline ? JSON.parse(JSON.stringify(hairline)) : null;
    },
    positions() {
      return points.map((p) => [p.x, p.y]);
    },
    /** Clip the drawn line to the scalp (polygons), or to nothing (null: a close-up). */
    setScalp(polygons) {
      scalp = polygons && polygons.length ? polygons : null;
      clipPath.setAttribute("d", scalp ? polygonsPath(scalp) : "");
      if (scalp) {
        layer.setAttribute("clip-path", "url(#scalp-clip)");
      } else {
        layer.removeAttribute("clip-path");
      }
      handles.forEach(placeHandle);
    },
    /** After a zoom: the points shown, and their sizes, follow the scale. */
    rescale() {
      if (!drag) {
        buildHandles();
      }
    },
    outsideCount() {
      return handles.filter((h) => isOutside(points[h.index])).length;
    },
    get dragging() {
      return drag !== null;
    }
  };
}
